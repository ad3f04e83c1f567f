"""The network's identity and a report's cover photo, filled in a real headless Chromium; the home page on a phone."""

import io
import re

import pytest
from PIL import Image

from conftest import DESKTOP, PHONE, admin_log_in
from pole.models import NetworkIdentity
from reports.models import AnnualReport

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def png_file(tmp_path, name, size, colour):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def scrolls_sideways(page):
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def test_the_direction_edits_the_identity_and_the_site_and_report_follow(e2e_demo, new_page, tmp_path):
    page = new_page(DESKTOP)
    admin_log_in(page, "direction@exemple.org")
    page.goto("/admin/pole/networkidentity/")
    page.get_by_role("link", name="Pôle des entreprises").first.click()
    page.wait_for_url("**/change/")

    # A primary colour white text cannot read on: refused, in French, nothing saved.
    page.get_by_label("Couleur principale").fill("#9fd3e0")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    error = page.locator(".errorlist").first.inner_text()
    assert "Un texte blanc sur #9fd3e0 a un contraste de" in error
    assert NetworkIdentity.objects.get().primary_colour == "#0f5c73"

    page.get_by_label("Nom court").fill("Pôle CN")
    page.get_by_label("Couleur principale").fill("#6b2d5c")
    page.get_by_label("Logo").set_input_files(png_file(tmp_path, "marque.png", (240, 240), "#6b2d5c"))
    page.locator("#id_phone").fill("(418) 555 0177 poste 3")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.locator(".messagelist .success").wait_for()
    identity = NetworkIdentity.objects.get()
    assert (identity.short_name, identity.primary_colour, identity.phone) == ("Pôle CN", "#6b2d5c", "418 555-0177, poste 3")
    assert identity.logo

    # The home page: the new name, the logo, the colour.
    visitor = new_page(DESKTOP)
    visitor.goto("/")
    assert visitor.locator(".navbar-brand").inner_text().strip() == "Pôle CN"
    assert visitor.locator(".home-hero img").get_attribute("src") == identity.logo.url
    background = visitor.evaluate("getComputedStyle(document.querySelector('.home-hero')).backgroundColor")
    assert background == "rgb(107, 45, 92)"
    assert "418 555-0177, poste 3" in visitor.locator(".home-contact").inner_text()


def test_the_direction_gives_a_report_a_cover_photo(e2e_demo, new_page, tmp_path):
    page = new_page(DESKTOP)
    admin_log_in(page, "direction@exemple.org")
    report = AnnualReport.objects.get(fiscal_year=2016)
    page.goto(f"/admin/reports/annualreport/{report.pk}/change/")
    page.get_by_label(re.compile(r"^Photo de couverture")).set_input_files(
        png_file(tmp_path, "couverture.png", (1200, 700), "#2a6f80")
    )
    page.get_by_label("Crédit de la photo de couverture").fill("Studio Exemple")
    page.get_by_label("Description de la photo de couverture").fill("Des membres réunis au Forum Intercoop")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.locator(".messagelist .success").wait_for()
    report.refresh_from_db()
    assert report.cover_photo and report.cover_photo_credit == "Studio Exemple"

    page.goto("/rapports/2016-2017/")
    cover = page.locator(".cover-photo img")
    assert cover.get_attribute("alt") == "Des membres réunis au Forum Intercoop"
    assert "Photo : Studio Exemple" in page.locator(".cover-photo figcaption").inner_text().replace("\xa0", " ")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_home_page_presents_the_network_without_sideways_scroll(e2e_demo, new_page, viewport):
    page = new_page(viewport)
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Pôle des entreprises")
    assert page.get_by_role("link", name="Lire le rapport").is_visible()
    assert not scrolls_sideways(page)
    page.get_by_role("link", name="Parcourir le répertoire").click()
    page.wait_for_url("**/membres/**")
