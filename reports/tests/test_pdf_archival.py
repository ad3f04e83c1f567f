"""The archival PDF (PDF/A-3a, tagged) of the 2016-2017 report, read back with pikepdf.

The demo report is rendered once for the module, archival and plain, in French (in a
transaction rolled back at once); the tests read those two files. Each check walks the
PDF's own objects: the catalogue, the structure tree, the XMP packet, the fonts, the outline.
"""

import datetime
import io
import logging
import re

import pikepdf
import pytest
from django.utils import translation
from django.utils.html import escape

from activities.models import Activity
from activities.tests.factories import ActivityFactory, ObjectiveFactory
from demo import data as demo_data
from demo.loader import load_demo
from reports import pdf
from reports.pdf import render_report_html, render_report_pdf
from reports.report import build_report_context
from reports.typography import french_typography

# One render of the demo report serves the module (conftest.py's ``demo_report``); the
# modules sharing it run in one test process.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-report")]

TITLE = "Rapport annuel 2016-2017 — Pôle des entreprises d’économie sociale de la région de la Capitale-Nationale"
SECTION_HEADINGS = [
    "Mot des présidents",
    "Mot du directeur",
    "Portrait de nos membres",
    "Quelques faits saillants",
    "L’année en chiffres",
    "Conseil d’administration",
    "Permanence",
    "Merci à nos partenaires",
]


@pytest.fixture(scope="module")
def rendered(demo_report_with_portraits):
    """The demo report's archival and plain PDFs, its context, and WeasyPrint's warnings while rendering."""
    renders = demo_report_with_portraits
    return {
        "archival": renders["archival_pdf"],
        "plain": renders["pdf"],
        "context": renders["context"],
        "warnings": renders["archival_warnings"],
    }

@pytest.fixture(scope="module")
def archival(rendered):
    with pikepdf.open(io.BytesIO(rendered["archival"])) as document:
        yield document


@pytest.fixture(scope="module")
def plain(rendered):
    with pikepdf.open(io.BytesIO(rendered["plain"])) as document:
        yield document


def structure_elements(document):
    """Every structure element of the tag tree, depth first (marked-content ids are skipped)."""
    found = []

    def walk(node):
        if not isinstance(node, pikepdf.Dictionary):
            return
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            walk(kid)

    walk(document.Root.StructTreeRoot)
    return found


def figures(document):
    return [element for element in structure_elements(document) if element.S == "/Figure"]


def font_dictionaries(document):
    """Every font of the file, from its objects: pages, SVG forms and descendant fonts alike."""
    return [obj for obj in document.objects if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"]


def spaced(text):
    """Plain spaces for the non-breaking ones French numbers are written with."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def outline_titles(document):
    titles = []

    def walk(items):
        for item in items:
            titles.append(item.title)
            walk(item.children)

    with document.open_outline() as outline:
        walk(outline.root)
    return titles


# --- the archival PDF ------------------------------------------------------------------------


def test_archival_pdf_is_tagged(archival):
    assert isinstance(archival.Root.StructTreeRoot, pikepdf.Dictionary)
    assert archival.Root.StructTreeRoot.Type == "/StructTreeRoot"
    assert bool(archival.Root.MarkInfo.Marked) is True
    kinds = {str(element.S) for element in structure_elements(archival)}
    assert {"/Document", "/H1", "/H2", "/P", "/L", "/Table", "/Figure"} <= kinds, kinds
    # A reader's title bar shows the document's title, not its file name.
    assert bool(archival.Root.ViewerPreferences.DisplayDocTitle) is True


def test_archival_pdf_declares_pdf_a_3a_in_its_xmp_metadata(archival):
    meta = archival.open_metadata()
    assert meta["pdfaid:part"] == "3"
    assert meta["pdfaid:conformance"] == "A"
    # PDF/UA is not claimed: WeasyPrint 70 writes one variant, and a claim must come with a
    # validation (see the README, « Archival PDF »).
    assert "pdfuaid:part" not in meta
    assert archival.pdf_version == "1.7"


def test_archival_pdf_has_the_srgb_output_intent_and_an_identifier(archival):
    (intent,) = archival.Root.OutputIntents
    assert intent.S == "/GTS_PDFA1"
    assert isinstance(intent.DestOutputProfile, pikepdf.Stream)
    assert len(archival.trailer.ID) == 2


def test_archival_pdf_language_is_the_active_one_as_a_bcp47_tag(archival):
    assert str(archival.Root.Lang) == "fr-CA"


def test_archival_pdf_title_names_the_year_and_the_network(archival):
    assert str(archival.docinfo.Title) == TITLE
    assert archival.open_metadata()["dc:title"] == TITLE


def test_every_figure_has_alternative_text(archival, rendered):
    found = figures(archival)
    # One Figure per image and per SVG of the page: the covers' marks and art, the donut, its
    # swatches, the bars, the photos, the portraits, the logos (37 in the demo with portraits and logos).
    with translation.override("fr-ca"):
        html = render_report_html(rendered["context"], for_print=True, stylesheets_given=True)
    assert len(found) == html.count("<img ") + html.count("<svg ") == 37
    missing = [element.get("/Pg") for element in found if not str(element.get("/Alt", "")).strip()]
    assert not missing, f"{len(missing)} figures without /Alt"


def test_alternative_texts_name_people_partners_and_photos(archival, rendered):
    # The page is set in French typography (d’économie, 150\u00a0personnes), the data as staff typed it.
    alts = {str(element.Alt).replace("\u2019", "'").replace("\u00a0", " ") for element in figures(archival)}
    for name, _role in demo_data.BOARD:
        assert name in alts, name
    for name, _title in demo_data.STAFF:
        assert name in alts, name
    with_logo = [p["name"] for group in rendered["context"]["partner_groups"] for p in group["partners"] if p["logo"]]
    assert with_logo
    for name in with_logo:
        assert name in alts, name
    captions = [photo["caption"] for section in rendered["context"]["sections"] for photo in section.photos]
    assert captions
    for caption in captions:
        assert caption in alts, caption


def test_charts_are_described_in_words(archival, rendered):
    alts = [spaced(str(element.Alt)) for element in figures(archival)]
    year = rendered["context"]["figures"]
    # The donut: one text naming every legal form with its members, in the legend's order.
    forms = [f"{row.label} {row.members} (" for row in year.by_legal_form if row.members]
    assert len(forms) >= 3
    donut = [alt for alt in alts if all(form in alt for form in forms)]
    assert len(donut) == 1, alts
    positions = [donut[0].index(form) for form in forms]
    assert positions == sorted(positions)
    # Each bar: its objective and its participants.
    bars = [
        f"{row.objective.name} " + f"{row.participants:,}".replace(",", " ")
        for row in year.by_objective
        if row.activities
    ]
    assert bars
    for words in bars:
        assert words in alts, (words, alts)


def test_every_font_is_embedded(archival):
    fonts = font_dictionaries(archival)
    assert fonts
    for font in fonts:
        if font.Subtype == "/Type0":
            (descendant,) = font.DescendantFonts
            descriptor = descendant.FontDescriptor
        elif font.Subtype == "/Type3":
            continue  # glyphs drawn by the font's own procedures, in the file
        else:
            descriptor = font.FontDescriptor
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), font.get("/BaseFont")


def test_no_image_asks_for_interpolation(archival):
    images = [obj for obj in archival.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"]
    assert images
    assert all(not bool(image.get("/Interpolate", False)) for image in images)


def test_outline_holds_the_sections_headings(archival):
    titles = outline_titles(archival)
    assert titles[0] == "Rapport annuel 2016-2017"
    for heading in SECTION_HEADINGS:
        assert heading in titles, (heading, titles)
    for name, _block in demo_data.OBJECTIVES:
        assert name in titles, name


def test_archival_rendering_logs_no_weasyprint_warning(rendered):
    # WeasyPrint logs an error for an image without alt text and for a document without lang.
    assert not rendered["warnings"], [record.getMessage() for record in rendered["warnings"]]


def test_archival_pdf_prints_the_same_pages_as_the_plain_one(archival, plain):
    assert len(archival.pages) == len(plain.pages)
    assert [list(page.MediaBox) for page in archival.pages] == [list(page.MediaBox) for page in plain.pages]


# --- the plain PDF, for drafts ---------------------------------------------------------------


def test_plain_pdf_stays_an_untagged_draft(plain):
    assert "/StructTreeRoot" not in plain.Root
    assert "/MarkInfo" not in plain.Root
    assert "/OutputIntents" not in plain.Root
    assert "/Metadata" not in plain.Root  # no XMP packet, hence no PDF/A identification
    assert str(plain.docinfo.Title) == TITLE


# --- the HTML both are made from -------------------------------------------------------------


def test_every_image_and_chart_of_the_page_has_a_text(rendered):
    with translation.override("fr-ca"):
        html = render_report_html(rendered["context"], for_print=True, stylesheets_given=True)
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) >= 20
    for image in images:
        assert re.search(r'alt="[^"]+"', image), image
    svgs = re.findall(r"<svg [^>]*>\s*<title>([^<]*)</title>", html)
    assert len(svgs) == html.count("<svg ") >= 8
    assert all(title.strip() for title in svgs)
    context = rendered["context"]
    with translation.override("fr-ca"):
        donut, bars = (
            french_typography(context["legal_form_chart"]["alt"]),
            french_typography(context["objective_chart_alt"]),
        )
    assert f'role="img" aria-label="{escape(donut)}"' in html
    assert f'<table class="bars" aria-label="{escape(bars)}">' in html
    assert '<html lang="fr-CA">' in html


@pytest.mark.django_db
def test_archival_render_is_cached_under_its_own_key(monkeypatch):
    load_demo()
    calls = []
    real = pdf.html_to_pdf

    def counting(html, context, **kwargs):
        calls.append(kwargs.get("archival", False))
        return real(html, context, **kwargs)

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    plain = render_report_pdf("2016-2017")
    archival = render_report_pdf("2016-2017", archival=True)
    assert calls == [False, True]
    assert archival != plain
    with pikepdf.open(io.BytesIO(archival)) as document:
        assert "/StructTreeRoot" in document.Root
    assert render_report_pdf("2016-2017", archival=True) == archival
    assert render_report_pdf("2016-2017") == plain
    assert calls == [False, True]


def heading_levels(html):
    return [int(level) for level in re.findall(r"<h([1-6])[ >]", html.split('<main class="report">')[1])]


@pytest.mark.django_db
def test_headings_never_skip_a_level(rendered):
    """The demo's, and a year whose objective holds representations only (a level-2 list heading)."""
    with translation.override("fr-ca"):
        pages = [render_report_html(rendered["context"], for_print=True, stylesheets_given=True)]
        objective = ObjectiveFactory(name="Représenter les membres", order=99)
        ActivityFactory(start_date=datetime.date(2030, 5, 1), objectives=[objective], role=Activity.Role.REPRESENTATION)
        pages.append(render_report_html(build_report_context("2030-2031"), for_print=True, stylesheets_given=True))
    assert "Représentations" in pages[1]
    for html in pages:
        levels = heading_levels(html)
        jumps = [(before, after) for before, after in zip(levels, levels[1:], strict=False) if after > before + 1]
        assert levels[0] == 1 and jumps == [], levels


@pytest.mark.django_db
def test_a_year_with_nothing_recorded_renders_archival_without_warning(caplog):
    """An empty year (no members, activities, images): the archival PDF still renders, tagged."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    with translation.override("fr-ca"):
        data = render_report_pdf("2030-2031", archival=True, use_cache=False)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    with pikepdf.open(io.BytesIO(data)) as document:
        assert "/StructTreeRoot" in document.Root and str(document.Root.Lang) == "fr-CA"
