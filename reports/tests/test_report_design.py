"""The report as a designed document: full pages, a reading measure, covers, quiet fallbacks.

The demo PDF is rendered once for the module; its pages are measured as images
(reports/page_fill.py) and its text read with poppler.
"""

import io
import re
import statistics
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from PIL import Image

from demo import data as demo_data
from demo.loader import load_demo
from members.models import BoardMandate
from partners.models import Partnership
from pole.models import NetworkIdentity
from reports.models import AnnualReport
from reports.page_fill import MIN_REACH, format_table, measure_pdf
from reports.pdf import render_report_html, render_report_pdf
from reports.report import build_report_context
from reports.tests.test_pdf import normalise, pdftotext

# One render of the demo report serves the module (conftest.py's ``demo_report``); the
# modules sharing it run in one test process.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-report")]

# Words of a line of running text: a reader's comfortable measure.
MEASURE = (60, 75)


@pytest.fixture(scope="module")
def demo(demo_report):
    """The demo report's PDF path and print HTML, rendered in French once per process."""
    return {"pdf": demo_report["pdf_path"], "html": demo_report["print_html_styled"]}

@pytest.fixture(scope="module")
def pages(demo):
    measured = measure_pdf(demo["pdf"])
    # The figures, for whoever runs the suite with -s (and for the failure message).
    print("\n" + format_table(measured))
    return measured


def page_text(path, number):
    return pdftotext(path, "-f", str(number), "-l", str(number))


def test_no_page_is_more_than_half_empty_but_covers_and_chapter_ends(pages):
    heavy = [page.number for page in pages if not page.may_be_light and page.reach < MIN_REACH]
    assert not heavy, format_table(pages)
    # Nor nearly blank: a page of text inks well over 3 % of its text area (measured: 12–16 %).
    assert all(page.ink > 3 for page in pages), format_table(pages)
    # The objectives flow one after the other: the demo's five objectives take five pages or so,
    # not one page each with a blank half.
    assert len(pages) <= 12, format_table(pages)


def test_chapters_open_a_page_and_covers_frame_the_report(pages, demo):
    assert pages[0].is_cover and pages[-1].is_cover
    openings = [page.number for page in pages if page.opens_chapter and not page.is_cover]
    # Two messages, the objectives, governance.
    assert len(openings) == 4, format_table(pages)
    first_text = page_text(demo["pdf"], openings[2])
    assert "OBJECTIF STRATÉGIQUE 1" in first_text


def test_running_text_reads_at_a_measure_of_60_to_75_characters(demo):
    # The presidents' message, page 2: full lines only (not a paragraph's last, nor two lines
    # pdftotext glues at a hyphen).
    lines = [len(line) for line in page_text(demo["pdf"], 2).splitlines()]
    full = [length for length in lines if 50 <= length <= 100]
    assert len(full) >= 12
    assert MEASURE[0] <= statistics.median(full) <= MEASURE[1], full


def test_the_cover_names_the_network_the_year_and_the_tagline_without_hyphenation(demo):
    cover = page_text(demo["pdf"], 1)
    assert "RAPPORT ANNUEL" in cover and "2016-2017" in cover
    assert "Pôle des entreprises d’économie sociale" in normalise(cover)
    # Ragged-right, not hyphenated: each line of the tagline ends on a whole word.
    tagline = demo_data.TAGLINE.replace("'", "’")
    layout = pdftotext(demo["pdf"], "-layout", "-f", "1", "-l", "1")
    lines = [line.strip() for line in layout.splitlines() if line.strip()]
    tagline_lines = [line for line in lines if line and line in tagline]
    assert " ".join(tagline_lines) == tagline
    assert not any(line.endswith("-") for line in tagline_lines)
    # No running footer on the covers.
    assert "page 1 de" not in cover


def test_the_back_cover_gives_the_network_s_contact_details_and_thanks(demo, pages):
    back = normalise(page_text(demo["pdf"], len(pages)))
    for expected in ["Québec (Québec)", "418 555-0100", "info@exemple.org", "exemple.org", "remercie"]:
        assert expected in back, expected


def test_ordinals_are_superscript(demo):
    assert "45<sup>e</sup> anniversaire" in demo["html"]
    assert "45e anniversaire" not in demo["html"]


def test_people_and_partners_without_pictures_are_names_in_the_palette(demo):
    html = demo["html"]
    # The demo has no portraits nor logos: names only, no generated tiles of initials.
    assert 'class="people-list"' in html and 'class="name-grid"' in html
    assert 'class="monogram"' not in html and "no-logo" not in html


def test_partner_names_print_at_9_points_or_more(demo, pages):
    # pdftotext -bbox: each word's box; a 9 pt word's box is about 11 pt high (ascent + descent).
    bbox = pdftotext(demo["pdf"], "-bbox", "-f", str(len(pages) - 1), "-l", str(len(pages) - 1))
    heights = {}
    for y_min, y_max, word in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)</word>', bbox):
        heights.setdefault(word, []).append(float(y_max) - float(y_min))
    for name, _category in demo_data.PARTNERSHIPS_2016:
        word = max(name.replace("'", " ").split(), key=len)
        assert word in heights, name
        assert max(heights[word]) >= 11, (name, heights[word])


def _png(size, colour):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_photos_and_logos_print_when_there_are_some_with_a_quiet_monogram_for_the_rest(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    mandate = BoardMandate.objects.get(name=demo_data.BOARD[0][0])
    mandate.photo_consent = True  # a portrait prints only with the person's consent
    mandate.photo.save("portrait.png", ContentFile(_png((300, 300), "#336699")), save=True)
    # A second portrait without consent: a monogram prints instead.
    unconsented = BoardMandate.objects.get(name=demo_data.BOARD[1][0])
    unconsented.photo.save("portrait.png", ContentFile(_png((300, 300), "#336699")), save=True)
    partnership = Partnership.objects.select_related("organisation").first()
    partnership.organisation.logo.save("logo.png", ContentFile(_png((400, 200), "#993366")), save=True)
    with translation.override("fr-ca"):
        context = build_report_context("2016-2017")
        html = render_report_html(context, for_print=True)
    assert context["people_have_photos"]
    assert 'class="people-grid' in html and 'class="monogram"' in html
    assert html.count('class="monogram"') == len(demo_data.BOARD) + len(demo_data.STAFF) - 1
    group = next(g for g in context["partner_groups"] if g["category"] == partnership.category)
    assert group["has_logos"]
    assert 'class="logo-grid' in html


@pytest.mark.django_db
def test_a_cover_photo_replaces_the_shapes_with_its_credit(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    report = AnnualReport.objects.get(fiscal_year=2016)
    report.cover_photo.save("couverture.png", ContentFile(_png((1200, 700), "#2a6f80")), save=False)
    report.cover_photo_credit = "Studio Exemple"
    report.cover_photo_description = "Des membres réunis au Forum Intercoop"
    report.save()
    with translation.override("fr-ca"):
        html = render_report_html(build_report_context("2016-2017"), for_print=True)
        pdf = render_report_pdf("2016-2017", use_cache=False)
    assert 'class="cover-photo"' in html and 'class="cover-art"' not in html
    assert 'alt="Des membres réunis au Forum Intercoop"' in html
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    assert "Photo : Studio Exemple" in normalise(page_text(path, 1))


@pytest.mark.django_db
def test_the_network_s_colours_print_in_the_report_and_change_its_cached_pdf(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    with translation.override("fr-ca"):
        before_html = render_report_html(build_report_context("2016-2017"), for_print=True)
        before = render_report_pdf("2016-2017")
        identity = NetworkIdentity.objects.get()
        identity.primary_colour = "#6b2d5c"
        identity.full_clean()
        identity.save()
        after_html = render_report_html(build_report_context("2016-2017"), for_print=True)
        after = render_report_pdf("2016-2017")
    assert "--primary:#0f5c73" in before_html and "--primary:#6b2d5c" in after_html
    assert before != after
    # The cover's colour is the new one: the page's corner pixel, rendered.
    path = tmp_path / "after.pdf"
    path.write_bytes(after)
    png = subprocess.run(
        ["pdftoppm", "-r", "10", "-f", "1", "-l", "1", "-png", str(path)], capture_output=True, check=True
    ).stdout
    with Image.open(io.BytesIO(png)) as image:
        assert image.convert("RGB").getpixel((2, 2)) == (0x6B, 0x2D, 0x5C)
