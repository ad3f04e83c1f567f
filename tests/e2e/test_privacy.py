"""Privacy in a real headless Chromium: the policy page, the registration form's notice and news
consent, the portal's consents and own data, the invitation's consent, the unsubscribe link and
the Direction's search for a person's data.

``POLE_SCREENSHOTS=/some/folder`` saves the pages looked at (1280 and 390 px wide).
"""

import json
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.test import TestCase

from activities.models import Registration
from activities.tests.factories import EventFactory, in_days
from conftest import DESKTOP, PHONE
from members.billing.renewals import open_campaign
from members.models import DuesRate, RenewalCampaign
from members.roles import DIRECTION
from members.tests.factories import ContactFactory, MemberFactory, RepresentativeFactory, UserFactory
from pole.fiscal_years import FiscalYear
from pole.models import ConsentRecord, NetworkIdentity, PersonalDataAccess, Unsubscription

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Une-phrase-de-passe-solide-2026"


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    from django.apps import apps

    from members.roles import sync_role_groups

    sync_role_groups(apps)


@pytest.fixture(autouse=True)
def identity(transactional_db):
    return NetworkIdentity.objects.create(
        name="Pôle des entreprises d’économie sociale de la région de la Capitale-Nationale",
        short_name="Pôle",
        address="870, avenue de Salaberry, bureau 203\nQuébec (Québec) G1R 2T9",
        phone="418 555-0100",
        email="info@pole.exemple.org",
        privacy_officer_name="Hélène Roy",
        privacy_officer_title="Directrice générale",
    )


def screenshot(page, name):
    folder = os.environ.get("POLE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def sideways_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def log_in(page, email, password=PASSWORD):
    page.goto("/connexion/")
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_policy_page_is_reached_from_every_foot_and_reads_on_a_phone(new_page, viewport):
    page = new_page(viewport)
    page.goto("/activites/")
    page.locator("footer").get_by_role("link", name="Confidentialité").click()
    page.get_by_role("heading", name="Confidentialité", level=1).wait_for()
    main = page.locator("main").inner_text()
    assert "Hélène Roy, Directrice générale" in main
    assert "Besoins alimentaires et d’accessibilité" in main and "Vos droits" in main
    assert sideways_overflow(page) == 0
    screenshot(page, f"confidentialite-{viewport['width']}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_registering_shows_the_notice_and_records_the_news_consent_only_when_ticked(new_page, viewport):
    current = FiscalYear.current()
    MemberFactory(name="Coop discrète", directory_consent=False, fiscal_years=[current])
    event = EventFactory(title="Déjeuner-causerie", start_date=in_days(12))
    page = new_page(viewport)
    page.goto(f"/activites/{event.pk}/")
    # The public form names no member organisation (registering as one takes the portal): a visitor
    # writes theirs, and no member's name, listed or not, is shown.
    assert page.get_by_label("Organisation membre").count() == 0
    assert "Coop discrète" not in page.locator("main").inner_text()
    notice = page.locator(".privacy-notice")
    assert "effacés 30\u00a0jours après l’activité" in notice.inner_text()
    consent = page.get_by_label("J’accepte de recevoir l’infolettre du réseau", exact=False)
    assert not consent.is_checked()
    page.get_by_label("Prénom et nom").fill("Marie Tremblay")
    page.get_by_label("Courriel").fill("marie@exemple.org")
    page.get_by_label("Organisation", exact=True).fill("Voisins solidaires")
    page.get_by_label("Besoins alimentaires ou d’accessibilité", exact=False).fill("Végétarienne")
    screenshot(page, f"inscription-{viewport['width']}")
    assert sideways_overflow(page) == 0
    consent.check()
    page.get_by_role("button", name="S’inscrire").click()
    page.get_by_role("heading", name="Confirmez votre inscription").wait_for()
    # The consent waits for the address: nobody subscribes a stranger's address.
    assert not ConsentRecord.objects.exists()
    (request,) = mail.outbox
    page.goto(re.search(r"http://\S+/activites/confirmation/\S+/", request.body)[0])
    page.get_by_role("button", name="Confirmer mon inscription").click()
    page.get_by_role("heading", name="Vous êtes inscrit·e").wait_for()
    assert Registration.objects.get().needs == "Végétarienne"
    (record,) = ConsentRecord.objects.all()
    assert (record.email, record.purpose, record.given_how) == ("marie@exemple.org", "news", "registration")


def test_the_representative_gives_consents_and_downloads_their_own_data(new_page):
    member = MemberFactory(name="Coop Alpha", fiscal_years=[FiscalYear.current()])
    RepresentativeFactory(member=member, first_name="Annie", last_name="Alpha", email="annie@alpha.coop",
                          user__password=PASSWORD)
    page = new_page()
    log_in(page, "annie@alpha.coop")
    page.wait_for_url("**/membre/")
    page.get_by_role("link", name="Modifier le profil").click()
    directory = page.get_by_label("inscrit au répertoire public")
    news = page.get_by_label("J’accepte de recevoir l’infolettre du réseau", exact=False)
    assert not directory.is_checked() and not news.is_checked()
    directory.check()
    news.check()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/membre/")
    assert sorted(ConsentRecord.objects.values_list("purpose", "given_how")) == [("directory", "portal"), ("news", "portal")]

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["sections"]["contacts"][0]["organisation"] == "Coop Alpha"
    assert [c["purpose"] for c in data["sections"]["consents"]] == ["directory", "news"]


def test_accepting_an_invitation_with_the_news_consent(new_page):
    from members import invitations

    contact = ContactFactory(member=MemberFactory(name="Coop Gamma"), first_name="Gisèle", email="gisele@gamma.coop")
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitations.invite(contact, sent_by=None, base_url="http://testserver/")
    link = re.search(r"/invitation/\S+/", mail.outbox[-1].body)[0]
    page = new_page(PHONE)
    page.goto(link)
    assert "Votre adresse courriel est votre identifiant" in page.locator("main").inner_text()
    page.fill("#id_new_password1", PASSWORD)
    page.fill("#id_new_password2", PASSWORD)
    page.get_by_label("J’accepte de recevoir l’infolettre du réseau", exact=False).check()
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/membre/")
    (record,) = ConsentRecord.objects.all()
    assert (record.email, record.given_how) == ("gisele@gamma.coop", "invitation")


def test_the_dues_e_mail_s_unsubscribe_link_works_without_logging_in(new_page, settings, live_server):
    settings.POLE_SITE_URL = live_server.url
    DuesRate.objects.create(fiscal_year=FiscalYear(2017), category="regular", amount=Decimal("160.00"))
    member = MemberFactory(name="Coop A", fiscal_years=[FiscalYear(2016)])
    RepresentativeFactory(member=member, email="a@exemple.org")
    campaign = RenewalCampaign.objects.create(fiscal_year=FiscalYear(2017))
    with TestCase.captureOnCommitCallbacks(execute=True):
        open_campaign(campaign=campaign, opened_by=None, base_url=live_server.url)
    (invitation,) = mail.outbox
    assert "870, avenue de Salaberry, bureau 203" in invitation.body
    link = re.search(r"http://\S+/desabonnement/\S+/", invitation.body)[0]
    page = new_page(PHONE)
    page.goto(link)
    page.get_by_role("button", name="Ne plus recevoir").click()
    page.get_by_text("C’est fait").wait_for()
    assert Unsubscription.objects.get().email == "a@exemple.org"


def test_the_direction_finds_and_downloads_a_person_s_data(new_page):
    from activities.tests.factories import RegistrationFactory

    UserFactory(email="dg@exemple.org", password=PASSWORD, is_staff=True, groups=[DIRECTION])
    RegistrationFactory(activity=EventFactory(title="Forum régional"), name="Paul Passant", email="paul@ailleurs.org")
    page = new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", "dg@exemple.org")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.goto("/admin/pole/privacyrequest/personne/")
    page.get_by_label("Adresse courriel de la personne").fill("paul")
    page.get_by_role("button", name="Rechercher").click()
    assert "Forum régional" not in page.locator("#content").inner_text()
    page.get_by_label("Adresse courriel de la personne").fill("Paul@Ailleurs.org")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_text("Forum régional").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (HTML)").click()
    assert "Paul Passant" in Path(download.value.path()).read_text()
    assert PersonalDataAccess.objects.count() == 2


def test_the_direction_records_a_request_and_an_incident(new_page):
    from conftest import admin_log_in
    from pole.models import ConfidentialityIncident, PrivacyRequest

    UserFactory(email="dg@exemple.org", password=PASSWORD, is_staff=True, groups=[DIRECTION])
    page = new_page()
    admin_log_in(page, "dg@exemple.org", PASSWORD)

    page.goto("/admin/pole/privacyrequest/add/")
    page.select_option("#id_kind", "access")
    page.fill("#id_name", "Paul Passant")
    page.fill("#id_email", "paul@ailleurs.org")
    page.fill("#id_received_on", "2026-11-02")
    page.fill("#id_details", "Copie de tout ce que vous avez sur moi.")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/pole/privacyrequest/")
    request = PrivacyRequest.objects.get()
    assert request.due_on.isoformat() == "2026-12-02"

    page.goto("/admin/pole/confidentialityincident/add/")
    page.fill("#id_title", "Liste envoyée à la mauvaise adresse")
    page.fill("#id_information", "Noms et courriels de 12 personnes inscrites")
    page.fill("#id_circumstances", "Erreur de destinataire")
    page.fill("#id_occurred_on", "2026-11-05")
    page.fill("#id_known_on", "2026-11-04")
    page.locator("input[name=_save]").click()
    page.get_by_text("L’incident ne peut être connu avant d’être survenu.").wait_for()
    assert not ConfidentialityIncident.objects.exists()
    page.fill("#id_known_on", "2026-11-06")
    page.fill("#id_people_count", "12")
    page.select_option("#id_injury", "not_serious")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/pole/confidentialityincident/")
    incident = ConfidentialityIncident.objects.get()
    assert (incident.people_count, incident.recorded_by.email) == (12, "dg@exemple.org")
