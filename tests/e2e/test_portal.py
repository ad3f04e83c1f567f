"""The member portal as people use it, in a real headless Chromium.

The live server sees only committed data, so these tests use a transactional
database, emptied after each test; the role groups are created again before each.
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.core import mail
from PIL import Image

from conftest import DESKTOP, PHONE
from members.models import Contact, Invitation, Member
from members.roles import PERSONNEL
from members.tests.factories import ContactFactory, MemberFactory, UserFactory
from pole.fiscal_years import FiscalYear

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    from django.apps import apps

    from members.roles import sync_role_groups

    sync_role_groups(apps)


PASSWORD = "Une-phrase-de-passe-solide-2026"


def png_file(tmp_path, name="logo.png", size=(320, 160), color=(15, 92, 115)):
    path = tmp_path / name
    Image.new("RGB", size, color).save(path, "PNG")
    return path


def log_in(page, email, password=PASSWORD):
    page.goto("/connexion/")
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()


@pytest.fixture
def representative(db):
    """A representative of a listed member of the current fiscal year, with a colleague."""
    member = MemberFactory(
        name="Coopérative de solidarité Le Rucher",
        sector="Apiculture",
        directory_consent=True,
        fiscal_years=[FiscalYear.current()],
    )
    user = UserFactory(email="rucher@exemple.org", password=PASSWORD)
    contact = ContactFactory(member=member, first_name="Léa", last_name="Gagnon", email=user.email, user=user)
    ContactFactory(member=member, first_name="Paul", last_name="Roy", email="paul@exemple.org")
    return contact


def test_invitation_to_logo_in_the_directory(new_page, live_server, tmp_path):
    member = MemberFactory(
        name="Épicerie solidaire du Vieux-Port",
        sector="Alimentation",
        directory_consent=True,
        fiscal_years=[FiscalYear.current()],
    )
    invited = ContactFactory(member=member, first_name="Annie", last_name="Côté", email="annie@epicerie.org")
    UserFactory(email="personnel@exemple.org", password=PASSWORD, is_staff=True, groups=[PERSONNEL])

    # Staff invite the contact from the admin's contact list.
    staff = new_page()
    staff.goto("/admin/login/")
    staff.fill("#id_username", "personnel@exemple.org")
    staff.fill("#id_password", PASSWORD)
    staff.locator("input[type=submit]").click()
    staff.goto("/admin/members/contact/")
    staff.locator(f"input[name=_selected_action][value='{invited.pk}']").check()
    staff.select_option("select[name=action]", "send_invitation")
    staff.locator("button[name=index]").click()
    assert "1 invitation envoyée" in staff.locator("ul.messagelist").inner_text()
    assert staff.locator("td.field-portal_access").first.inner_text().startswith("Invité")

    # The e-mail holds a one-time link to choose a password.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["annie@epicerie.org"]
    link = re.search(r"https?://\S+/invitation/\S+/", message.body)[0]

    visitor = new_page()
    visitor.goto(link)
    visitor.fill("#id_new_password1", PASSWORD)
    visitor.fill("#id_new_password2", PASSWORD)
    visitor.get_by_role("button", name="Créer mon compte").click()
    visitor.wait_for_url("**/membre/")
    assert "Épicerie solidaire du Vieux-Port" in visitor.locator("h1").inner_text()

    # Log out, log in again with the new password.
    visitor.get_by_role("button", name="Déconnexion").click()
    log_in(visitor, "Annie@Epicerie.org")
    visitor.wait_for_url("**/membre/")

    # Edit the profile and upload a logo.
    visitor.get_by_role("link", name="Modifier le profil").click()
    visitor.get_by_label("Description").fill("Une épicerie où chacun paie selon ses moyens.")
    visitor.get_by_label("Site Web").fill("https://epicerie.exemple.org")
    visitor.set_input_files("input[name=logo]", png_file(tmp_path))
    visitor.get_by_role("button", name="Enregistrer").click()
    visitor.wait_for_url("**/membre/")
    assert "profil de votre organisation a été enregistré" in visitor.locator(".alert-success").inner_text()

    member.refresh_from_db()
    assert member.description == "Une épicerie où chacun paie selon ses moyens."
    assert re.fullmatch(r"members/logos/[0-9a-f]{32}\.png", member.logo.name)

    # The directory shows the organisation with its logo, loaded.
    visitor.goto("/membres/?q=epicerie")
    card = visitor.locator("article.member-card", has_text="Épicerie solidaire du Vieux-Port")
    assert card.count() == 1
    logo = card.locator("img")
    assert logo.get_attribute("src").endswith(member.logo.name)
    logo.scroll_into_view_if_needed()
    visitor.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=logo.element_handle())
    card.get_by_role("link").click()
    assert "Une épicerie où chacun paie selon ses moyens." in visitor.locator("article").inner_text()

    # The link was for one use only.
    visitor.goto(link)
    assert "ne fonctionne plus" in visitor.locator("h1").inner_text()
    assert Invitation.objects.get().accepted_at is not None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("logo.png", b"Ceci est un fichier texte, pas une image.\n"),
    ],
    ids=["svg", "text-named-png"],
)
def test_svg_and_fake_png_are_refused(new_page, representative, media_root, tmp_path, name, content):
    upload = tmp_path / name
    upload.write_bytes(content)
    page = new_page()
    log_in(page, "rucher@exemple.org")
    page.goto("/membre/profil/")
    page.get_by_label("Description").fill("Ce texte ne doit pas être enregistré.")
    page.set_input_files("input[name=logo]", upload)
    page.get_by_role("button", name="Enregistrer").click()

    error = page.locator("#id_logo ~ .invalid-feedback, .invalid-feedback", has_text="PNG")
    assert "n’est pas une image PNG, JPEG ou WebP" in error.first.inner_text()
    assert page.url.endswith("/membre/profil/")
    member = Member.objects.get(pk=representative.member_id)
    assert member.logo.name == ""
    assert member.description != "Ce texte ne doit pas être enregistré."
    stored = [p for p in Path(media_root).rglob("*") if p.is_file()] if Path(media_root).exists() else []
    assert stored == []


def test_representative_cannot_reach_another_organisations_contacts(new_page, representative):
    other = MemberFactory(name="Mutuelle des Laurentides")
    stranger = ContactFactory(member=other, first_name="Hugo", last_name="Bélanger", email="hugo@mutuelle.org")

    page = new_page()
    log_in(page, "rucher@exemple.org")
    page.goto("/membre/contacts/")
    names = page.locator("table.contacts-table tbody tr td:first-child").all_inner_texts()
    assert any("Léa Gagnon" in n for n in names) and any("Paul Roy" in n for n in names)
    assert not any("Hugo" in n for n in names)

    for url in (f"/membre/contacts/{stranger.pk}/", f"/membre/contacts/{stranger.pk}/supprimer/"):
        response = page.goto(url)
        assert response.status == 404, url

    # A forged POST from the representative's session changes nothing either.
    response = page.request.post(
        f"/membre/contacts/{stranger.pk}/",
        form={"first_name": "Pirate", "last_name": "X"},
        headers={"X-CSRFToken": next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")},
    )
    assert response.status in (403, 404)
    stranger.refresh_from_db()
    assert stranger.first_name == "Hugo"
    assert Contact.objects.filter(pk=stranger.pk).exists()


def test_demo_account_logs_in_and_edits(new_page):
    from demo.loader import load_demo

    load_demo(password=PASSWORD)
    page = new_page()
    log_in(page, "membre@exemple.org")
    page.wait_for_url("**/membre/")
    assert "Coopérative funéraire des Deux Rives" in page.locator("h1").inner_text()

    page.get_by_role("link", name="Modifier le profil").click()
    page.get_by_label("Téléphone").fill("418 555-0199")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/membre/")
    member = Member.objects.get(name="Coopérative funéraire des Deux Rives")
    assert member.phone == "418 555-0199"
    assert "418 555-0199" in page.locator("main").inner_text()
    record = member.history.first()
    assert record.history_user.email == "membre@exemple.org"
    assert record.history_change_reason == "Portail membre"


PORTAL_PAGES = ["/membre/", "/membre/profil/", "/membre/contacts/", "/membre/contacts/ajouter/", "/membres/"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_portal_pages_fit_the_screen(new_page, representative, viewport, tmp_path):
    """Screenshots of the portal at desktop and phone widths; nothing overflows sideways.

    Set POLE_SCREENSHOTS to a folder to keep the pictures.
    """
    folder = Path(os.environ.get("POLE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page = new_page(viewport)
    log_in(page, "rucher@exemple.org")
    page.wait_for_url("**/membre/")
    width = "desktop" if viewport == DESKTOP else "phone"
    for url in PORTAL_PAGES:
        response = page.goto(url)
        assert response.status == 200, url
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{url} overflows by {overflow}px at {viewport['width']}px"
        path = folder / f"{width}{url.replace('/', '_').rstrip('_')}.png"
        page.screenshot(path=path, full_page=True)
        with Image.open(io.BytesIO(path.read_bytes())) as shot:
            assert shot.width == viewport["width"]


def test_profile_phone_is_normalised_a_bad_one_refused_and_the_logo_shown_as_a_picture(
    new_page, representative, tmp_path
):
    page = new_page()
    log_in(page, "rucher@exemple.org")
    page.goto("/membre/profil/")
    page.get_by_label("Téléphone").fill("(418) 555.0134 poste 12")
    page.set_input_files("input[name=logo]", png_file(tmp_path))
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/membre/")
    member = Member.objects.get(pk=representative.member_id)
    assert member.phone == "418 555-0134, poste 12"

    # The current logo is a thumbnail, not the stored file's path.
    page.goto("/membre/profil/")
    thumbnail = page.locator(".current-file img.file-thumbnail")
    assert thumbnail.get_attribute("src").endswith(member.logo.name)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    assert member.logo.name not in page.locator("form.panel").inner_text()

    # A number that is no phone number is refused in French, and nothing changes.
    page.get_by_label("Téléphone").fill("555-01")
    page.get_by_label("Description").fill("Ne doit pas être enregistré.")
    page.get_by_role("button", name="Enregistrer").click()
    assert "n’est pas un numéro de téléphone comme 418 555-0134" in page.locator(".invalid-feedback").first.inner_text()
    member.refresh_from_db()
    assert member.phone == "418 555-0134, poste 12"
    assert member.description != "Ne doit pas être enregistré."


def test_a_contact_added_in_the_portal_has_its_phone_normalised(new_page, representative):
    page = new_page()
    log_in(page, "rucher@exemple.org")
    page.goto("/membre/contacts/ajouter/")
    page.get_by_label("Prénom").fill("Rose")
    page.get_by_label("Nom de famille").fill("Lavoie")
    page.get_by_label("Fonction").fill("Trésorière")
    page.get_by_label("Téléphone").fill("1-418-555-0177")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/membre/contacts/")
    contact = Contact.objects.get(last_name="Lavoie")
    assert (contact.role, contact.phone) == ("Trésorière", "418 555-0177")
    row = page.locator("table.contacts-table tbody tr", has_text="Rose Lavoie")
    assert "418 555-0177" in row.inner_text() and "Trésorière" in row.inner_text()
    assert "Fonction" in page.locator("table.contacts-table thead").inner_text()


def test_the_representative_picks_the_sector_from_the_managed_list(new_page, representative):
    from members.models import Sector

    Sector.objects.create(name="Économie circulaire")
    page = new_page()
    log_in(page, "rucher@exemple.org")
    page.goto("/membre/profil/")
    sector = page.get_by_label("Secteur")
    assert sector.evaluate("element => element.tagName") == "SELECT"
    assert "Économie circulaire" in sector.locator("option").all_inner_texts()
    sector.select_option(label="Économie circulaire")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/membre/")
    member = Member.objects.get(pk=representative.member_id)
    assert member.sector.name == "Économie circulaire"
