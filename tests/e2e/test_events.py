"""Events in a real headless Chromium: the registration journey, the door on a phone, every form.

The live server sees only committed data, so these tests use a transactional database,
emptied after each test; the role groups are created again before each. E-mails go to
Django's test outbox (the console backend's stand-in), read here as a person reads their mail.
"""

import re

import pytest
from django.core import mail

from activities.models import Activity, Registration
from activities.tests.factories import EventFactory, ObjectiveFactory, RegistrationFactory, in_days
from conftest import DESKTOP, PHONE, admin_log_in
from members.roles import PERSONNEL
from members.tests.factories import MemberFactory, UserFactory
from pole.fiscal_years import FiscalYear
from reports.statistics import activity_totals

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Une-phrase-de-passe-solide-2026"


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    from django.apps import apps

    from members.roles import sync_role_groups

    sync_role_groups(apps)


@pytest.fixture
def personnel(role_groups):
    return UserFactory(email="personnel@exemple.org", password=PASSWORD, is_staff=True, groups=[PERSONNEL])


def sideways_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def register(page, event, *, name, email, organisation="Coop des Deux Rives"):
    page.goto("/activites/")
    page.get_by_role("link", name=event.title).click()
    page.get_by_label("Prénom et nom").fill(name)
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Organisation", exact=True).fill(organisation)
    page.get_by_label("Téléphone").fill("418 555-0134")
    page.get_by_role("button", name="S’inscrire").click()


def link_in(message, pattern):
    return re.search(pattern, message.body)[0]


def confirm_by_link(page, email):
    """As a visitor does: wait for the page asking to confirm, open the e-mailed link, press the button."""
    page.get_by_role("heading", name="Confirmez votre inscription").wait_for()
    (request,) = [m for m in mail.outbox if m.to == [email] and m.subject.startswith("Confirmez votre inscription")]
    assert request.attachments == []  # the event's .ics comes once confirmed
    page.goto(link_in(request, r"http://\S+/activites/confirmation/\S+/"))
    page.get_by_role("button", name="Confirmer mon inscription").click()


def test_register_cancel_promote_and_check_in_on_a_phone(new_page, live_server, personnel):
    event = EventFactory(title="Atelier de comptabilité", capacity=1, objectives=[ObjectiveFactory()])

    # A visitor registers: a link comes by e-mail; once confirmed, the last seat is theirs.
    first = new_page(DESKTOP)
    register(first, event, name="Marie Tremblay", email="Marie@Exemple.org")
    first.get_by_text("Une place vous est réservée pendant 30 minutes").wait_for()
    confirm_by_link(first, "marie@exemple.org")
    first.get_by_role("heading", name="Vous êtes inscrit·e").wait_for()
    (_request, confirmation) = mail.outbox
    assert confirmation.to == ["marie@exemple.org"]
    assert confirmation.subject == "Inscription confirmée\u00a0: Atelier de comptabilité"
    assert confirmation.attachments[0][0] == "evenement.ics"
    cancel_link = link_in(confirmation, r"http://\S+/activites/annulation/\S+/")

    # Registering the same address again is refused with a French message.
    register(first, event, name="Marie Tremblay", email="marie@exemple.org")
    first.get_by_text("Cette adresse courriel est déjà inscrite à cette activité.").wait_for()

    # A second person finds the event full and joins the waiting list.
    second = new_page(PHONE)
    second.goto(f"/activites/{event.pk}/")
    second.get_by_text("L’activité est complète").wait_for()
    register(second, event, name="Éloïse Roy", email="eloise@exemple.org")
    confirm_by_link(second, "eloise@exemple.org")
    second.get_by_text("vous êtes numéro 1 sur la liste d’attente").wait_for()
    assert sideways_overflow(second) == 0
    assert mail.outbox[-1].subject == "Liste d’attente\u00a0: Atelier de comptabilité"

    # The first cancels from the e-mail's link; the second gets the seat and an e-mail.
    mail.outbox.clear()
    first.goto(cancel_link)
    first.get_by_role("button", name="Annuler mon inscription").click()
    first.get_by_text("Votre inscription à « Atelier de comptabilité » est annulée.").wait_for()
    first.get_by_text("La place revient à la première personne de la liste d’attente").wait_for()
    (promotion,) = mail.outbox
    assert promotion.to == ["eloise@exemple.org"]
    assert promotion.subject == "Une place pour vous\u00a0: Atelier de comptabilité"
    assert Registration.objects.get(email="eloise@exemple.org").status == "confirmed"

    # At the door, on a 390 px phone: search, one tap on « Présent ».
    door = new_page(PHONE)
    admin_log_in(door, "personnel@exemple.org", PASSWORD)
    door.goto(f"/activites/{event.pk}/accueil/")
    door.get_by_placeholder("Nom, courriel ou organisation").fill("eloise")
    door.get_by_role("button", name="Rechercher").click()
    door.get_by_role("button", name="Noter la présence\u00a0: Éloïse Roy").click()
    door.get_by_text("Présence notée\u00a0: Éloïse Roy.").wait_for()
    door.get_by_role("button", name="Présence notée pour Éloïse Roy\u00a0; toucher pour annuler").wait_for()
    assert sideways_overflow(door) == 0

    # A walk-in, added on the phone.
    door.get_by_role("link", name="Ajouter une personne sans inscription").click()
    door.get_by_label("Prénom et nom").fill("Paul Roy")
    door.get_by_label("Organisation", exact=True).fill("Coop Roy")
    door.get_by_role("button", name="Ajouter aux présences").click()
    door.get_by_text("Ajout aux présences\u00a0: Paul Roy.").wait_for()
    assert sideways_overflow(door) == 0
    door.locator("#attendance-summary").get_by_text("2").wait_for()

    # The attendance is the activity's participants figure.
    assert Activity.objects.with_counted_participants().get(pk=event.pk).counted_participants == 2
    assert activity_totals(event.fiscal_year)["participants"] == 2


def test_registration_form_shows_french_errors_and_saves_nothing(new_page, live_server):
    event = EventFactory(title="Déjeuner d'affaires")
    page = new_page(PHONE)
    page.goto(f"/activites/{event.pk}/")
    page.get_by_label("Prénom et nom").fill("Marie Tremblay")
    page.get_by_label("Courriel").fill("pas-une-adresse")
    page.get_by_label("Téléphone").fill("12")
    page.get_by_role("button", name="S’inscrire").click()
    page.get_by_text("Saisissez une adresse de courriel valide.").wait_for()
    page.get_by_text("n’est pas un numéro de téléphone").wait_for()
    page.get_by_text("Écrivez le nom de votre organisation.").wait_for()
    assert sideways_overflow(page) == 0
    assert not Registration.objects.exists()
    # Not logged in, no one registers as a member (that needs the portal): the organisation is written.
    member = MemberFactory(name="Coopérative Le Rucher", directory_consent=True, fiscal_years=[FiscalYear.current()])
    page.reload()
    assert page.get_by_label("Organisation membre").count() == 0
    page.get_by_label("Courriel").fill("marie@exemple.org")
    page.get_by_label("Téléphone").fill("418 555-0134")
    page.get_by_label("Organisation").fill(member.name)
    page.get_by_role("button", name="S’inscrire").click()
    confirm_by_link(page, "marie@exemple.org")
    page.get_by_role("heading", name="Vous êtes inscrit·e").wait_for()
    registration = Registration.objects.get()
    assert (registration.member, registration.organisation) == (None, member.name)


def test_staff_email_form_writes_to_the_registrants(new_page, live_server, personnel):
    event = EventFactory(title="Atelier de vente")
    RegistrationFactory(activity=event, email="a@exemple.org")
    RegistrationFactory(activity=event, email="b@exemple.org", status=Registration.Status.WAITING)
    page = new_page(DESKTOP)
    admin_log_in(page, "personnel@exemple.org", PASSWORD)
    page.goto(f"/activites/{event.pk}/accueil/")
    page.get_by_role("link", name="Écrire aux personnes inscrites").click()
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_text("Ce champ est obligatoire.").first.wait_for()
    assert not mail.outbox, [(m.subject, m.to) for m in mail.outbox]
    page.get_by_label("Objet").fill("Rappel : demain 9 h")
    page.get_by_label("Message").fill("Au plaisir de vous voir demain.")
    page.get_by_label("Envoyer aussi à la liste d’attente").check()
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_text("2 courriels mis dans la boîte d’envoi.").wait_for()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@exemple.org", "b@exemple.org"]


def test_admin_opens_registration_and_cancelling_promotes(new_page, live_server, personnel):
    activity = EventFactory(
        title="Formation en gestion", registration_open=False, capacity=None, start_date=in_days(30)
    )
    held = RegistrationFactory(activity=activity, email="a@exemple.org")
    page = new_page(DESKTOP)
    admin_log_in(page, "personnel@exemple.org", PASSWORD)

    # Open registration with 1 seat and prices, in the activity's change form.
    page.goto(f"/admin/activities/activity/{activity.pk}/change/")
    page.get_by_label("Inscription ouverte").check()
    page.get_by_label("Places").fill("1")
    page.get_by_label("Tarif membre").fill("15")
    page.get_by_label("Tarif non-membre").fill("25.50")
    page.get_by_label("Description publique").fill("Une formation pratique.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.locator(".messagelist .success").wait_for()
    activity.refresh_from_db()
    assert (activity.registration_open, activity.capacity, str(activity.non_member_price)) == (True, 1, "25.50")

    # A negative price is refused with a French message.
    page.goto(f"/admin/activities/activity/{activity.pk}/change/")
    page.get_by_label("Tarif membre").fill("-5")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.locator(".errornote").wait_for()
    page.get_by_text("Assurez-vous que cette valeur est supérieure ou égale à 0.").wait_for()

    # Someone registers on the public page and waits; cancelling the seat in the admin promotes them.
    visitor = new_page(DESKTOP)
    register(visitor, activity, name="Éloïse Roy", email="eloise@exemple.org")
    confirm_by_link(visitor, "eloise@exemple.org")
    visitor.get_by_text("vous êtes numéro 1 sur la liste d’attente").wait_for()
    mail.outbox.clear()
    page.goto(f"/admin/activities/registration/{held.pk}/change/")
    page.get_by_label("Statut").select_option(label="annulée")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.locator(".messagelist .success").wait_for()
    assert Registration.objects.get(email="eloise@exemple.org").status == "confirmed"
    assert [m.to for m in mail.outbox] == [["eloise@exemple.org"]]
    # The list of activities shows the counted participants and where they come from.
    page.goto("/admin/activities/activity/")
    page.get_by_text("(présences)").first.wait_for()
