"""The network's identity: one record the Direction edits, read everywhere through the cache."""

import io
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from demo.loader import load_demo
from members.invitations import invite
from members.tests.factories import ContactFactory
from pole.colours import contrast_ratio, readable_on_white
from pole.identity import from_address, get_identity, palette, stylesheet_version
from pole.models import NetworkIdentity

pytestmark = pytest.mark.django_db


def png_upload(name="logo.png", size=(200, 120), colour="#0f5c73"):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def identity(**fields):
    values = {"name": "Réseau d’essai", "short_name": "Essai", **fields}
    return NetworkIdentity(**values)


# --- the record -----------------------------------------------------------------------------


def test_before_any_record_the_names_come_from_the_settings(settings):
    settings.POLE_NETWORK_NAME = "Réseau des réglages"
    settings.POLE_NETWORK_SHORT_NAME = "Réglages"
    found = get_identity()
    assert (found.name, found.short_name, found.primary_colour) == ("Réseau des réglages", "Réglages", "#0f5c73")
    assert found.pk is None


def test_a_primary_colour_white_text_cannot_read_on_is_refused_in_french():
    with pytest.raises(ValidationError) as refused:
        identity(primary_colour="#7fc8d8").full_clean()
    message = refused.value.message_dict["primary_colour"][0]
    assert message.startswith("Un texte blanc sur #7fc8d8 a un contraste de 1,")
    assert "au moins 4,5:1" in message


def test_an_accent_that_would_barely_show_is_refused_and_a_malformed_colour_too():
    with pytest.raises(ValidationError) as refused:
        identity(accent_colour="#f4f4f4", primary_colour="teal").full_clean()
    errors = refused.value.message_dict
    assert "filets et barres se verraient à peine" in errors["accent_colour"][0]
    assert errors["primary_colour"] == ["Écrivez une couleur sous la forme # suivi de six chiffres hexadécimaux, p. ex. #0f5c73."]


def test_the_default_colours_pass_and_text_in_the_accent_hue_reads_as_aa():
    identity().full_clean()
    colours = palette(identity())
    assert contrast_ratio(colours["--primary"]) >= 4.5
    # The orange accent itself is 2.9:1 on white: small text takes the darker shade.
    assert contrast_ratio("#e5793a") < 4.5 <= contrast_ratio(colours["--accent-text"])
    assert readable_on_white("#0f5c73") == "#0f5c73"


def test_it_is_read_once_then_from_the_cache_and_saving_refreshes_it(django_assert_num_queries):
    record = identity()
    record.save()
    with django_assert_num_queries(1):
        assert get_identity().name == "Réseau d’essai"
    with django_assert_num_queries(0):
        assert get_identity().name == "Réseau d’essai"
    record.name = "Réseau renommé"
    record.save()
    assert get_identity().name == "Réseau renommé"


# --- where it shows -------------------------------------------------------------------------


def test_the_site_s_stylesheet_carries_the_colours(client):
    identity(primary_colour="#6b2d5c", accent_colour="#c2410c").save()
    response = client.get("/identite.css")
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert "--primary:#6b2d5c" in css and "--bs-primary:#6b2d5c" in css and "--accent:#c2410c" in css
    page = client.get(reverse("members:directory")).content.decode()
    assert f'href="/identite.css?v={stylesheet_version()}"' in page


def test_the_colours_stylesheet_has_a_new_address_for_every_change_of_colour(client):
    """Browsers keep the versioned stylesheet a year; a new colour is a new address on every page."""
    record = identity(primary_colour="#6b2d5c", accent_colour="#c2410c")
    record.save()
    first = re.search(r'href="(/identite\.css\?v=[0-9a-f]{12})"', client.get("/").content.decode()).group(1)
    response = client.get(first)
    assert "max-age=31536000" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
    record.primary_colour = "#16324a"
    record.save()
    home = client.get("/").content.decode()
    second = re.search(r'href="(/identite\.css\?v=[0-9a-f]{12})"', home).group(1)
    assert second != first and first not in home
    assert "--primary:#16324a" in client.get(second).content.decode()
    # The address of a version gone by answers the current colours, for a moment only.
    stale = client.get(first)
    assert "--primary:#16324a" in stale.content.decode() and "no-cache" in stale["Cache-Control"]
    assert "immutable" not in stale["Cache-Control"]


def test_the_favicon_is_the_logo_when_there_is_one(client):
    assert client.get("/favicon.ico").url.endswith(".ico")
    record = identity()
    record.logo = png_upload()
    record.save()
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response.url == record.logo.url
    assert f'<link rel="icon" href="{record.logo.url}">' in client.get("/").content.decode()


def test_invitations_come_from_the_network_and_are_signed_with_its_details(committed):
    identity(address="12, rue d’Essai\nQuébec (Québec)", phone="418 555-0199", website="https://essai.exemple").save()
    contact = ContactFactory(email="invitee@exemple.org")
    with committed():
        invite(contact, sent_by=None, base_url="https://pole.exemple")
    message = mail.outbox[-1]
    assert message.from_email == from_address() and message.from_email.startswith("Essai <")
    assert "Réseau d’essai" in message.body
    signature = "Réseau d’essai\n12, rue d’Essai\nQuébec (Québec)\n418 555-0199\nhttps://essai.exemple"
    # The signature, then the privacy page's address (Law 25), at the foot of every e-mail.
    assert message.body.rstrip().endswith(f"{signature}\n\nConfidentialité\u00a0: http://localhost:8000/confidentialite/")


# --- the home page --------------------------------------------------------------------------


def test_the_home_page_presents_the_network_its_latest_report_and_the_directory(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    page = client.get("/").content.decode().replace("\xa0", " ")
    assert "Pôle des entreprises d’économie sociale" in page or "Pôle des entreprises d&#x27;économie sociale" in page
    assert "Votre regroupement d" in page
    assert "Rapport annuel 2016-2017" in re.sub(r"<[^>]+>", "", page)
    for figure in ["62", "26", "1 650", "19"]:
        assert f"<dd>{figure}</dd>" in page, figure
    assert 'href="/rapports/2016-2017/"' in page and 'href="/rapports/2016-2017.pdf"' in page
    assert "organisations membres figurent au répertoire" in page
    assert "Prochaines activités" in page and "Atelier" in page  # the demo's upcoming events
    assert 'href="/connexion/"' in page or reverse("login") in page
    assert "info@exemple.org" in page


def test_the_home_page_without_any_published_report_says_so(client):
    page = client.get("/").content.decode()
    assert "Aucun rapport annuel n’a encore été publié." in page.replace("&#x27;", "'")


def test_the_home_page_runs_a_fixed_number_of_queries(client, settings, tmp_path, django_assert_max_num_queries):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    client.get("/")  # the identity and the session's first reads, cached
    with django_assert_max_num_queries(14):
        client.get("/")


# --- the admin ------------------------------------------------------------------------------


def test_the_record_is_added_once_and_never_deleted(direction_client):
    assert direction_client.get("/admin/pole/networkidentity/add/").status_code == 200
    record = identity()
    record.save()
    listing = direction_client.get("/admin/pole/networkidentity/").content.decode()
    assert f"/admin/pole/networkidentity/{record.pk}/change/" in listing
    assert "/admin/pole/networkidentity/add/" not in listing
    assert direction_client.get("/admin/pole/networkidentity/add/").status_code == 403
    assert direction_client.get(f"/admin/pole/networkidentity/{record.pk}/delete/").status_code == 403


def test_personnel_sees_the_identity_but_cannot_change_it(personnel_client):
    record = identity()
    record.save()
    url = f"/admin/pole/networkidentity/{record.pk}/change/"
    page = personnel_client.get(url)
    assert page.status_code == 200 and "Enregistrer" not in page.content.decode()
    personnel_client.post(url, {"name": "Pris", "short_name": "P", "primary_colour": "#000000", "accent_colour": "#c2410c"})
    record.refresh_from_db()
    assert record.name == "Réseau d’essai"
