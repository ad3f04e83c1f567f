"""Every e-mail the app sends, with names holding an apostrophe, an ampersand and « »: nothing HTML-escaped.

An e-mail is plain text: « Déjeuner d'affaires » must never reach a mailbox as
« Déjeuner d&#x27;affaires », nor « & » as « &amp; ». Apostrophes between letters are written
the French way (’) in what the app words; addresses and links are left exactly as they are.
"""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse

from activities import registrations
from activities.tests.factories import EventFactory, RegistrationFactory
from members import invitations
from members.billing.invoices import issue_invoice
from members.billing.renewals import due_reminders, open_campaign, send_reminders
from members.models import DuesRate, RenewalCampaign
from members.tests.factories import ContactFactory, MemberFactory, RepresentativeFactory
from pole.fiscal_years import FiscalYear
from pole.models import NetworkIdentity, OutboxMessage

pytestmark = pytest.mark.django_db

TITLE = "Déjeuner d'affaires & réseautage « Express »"
MEMBER = "Coop l'Envol & fils « Nord »"
NETWORK = "Réseau d'essai & cie « Capitale »"
SITE = "https://pole.exemple.org"
ESCAPES = re.compile(r"&(#x?[0-9a-f]+|amp|quot|lt|gt|apos|laquo|raquo|nbsp);", re.IGNORECASE)


def typographic(text):
    return text.replace("'", "\u2019")


def spaced(text):
    """The text with no-break spaces as plain ones (the catalogue's typography is another matter)."""
    return text.replace("\u00a0", " ")


def assert_plain(message, *texts, subject_holds=()):
    """Neither subject nor body holds an HTML entity; each of ``texts`` reads as written (apostrophes ’)."""
    for part in (message.subject, message.body):
        assert not ESCAPES.search(part), ESCAPES.search(part)
        assert html.unescape(part) == part
    for text in texts:
        assert typographic(text) in message.body, text
    for text in subject_holds:
        assert typographic(text) in message.subject, (text, message.subject)


@pytest.fixture(autouse=True)
def network(db):
    NetworkIdentity.objects.create(name=NETWORK, short_name="Pôle & cie")


def only_message(committed, action):
    before = len(mail.outbox)
    with committed():
        result = action()
    (message,) = mail.outbox[before:]
    return message, result


def test_registration_confirmed_waiting_and_promoted(committed):
    event = EventFactory(title=TITLE, place="Salle « Le Rucher » & annexe", capacity=1)

    def register(email):
        return registrations.register(
            activity=event, name="Marie d'Amours", email=email, organisation=MEMBER, site_url=SITE
        )

    confirmed, seat = only_message(committed, lambda: register("marie@exemple.org"))
    assert spaced(confirmed.subject) == f"Inscription confirmée : {typographic(TITLE)}"
    assert_plain(confirmed, TITLE, "Marie d'Amours", "Salle « Le Rucher » & annexe", NETWORK)

    waiting, _ = only_message(committed, lambda: register("o'neil@exemple.org"))
    assert spaced(waiting.subject) == f"Liste d’attente : {typographic(TITLE)}"
    assert_plain(waiting, TITLE, NETWORK)

    promoted, _ = only_message(committed, lambda: registrations.cancel(registration=seat.registration, site_url=SITE))
    assert promoted.to == ["o'neil@exemple.org"]  # an address keeps its plain apostrophe
    assert_plain(promoted, TITLE, NETWORK, subject_holds=[TITLE])


def test_the_request_to_confirm_a_visitor_s_registration(committed):
    event = EventFactory(title=TITLE, place="Salle « Le Rucher » & annexe", capacity=5)
    message, seat = only_message(
        committed,
        lambda: registrations.register(
            activity=event, name="Marie d'Amours", email="marie@exemple.org", organisation=MEMBER, site_url=SITE,
            confirm_by_email=True,
        ),
    )
    assert spaced(message.subject) == f"Confirmez votre inscription : {typographic(TITLE)}"
    assert_plain(message, TITLE, "Marie d'Amours", "Salle « Le Rucher » & annexe", NETWORK)
    assert f"{SITE}/activites/confirmation/{seat.registration.cancel_token}/" in message.body
    assert message.attachments == []  # the event's .ics comes with the confirmation, once confirmed


def test_the_staff_message_to_registrants_is_sent_as_typed(committed):
    event = EventFactory(title=TITLE)
    RegistrationFactory(activity=event, email="marie@exemple.org")
    subject, body = "Rappel : « Déjeuner d'affaires » & stationnement", "L'accueil & le café « bio » à 8 h."
    message, _ = only_message(
        committed, lambda: registrations.email_registrants(activity=event, subject=subject, body=body)
    )
    # As typed, then the foot every e-mail carries: who sends it and the privacy page.
    assert message.subject == subject
    assert message.body.startswith(body + "\n\n-- \n" + typographic(NETWORK) + "\n")


def test_the_portal_invitation(committed):
    contact = ContactFactory(member=MemberFactory(name=MEMBER), first_name="Éloïse d'Anjou", email="eloise@exemple.org")
    message, _ = only_message(
        committed, lambda: invitations.invite(contact, sent_by=None, base_url="http://testserver/")
    )
    assert_plain(message, "Éloïse d'Anjou", MEMBER, NETWORK, subject_holds=[MEMBER])


def test_the_dues_invitation_and_both_reminders(committed, settings):
    settings.POLE_DUES_REMINDER_DAYS = [7]
    year = FiscalYear(2017)
    late = MemberFactory(name=MEMBER, fiscal_years=[year.previous])
    silent = MemberFactory(name="Mutuelle « L'Abri » & cie", fiscal_years=[year.previous])
    RepresentativeFactory(member=late, email="late@exemple.org")
    RepresentativeFactory(member=silent, email="silent@exemple.org")
    DuesRate.objects.create(fiscal_year=year, category="regular", amount=Decimal("150.00"))
    opened = datetime.date(2017, 4, 3)
    campaign = RenewalCampaign.objects.create(fiscal_year=year)
    with committed():
        open_campaign(campaign=campaign, opened_by=None, base_url=SITE, today=opened)
    invitation = next(m for m in mail.outbox if m.to == ["late@exemple.org"])
    assert_plain(invitation, MEMBER, NETWORK, subject_holds=[MEMBER])

    invoice = issue_invoice(member=late, fiscal_year=year, today=opened)
    after_due = invoice.due_on + datetime.timedelta(days=1)
    mail.outbox.clear()
    with committed():
        assert send_reminders(due_reminders(today=after_due), today=after_due, base_url=SITE) == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert_plain(by_address["late@exemple.org"], MEMBER, NETWORK)  # payment reminder
    assert_plain(
        by_address["silent@exemple.org"], "Mutuelle « L'Abri » & cie", NETWORK, subject_holds=["« L'Abri » & cie"]
    )


def test_the_password_reset(client, committed):
    RepresentativeFactory(email="o'neil@exemple.org")
    with committed():
        client.post(reverse("password_reset"), {"email": "o'neil@exemple.org"})
    (message,) = mail.outbox
    assert_plain(message)
    assert "le compte o'neil@exemple.org." in message.body  # the address as typed, its apostrophe plain


def test_the_stored_message_is_the_plain_text_too():
    """What the outbox keeps (and the admin shows) is the text as sent, not an escaped copy."""
    stored = registrations.register(
        activity=EventFactory(title=TITLE), name="Marie", email="m@exemple.org", organisation="X", site_url=SITE
    )
    message = OutboxMessage.objects.get(recipients="m@exemple.org")
    assert stored.registration.email == "m@exemple.org"
    assert typographic(TITLE) in message.subject and not ESCAPES.search(message.subject + message.body)
    assert isinstance(EmailMessage(message.subject, message.body).message().as_string(), str)
