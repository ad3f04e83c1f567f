"""Every e-mail names its sender and the privacy page; the dues e-mails carry an unsubscribe link
that works without logging in, at once, and the reminders respect it (Canada's anti-spam law)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.test import TestCase

from activities import registrations
from activities.tests.factories import EventFactory
from members.billing.renewals import due_reminders, open_campaign, reminder_plan, send_reminders
from members.models import DuesNotice, DuesRate, RenewalCampaign
from members.tests.factories import MemberFactory, RepresentativeFactory
from pole import outbox
from pole.fiscal_years import FiscalYear
from pole.models import NetworkIdentity, Unsubscription

pytestmark = pytest.mark.django_db

OPENED = datetime.date(2017, 4, 3)
SITE = "https://pole.exemple.org"


@pytest.fixture(autouse=True)
def identity(settings):
    settings.POLE_SITE_URL = SITE
    return NetworkIdentity.objects.create(
        name="Pôle d’essai",
        short_name="Pôle",
        address="870, avenue de Salaberry\nQuébec (Québec) G1R 2T9",
        phone="418 555-0100",
        email="info@pole.exemple.org",
    )


def sent(action):
    with TestCase.captureOnCommitCallbacks(execute=True):
        action()
    return mail.outbox


def test_every_e_mail_names_its_sender_with_a_postal_address_and_links_the_privacy_page():
    (message,) = sent(lambda: outbox.enqueue(EmailMessage("Objet", "Bonjour,", to=["marie@exemple.org"])))
    foot = message.body.split("\n-- \n", 1)[1]
    for line in ("Pôle d’essai", "870, avenue de Salaberry", "Québec (Québec) G1R 2T9", "418 555-0100", "info@pole.exemple.org"):
        assert line in foot
    assert f"{SITE}/confidentialite/" in foot
    assert "desabonnement" not in foot  # a message that is not marked non-transactional carries no link


def test_a_registration_confirmation_is_transactional_and_has_no_unsubscribe_link(settings):
    event = EventFactory(title="Atelier", start_date=datetime.date.today() + datetime.timedelta(days=9))
    messages = sent(
        lambda: registrations.register(activity=event, name="Marie", email="marie@exemple.org", site_url=SITE)
    )
    assert messages and all(f"{SITE}/confidentialite/" in m.body and "desabonnement" not in m.body for m in messages)


@pytest.fixture
def campaign(settings):
    settings.POLE_DUES_REMINDER_DAYS = [7]
    DuesRate.objects.create(fiscal_year=FiscalYear(2017), category="regular", amount=Decimal("160.00"))
    member = MemberFactory(name="Coop A", fiscal_years=[FiscalYear(2016)])
    RepresentativeFactory(member=member, email="a@exemple.org")
    RepresentativeFactory(member=member, email="b@exemple.org")
    campaign = RenewalCampaign.objects.create(fiscal_year=FiscalYear(2017))
    sent(lambda: open_campaign(campaign=campaign, opened_by=None, base_url=SITE, today=OPENED))
    return member


def unsubscribe_link(message):
    return re.search(rf"{SITE}(/desabonnement/[^/\s]+/)", message.body)[1]


def test_the_dues_e_mail_s_link_unsubscribes_one_address_without_login_at_once(client, campaign):
    (invitation,) = mail.outbox
    link = unsubscribe_link(invitation)

    page = client.get(link)
    assert page.status_code == 200
    text = page.content.decode()
    assert "a@exemple.org" in text and "b@exemple.org" in text

    response = client.post(link, {"email": "b@exemple.org"})
    assert response.status_code == 200
    assert list(Unsubscription.objects.values_list("email", "kind", "how")) == [("b@exemple.org", "dues", "link")]

    # At once: the next reminder goes to the other representative only.
    day = OPENED + datetime.timedelta(days=7)
    (reminder,) = due_reminders(today=day)
    assert reminder.recipients == ["a@exemple.org"]
    mail.outbox.clear()
    sent(lambda: send_reminders([reminder], today=day, base_url=SITE))
    assert [m.to for m in mail.outbox] == [["a@exemple.org"]]
    assert DuesNotice.objects.filter(sent_on=day).get().recipients == "a@exemple.org"


def test_when_every_representative_unsubscribed_no_dues_e_mail_goes(client, campaign):
    link = unsubscribe_link(mail.outbox[0])
    client.post(link, {"email": "a@exemple.org"})
    client.post(link, {"email": "b@exemple.org"})
    mail.outbox.clear()
    day = OPENED + datetime.timedelta(days=7)
    assert due_reminders(today=day) == []
    (decision,) = [d for d in reminder_plan(today=day) if d.member == campaign]
    assert decision.outcome == "unsubscribed"


def test_a_forged_link_or_another_address_changes_nothing(client, campaign):
    link = unsubscribe_link(mail.outbox[0])
    assert client.get(link[:-5] + "abcd/").status_code == 404
    response = client.post(link, {"email": "someone.else@exemple.org"})
    assert response.status_code == 400
    assert "rien n’a été changé" in response.content.decode()
    assert not Unsubscription.objects.exists()


def test_opening_the_campaign_leaves_out_a_member_whose_representatives_all_unsubscribed(db, settings):
    from pole.unsubscribe import unsubscribe

    DuesRate.objects.create(fiscal_year=FiscalYear(2017), category="regular", amount=Decimal("160.00"))
    quiet = MemberFactory(name="Coop tranquille", fiscal_years=[FiscalYear(2016)])
    RepresentativeFactory(member=quiet, email="q@exemple.org")
    unsubscribe("dues", "Q@exemple.org")
    campaign = RenewalCampaign.objects.create(fiscal_year=FiscalYear(2017))
    result = open_campaign(campaign=campaign, opened_by=None, base_url=SITE, today=OPENED)
    assert (result.invited, [m.name for m in result.unsubscribed]) == (0, ["Coop tranquille"])
    assert not DuesNotice.objects.exists()
