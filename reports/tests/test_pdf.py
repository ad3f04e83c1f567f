"""The PDF of the 2016-2017 report: its text, metadata, outline and fonts; the export command.

The report prints French typography (’, no-break spaces; reports.typography): the demo's
texts, typed with straight apostrophes, are compared here through ``french``.

Rendering takes a few seconds, so the demo report is rendered once for the module
(in a transaction rolled back at once) and most tests read that one PDF.
"""

import datetime
import io
import logging
import re
import subprocess
import zlib

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from demo import data as demo_data
from demo.loader import load_demo
from reports.pdf import render_report_pdf

# One render of the demo report serves the module (conftest.py's ``demo_report``); the
# modules sharing it run in one test process.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-report")]

TITLE = "Rapport annuel 2016-2017 — Pôle des entreprises d’économie sociale de la région de la Capitale-Nationale"
AUTHOR = "Pôle des entreprises d’économie sociale de la région de la Capitale-Nationale"
SECTION_TITLES = [
    "Mot des présidents",
    "Mot du directeur",
    "Portrait de nos membres",
    "Quelques faits saillants",
    "Merci à nos partenaires",
    "Conseil d’administration",
    "Permanence",
]
TILE_LABELS = [
    "ans d’âge moyen",
    "en milieu rural",
    "regroupements d’entreprises",
    "d’entreprises associatives",
    "réseaux sociaux",
    "entreprises rejointes",
    "croissance du membership",
]
MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()


# --- helpers -------------------------------------------------------------------------------


def normalise(text):
    """Plain spaces for non-breaking ones, lines joined, runs of whitespace collapsed."""
    text = text.replace("\xa0", " ").replace("\u202f", " ")
    text = re.sub(r"[\u2010-](\s*\n\s*)(?=\w)", lambda m: "-" if m.group(0)[0] == "-" else "", text)
    return " ".join(text.split())


def printed(phrase, text):
    """Whether ``phrase`` is in ``text``, allowing for pdftotext's dehyphenation.

    Without -layout, pdftotext joins a line ending in a hyphen to the next one and
    drops the hyphen: « Côte-de-Beaupré » broken after « Côte-de- » reads « Côte-deBeaupré ».
    """
    pattern = r"\s?".join(re.escape(word) for word in phrase.split())
    pattern = pattern.replace(r"\-", "-?")
    return re.search(pattern, text) is not None


def french(text):
    """A text of the demo as the report prints it: with typographic apostrophes."""
    return text.replace("'", "’")


def whole_words(phrase, text):
    """Whether ``phrase`` is in ``text`` word for word, not glued to a neighbouring word."""
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def pdftotext(path, *args):
    result = subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def pdfinfo(path):
    output = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode("utf-8")
    return dict(line.split(":", 1) for line in output.splitlines() if ":" in line)


def pdffonts(path):
    output = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode("utf-8")
    rows = output.splitlines()[2:]
    # name, type (one or more words), encoding, emb, sub, uni, object id: read from the right.
    fonts = []
    for row in rows:
        parts = row.split()
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts


def _pdf_string(token):
    if token.startswith(b"<"):
        raw = bytes.fromhex(token[1:-1].decode())
        if raw[:2] == b"\xfe\xff":
            return raw[2:].decode("utf-16-be")
        return raw.decode("latin-1")
    body = token[1:-1]
    body = re.sub(rb"\\([()\\])", rb"\1", body)
    return body.decode("latin-1")


def outline_titles(pdf):
    """The /Title strings of the PDF's objects, compressed object streams included."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", match.end())
        try:
            chunks.append(zlib.decompress(pdf[match.end() : end]))
        except zlib.error:
            continue
    blob = b"\n".join(chunks)
    tokens = re.findall(rb"/Title\s*(<[0-9a-fA-F\s]*>|\((?:\\.|[^\\)])*\))", blob)
    return blob, [_pdf_string(token) for token in tokens]


def french_period(start, end=None):
    """The printed date of an activity, written independently of pole.formatting."""

    def day(d):
        return "1er" if d.day == 1 else str(d.day)

    start = datetime.date.fromisoformat(start)
    if not end:
        return f"{day(start)} {MONTHS[start.month - 1]} {start.year}"
    end = datetime.date.fromisoformat(end)
    assert (start.year, start.month) == (end.year, end.month)
    return f"{day(start)}-{end.day} {MONTHS[end.month - 1]} {end.year}"


def printed_outcome(row):
    measures = [f"{value} {label}" for label, value in row.get("measures", [])]
    if row["participants"] is None:
        return ", ".join(measures)
    text = f"{row['participants']} {row.get('label') or 'participants'}"
    return f"{text}, dont {', '.join(measures)}" if measures else text


# --- the demo PDF, rendered once ---------------------------------------------------------


@pytest.fixture(scope="module")
def demo_pdf(demo_report):
    """Path of the demo report's PDF (with the demo's images), rendered in French once per process."""
    return demo_report["pdf_path"]

@pytest.fixture(scope="module")
def text(demo_pdf):
    return normalise(pdftotext(demo_pdf))


def test_every_activity_is_printed_with_its_date_and_outcome(text):
    for row in demo_data.ACTIVITIES:
        line = f"{french_period(row['date'], row.get('end'))} : {french(row['title'])}"
        assert line in text, line
        after = text[text.index(line) + len(line) :][:200]
        assert after.startswith(f" → {french(printed_outcome(row))}"), (line, after)


def test_printed_outcomes_as_in_the_report(text):
    assert "13 avril 2016 : Formation en comptabilité dans Portneuf → 5 participants" in text
    assert (
        "5 avril 2016 : Rencontre-conférence pour les acheteurs institutionnels "
        "→ 35 participants, dont 23 acheteurs institutionnels"
    ) in text
    assert "7-17 novembre 2016 : Série d’entrevues à CKIA → 7 entreprises participantes" in text
    assert "15 février 2017 : Forum Intercoop → 175 participants" in text


def test_people_committees_affiliations_and_partners_are_printed(text):
    for name, _role in demo_data.BOARD:
        assert printed(french(name), text), name
    for name, title in demo_data.STAFF:
        assert printed(french(name), text) and printed(french(title), text), name
    for name, _host in demo_data.COMMITTEES_2016:
        assert printed(french(name), text), name
    for name in demo_data.AFFILIATIONS_2016:
        assert printed(french(name), text), name
    for name, _category in demo_data.PARTNERSHIPS_2016:
        assert printed(french(name), text), name
    for role in ["vice-présidente", "trésorière", "administratrice", "coprésident"]:
        assert printed(role, text), role


def test_section_titles_and_tiles_are_printed(text):
    for title in SECTION_TITLES:
        assert whole_words(title, text) or whole_words(title.upper(), text), title
    for label in TILE_LABELS:
        assert label in text, label
    # Declared figures print in place of the computed ones.
    assert "1 650" in text
    assert "26 activités" in text  # tile: value then label
    for value in ["37 %", "35 %", "15 %", "60 %"]:
        assert value in text, value


def test_cover_and_footer(demo_pdf, text):
    cover = normalise(pdftotext(demo_pdf, "-f", "1", "-l", "1"))
    assert "Rapport annuel" in cover or "RAPPORT ANNUEL" in cover
    assert "2016-2017" in cover
    assert "Votre regroupement d’affaires des coopératives" in cover
    assert "page 1" not in cover  # the cover has no footer
    pages = int(pdfinfo(demo_pdf)["Pages"])
    assert "page 2 de" in text
    # The back cover has no footer either; the page before it carries the last number.
    assert f"page {pages - 1} de {pages}" in text
    assert "page" not in normalise(pdftotext(demo_pdf, "-f", str(pages), "-l", str(pages))).lower().split()
    second = normalise(pdftotext(demo_pdf, "-f", "2", "-l", "2"))
    assert f"page 2 de {pages}" in second
    assert "Rapport annuel 2016-2017" in second


def test_metadata_and_page_size(demo_pdf):
    info = {key: value.strip() for key, value in pdfinfo(demo_pdf).items()}
    assert info["Title"] == TITLE
    assert info["Author"] == AUTHOR
    assert info["Page size"].startswith("612 x 792 pts")
    assert int(info["Pages"]) >= 8


def test_outline(demo_pdf):
    blob, titles = outline_titles(demo_pdf.read_bytes())
    assert b"/Outlines" in blob
    for title in SECTION_TITLES:
        assert title in titles, (title, titles)
    for name, _block in demo_data.OBJECTIVES:
        assert french(name) in titles, name


def test_cover_bookmark_reads_as_a_title(demo_pdf):
    _blob, titles = outline_titles(demo_pdf.read_bytes())
    assert "Rapport annuel 2016-2017" in titles, titles


def test_fonts_are_source_fonts_all_embedded(demo_pdf):
    fonts = pdffonts(demo_pdf)
    names = [font["name"].split("+")[-1] for font in fonts]
    assert any(name.startswith("Source-Sans") for name in names), names
    assert all(font["emb"] == "yes" for font in fonts), fonts
    assert not [name for name in names if "DejaVu" in name], names
    assert all(name.startswith(("Source-Sans", "Source-Serif")) for name in names), names


DEMO_CAPTIONS = [row["caption"] for row in demo_data.ACTIVITIES if row.get("caption")] + [
    caption for _title, _body, caption in demo_data.SECTION_INTROS.values() if caption
]


def test_the_report_never_invents_a_picture_nor_captions_a_missing_one(demo_pdf, text, demo_report):
    """The demo has no photo of its events: the report prints no image, and none of the
    captions that would describe one (« … a réuni plus de 150 personnes »)."""
    output = subprocess.run(["pdfimages", "-list", str(demo_pdf)], capture_output=True, check=True).stdout
    assert len(output.decode().splitlines()) == 2  # the header of the list, and no image
    assert DEMO_CAPTIONS
    screen = normalise(re.sub(r"<[^>]+>", " ", demo_report["screen_html"]))
    for caption in DEMO_CAPTIONS:
        start = normalise(french(caption))[:50]
        assert start not in text and start not in screen, caption


def test_a_real_photo_is_printed_with_its_caption(demo_report_with_portraits):
    path = demo_report_with_portraits["folder"] / "avec-photos.pdf"
    path.write_bytes(demo_report_with_portraits["pdf"])
    output = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True).stdout
    assert len(output.decode().splitlines()) > 2 + len(DEMO_CAPTIONS)  # photos, portraits and logos
    printed_text = normalise(pdftotext(path))
    for caption in DEMO_CAPTIONS:
        assert printed(normalise(french(caption))[:50], printed_text), caption


# --- text a reader can copy, in French typography ------------------------------------------


def test_headings_and_kickers_extract_as_whole_words(text):
    # Capitals with letter-spacing over about 0.1em extract letter by letter (« M OT D E S … »).
    kickers = ["RAPPORT ANNUEL", "MOT DES PRÉSIDENTS", "MOT DU DIRECTEUR", "PARTENAIRE OFFICIEL"]
    kickers += [f"OBJECTIF STRATÉGIQUE {number}" for number in range(1, len(demo_data.OBJECTIVES) + 1)]
    headings = [french(name) for name, _block in demo_data.OBJECTIVES]
    headings += [french(demo_data.PRESIDENTS_MESSAGE["title"]), french(demo_data.DIRECTOR_MESSAGE["title"])]
    headings += [
        "Portrait de nos membres",
        "Quelques faits saillants",
        "L’année en chiffres",
        "Conseil d’administration",
    ]
    headings += ["Permanence", "Merci à nos partenaires", "Activités de l’année répondant à cet objectif"]
    for heading in kickers + headings:
        assert whole_words(heading, text), heading


def test_no_straight_apostrophe_in_french_words(demo_pdf):
    raw = pdftotext(demo_pdf)
    assert not re.findall(r"\w'\w", raw)
    for phrase in ["Conseil d’administration", "L’année en chiffres", "Pôle des entreprises d’économie sociale"]:
        assert printed(phrase, normalise(raw)), phrase


def test_no_break_spaces_are_printed_and_never_narrow_ones(demo_pdf):
    # pdftotext writes a no-break space as a plain one: the fonts' maps from glyphs to text
    # tell that one is printed. Source Serif Pro has no narrow no-break space (U+202F):
    # printing one would embed another font.
    blob, _titles = outline_titles(demo_pdf.read_bytes())
    maps = b"\n".join(re.findall(rb"begincmap.*?endcmap", blob, re.DOTALL))
    assert re.search(rb"<00[aA]0>", maps)
    assert not re.search(rb"<202[fF]>", maps)


@pytest.fixture(scope="module")
def print_html(demo_report):
    """The demo report's print HTML in French, the page WeasyPrint lays out."""
    return demo_report["print_html"]

def test_french_signs_are_tied_to_their_words_by_no_break_spaces(print_html):
    nbsp = "\u00a0"
    assert f"13{nbsp}avril 2016</span>{nbsp}: Formation en comptabilité dans Portneuf" in print_html
    assert f"35{nbsp}%" in print_html
    assert f"«{nbsp}L’économie sociale, j’achète!{nbsp}»" in print_html
    assert f"Membre des organisations suivantes{nbsp}:" in print_html
    assert f"qu’il ne détaille pas{nbsp}; le graphique" in print_html
    assert "\u202f" not in print_html
    assert not re.findall(r"\w(?:'|&#x27;)\w", print_html.split("<main", 1)[1])


# --- rendering raises no WeasyPrint warning ---------------------------------------------------


@pytest.mark.django_db
def test_rendering_logs_no_weasyprint_warning(settings, caplog):
    settings.DEBUG = True
    load_demo()
    caplog.set_level(logging.WARNING, logger="weasyprint")
    with translation.override("fr-ca"):
        pdf = render_report_pdf("2016-2017")
    assert pdf.startswith(b"%PDF")
    problems = [r for r in caplog.records if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING]
    assert not problems, [r.getMessage() for r in problems]


# --- export_report ---------------------------------------------------------------------


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    load_demo()


def test_export_pdf(demo, tmp_path):
    output = tmp_path / "r.pdf"
    stdout = io.StringIO()
    call_command("export_report", "2016-2017", "--format", "pdf", "--output", str(output), stdout=stdout)
    assert output.read_bytes().startswith(b"%PDF")
    assert str(output) in stdout.getvalue()
    info = {key: value.strip() for key, value in pdfinfo(output).items()}
    assert info["Title"] == TITLE


def test_export_html_is_standalone(demo, tmp_path):
    output = tmp_path / "r.html"
    call_command("export_report", "2016-2017", "--format", "html", "--output", str(output), stdout=io.StringIO())
    html = output.read_text(encoding="utf-8")
    assert "Rapport annuel 2016-2017" in html
    assert "Formation en comptabilité dans Portneuf" in html
    assert "<style>" in html
    assert 'rel="stylesheet"' not in html  # stylesheets are inlined
    assert 'class="toolbar"' not in html


def test_export_default_output_name(demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("export_report", "2016-2017", "--format", "html", stdout=io.StringIO())
    assert (tmp_path / "rapport-annuel-2016-2017.html").is_file()


def test_export_year_without_data_is_an_error(demo, tmp_path):
    output = tmp_path / "r.pdf"
    with pytest.raises(CommandError):
        call_command("export_report", "2030-2031", "--format", "pdf", "--output", str(output))
    assert not output.exists()


def test_export_invalid_year_is_an_error(demo, tmp_path):
    with pytest.raises(CommandError):
        call_command("export_report", "2016-2018", "--output", str(tmp_path / "r.pdf"))
    with pytest.raises(CommandError):
        call_command("export_report", "2016-2017", "--format", "docx", "--output", str(tmp_path / "r.docx"))


def test_a_list_running_onto_the_next_page_says_suite_there(demo_pdf):
    """Page by page: where a list of activities goes on from the page before, the page's head
    says « … (suite) »; a page where the list starts under its own heading says nothing."""
    pages = pdftotext(demo_pdf).split("\f")
    continued = [index for index, page in enumerate(pages) if "Activités de l’année répondant à cet objectif (suite)" in page]
    assert continued  # the demo's lists of objective 4 run onto a second page
    for index in continued:
        head = normalise(pages[index])[:200]
        assert head.startswith("Activités de l’année répondant à cet objectif (suite)"), head
        previous = normalise(pages[index - 1])
        assert "Activités de l’année répondant à cet objectif" in previous  # the list began there
    for index, page in enumerate(pages):
        if index not in continued:
            assert "(suite)" not in page, index


def test_the_charts_say_what_they_count_and_which_objective_has_no_bar(text):
    assert "62 membres" in text  # the donut's number and its word
    assert (
        "Les objectifs 1 (Consolidation du Pôle) et 5 (Concertation et collaboration) ne figurent pas au "
        "graphique : aucune activité de l’année n’y est consignée."
    ) in text
