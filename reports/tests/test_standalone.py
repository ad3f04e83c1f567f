"""The annual report as one self-contained HTML file: nothing fetched, the same bytes each time.

Most tests read the demo year's file, rendered once for the module (in a transaction rolled
back at once); the browser test opens it from disk in Chromium with every request refused.
"""

import base64
import datetime
import hashlib
import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import translation
from fontTools.ttLib import TTFont
from PIL import Image

from activities.tests.factories import ActivityFactory, ObjectiveFactory
from conftest import DESKTOP
from demo import data as demo_data
from demo.loader import load_demo
from members.tests.factories import BoardMandateFactory
from partners.tests.factories import PartnershipFactory
from pole.fiscal_years import FiscalYear
from reports.standalone import render_standalone_html, subset_font, woff2_available
from reports.tests.factories import give_portraits_and_logos

# One render of the demo report serves the module (conftest.py's ``demo_report``); the
# modules sharing it run in one test process.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-report")]

DATA_URL = re.compile(r"data:([\w/+.-]+);base64,([A-Za-z0-9+/=]+)")
# Every attribute by which an HTML page makes the browser fetch, or lead to, another address.
URL_ATTRIBUTES = {
    "action",
    "background",
    "cite",
    "data",
    "formaction",
    "href",
    "icon",
    "longdesc",
    "manifest",
    "ping",
    "poster",
    "src",
    "srcset",
    "xlink:href",
}
NEVER_IN_THE_FILE = {"base", "embed", "iframe", "object", "script"}


class PageParts(HTMLParser):
    """The parts of a page: its tags, the URLs they refer to, stylesheets, text, images and icons."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.urls, self.styles, self.text, self.images = [], [], [], [], []
        self._figures, self._in = [], None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        self.urls += [(tag, name, value) for name, value in attrs.items() if name in URL_ATTRIBUTES]
        if attrs.get("style"):
            self.styles.append(attrs["style"])
        if tag == "figure":
            self._figures.append(attrs.get("class", ""))
        if tag == "img":
            self.images.append((self._figures[-1] if self._figures else "", attrs.get("src", "")))
        if tag in ("style", "script", "title"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == "figure" and self._figures:
            self._figures.pop()
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.styles.append(data)
        elif self._in is None:
            self.text.append(data)


def outside_references(html):
    """Every reference of ``html`` that a browser would follow outside the file itself."""
    page = PageParts(html)
    found = [f"<{tag} {name}={value}>" for tag, name, value in page.urls if not value.startswith(("data:", "#"))]
    found += [f"<{tag}>" for tag, _attrs in page.tags if tag in NEVER_IN_THE_FILE]
    for css in page.styles:
        found += [f"url({url})" for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", css) if not url.startswith("data:")]
        found += re.findall(r"@import[^;]*", css)
    # The markup (everything but the text a reader sees), data: URLs left out, names no address.
    markup = DATA_URL.sub("", re.sub(r">[^<]*<", "><", html))
    found += re.findall(r"https?://[^\s\"'<>)]*|/static/[^\s\"'<>)]*|/media/[^\s\"'<>)]*", markup)
    return found


def decoded(data_url):
    mime_type, data = DATA_URL.fullmatch(data_url).groups()
    return mime_type, base64.b64decode(data)


@pytest.fixture(scope="module")
def demo_file(demo_report_with_portraits):
    """The demo year's standalone file in French, rendered twice, and the screen page beside it."""
    renders = demo_report_with_portraits
    return {"html": renders["standalone_html"], "again": renders["standalone_html_again"], "screen": renders["screen_html"]}

# --- nothing outside the file --------------------------------------------------------------


def test_file_refers_to_nothing_outside_itself(demo_file):
    html = demo_file["html"]
    assert outside_references(html) == []
    assert "/static/" not in html and "/media/" not in html
    assert 'class="toolbar"' not in html
    # The check sees what the app's own page refers to: its stylesheets, images and links.
    screen = outside_references(demo_file["screen"])
    assert any("/static/reports/report.css" in found for found in screen), screen
    assert any("/media/" in found for found in screen), screen


@pytest.mark.django_db
def test_a_year_with_nothing_recorded_gives_a_file_as_self_contained():
    """No member, activity or image: the file still holds its styles and fonts, and refers to nothing."""
    with translation.override("fr-ca"):
        html = render_standalone_html(FiscalYear(2030))
    assert outside_references(html) == []
    assert "/static/" not in html and "/media/" not in html
    assert "Rapport annuel" in html and "@font-face" in html


def test_file_names_an_empty_icon_so_no_browser_asks_for_favicon(demo_file):
    icons = [attrs for tag, attrs in PageParts(demo_file["html"]).tags if tag == "link" and "icon" in attrs["rel"]]
    assert [icon["href"] for icon in icons] == ["data:,"]


def test_same_data_gives_the_same_bytes(demo_file):
    assert demo_file["html"].encode("utf-8") == demo_file["again"].encode("utf-8")


# --- images ------------------------------------------------------------------------------


def test_every_image_is_inlined(demo_file):
    images = PageParts(demo_file["html"]).images
    assert len(images) == len(PageParts(demo_file["screen"]).images)
    assert len(images) >= len(demo_data.BOARD) + len(demo_data.STAFF)
    for _figure, src in images:
        mime_type, data = decoded(src)
        assert mime_type in ("image/jpeg", "image/png")
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == mime_type.split("/")[1].upper()


def test_images_are_no_larger_than_they_display(demo_file):
    sizes = {}
    for figure, src in PageParts(demo_file["html"]).images:
        with Image.open(io.BytesIO(decoded(src)[1])) as image:
            sizes.setdefault(figure, []).append(image.size)
    assert set(sizes) == {"photo", "person", "logo"}
    # Portraits: a 0.95 in disc, twice its CSS pixels (the demo's are 300 px square).
    assert set(sizes["person"]) == {(184, 184)}
    # Logos: inside 1.3 × 0.85 in at twice the CSS pixels (the demo's are 480 × 320).
    assert set(sizes["logo"]) == {(246, 164)}
    # Photos: at most 1200 px wide (the demo's 900 px photos stay as they are).
    assert all(width <= 1200 for width, _height in sizes["photo"])


def _jpeg(size, *, orientation=None, colour=(180, 40, 40)):
    image = Image.new("RGB", size, colour)
    image.paste((20, 20, 200), (0, 0, size[0] // 2, size[1] // 5))  # a mark in the top-left corner
    exif = Image.Exif()
    exif[0x010F] = "Appareil"  # Make
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _png(size, mode="RGBA"):
    image = Image.new(mode, size, (15, 92, 115, 0) if mode == "RGBA" else (15, 92, 115))
    image.paste((15, 92, 115, 255), (size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_large_images_are_downscaled_turned_upright_and_stripped_of_metadata():
    activity = ActivityFactory(start_date=datetime.date(2016, 5, 3), objectives=[ObjectiveFactory()])
    # A phone photo 3000 × 2000 as stored, shown turned a quarter (EXIF orientation 6): 2000 × 3000.
    activity.photo.save("grande.jpg", ContentFile(_jpeg((3000, 2000), orientation=6)), save=True)
    mandate = BoardMandateFactory(photo_consent=True)  # a portrait prints only with consent
    mandate.photo.save("portrait.jpg", ContentFile(_jpeg((1000, 1000))), save=True)
    partnership = PartnershipFactory(fiscal_year=FiscalYear(2016))
    partnership.organisation.logo.save("logo.png", ContentFile(_png((1000, 500))), save=True)

    with translation.override("fr-ca"):
        html = render_standalone_html(FiscalYear(2016))
    images = {figure: decoded(src) for figure, src in PageParts(html).images}

    mime_type, data = images["photo"]
    with Image.open(io.BytesIO(data)) as photo:
        assert (mime_type, photo.size) == ("image/jpeg", (1200, 1800))  # upright, 1200 px wide
        assert not photo.getexif()
        assert photo.convert("RGB").getpixel((1100, 100))[2] > 150  # the mark, now top-right
    mime_type, data = images["person"]
    with Image.open(io.BytesIO(data)) as portrait:
        assert (mime_type, portrait.size) == ("image/jpeg", (184, 184))
        assert not portrait.getexif()
    mime_type, data = images["logo"]
    with Image.open(io.BytesIO(data)) as logo:
        assert (mime_type, logo.size, logo.mode) == ("image/png", (250, 125), "RGBA")  # transparency kept
        assert logo.getpixel((0, 0))[3] == 0


# --- fonts -------------------------------------------------------------------------------


def _font_faces(html):
    css = "".join(PageParts(html).styles)
    return re.findall(r"@font-face\s*\{[^}]*\}", css)


def test_every_font_face_is_inlined_and_subset(demo_file):
    html = demo_file["html"]
    declared = Path(finders.find("reports/report.css")).read_text(encoding="utf-8").count("@font-face")
    faces = _font_faces(html)
    assert len(faces) == declared
    flavor = "woff2" if woff2_available() else "woff"
    text = "".join(PageParts(html).text)
    printed = {c for c in text + text.upper() if not c.isspace()}
    for face in faces:
        src = re.search(r"src:\s*url\(\"([^\"]+)\"\)\s*format\(\"(\w+)\"\)", face)
        mime_type, data = decoded(src.group(1))
        assert (mime_type, src.group(2)) == (f"font/{flavor}", flavor)
        font = TTFont(io.BytesIO(data))
        assert font.flavor == flavor
        family = font["name"].getDebugName(1)
        assert family.startswith(("Source Sans Pro", "Source Serif Pro")), family
        original = TTFont(_source_font(face))
        cmap, original_cmap = font.getBestCmap(), original.getBestCmap()
        assert {c for c in printed if ord(c) in original_cmap} <= {chr(code) for code in cmap}, family
        assert ord("¿") in original_cmap and ord("¿") not in cmap  # in the font, not on the page
        assert len(font.getGlyphOrder()) < len(original.getGlyphOrder()) / 3
        # The font's own date, not the time of the export: the file's bytes do not depend on the clock.
        assert font["head"].modified == original["head"].modified


def test_font_subsets_do_not_depend_on_the_process():
    """Hash seeds reorder sets between processes: the bytes of a subset font must not move."""
    font = finders.find("fonts/source-sans-pro/SourceSansPro-Bold.ttf")
    characters = "L’année en chiffres : 35 % « n.d. » ÉÀÇ→"
    script = (
        "import django, hashlib, sys; django.setup(); "
        "from reports.standalone import subset_font; "
        "print(hashlib.sha256(subset_font(sys.argv[1], sys.argv[2])[0]).hexdigest())"
    )
    digests = set()
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed, "DJANGO_SETTINGS_MODULE": "pole.settings"}
        run = subprocess.run(
            [sys.executable, "-c", script, font, characters],
            env=environment,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(run.stdout.strip())
    assert digests == {hashlib.sha256(subset_font(font, characters)[0]).hexdigest()}


def test_a_subset_is_made_once_and_again_only_for_other_characters_or_another_font(tmp_path, monkeypatch):
    """Exporting the same report again takes its subsets from memory; a font file replaced at
    the same path, or other characters, make a new one; the memory is bounded."""
    from reports import standalone

    standalone.clear_subset_cache()
    made = []
    real_subset = standalone._subset

    def counting_subset(data, characters, flavor):
        made.append(characters)
        return real_subset(data, characters, flavor)

    monkeypatch.setattr(standalone, "_subset", counting_subset)
    bold = Path(finders.find("fonts/source-sans-pro/SourceSansPro-Bold.ttf"))
    regular = Path(finders.find("fonts/source-sans-pro/SourceSansPro-Regular.ttf"))
    font = tmp_path / "police.ttf"
    font.write_bytes(bold.read_bytes())

    first = subset_font(font, "Bilan 2016")
    assert subset_font(font, "Bilan 2016") == first and made == ["Bilan 2016"]
    assert subset_font(str(bold), "Bilan 2016") == first and len(made) == 1  # the same font elsewhere
    assert subset_font(font, "Bilan 2017")[0] != first[0] and len(made) == 2
    font.write_bytes(regular.read_bytes())  # replaced in place: the file's bytes, not its name, count
    assert subset_font(font, "Bilan 2016")[0] != first[0] and len(made) == 3

    monkeypatch.setattr(standalone, "SUBSET_CACHE_SIZE", 2)
    subset_font(font, "abc")
    assert len(standalone._SUBSETS) == 2 and len(made) == 4
    assert subset_font(bold, "Bilan 2016") == first and len(made) == 5  # the oldest went first
    standalone.clear_subset_cache()
    assert subset_font(bold, "Bilan 2016") == first and len(made) == 6


def _source_font(face):
    """The font file a face of the app's report.css names (matched by weight and style)."""
    css = Path(finders.find("reports/report.css")).read_text(encoding="utf-8")
    source = re.compile(r"src\s*:\s*url\([^)]*\)[^;}]*;?")
    descriptors = source.sub("", face)
    for rule in re.findall(r"@font-face\s*\{[^}]*\}", css):
        if source.sub("", rule) == descriptors:
            return finders.find(re.search(r'url\("\.\./([^"]+)"\)', rule).group(1))
    raise AssertionError(f"No face of report.css matches {descriptors}")


# --- the export command ------------------------------------------------------------------


@pytest.mark.django_db
def test_export_html_writes_the_standalone_file(tmp_path):
    load_demo()
    output = tmp_path / "rapport.html"
    call_command("export_report", "2016-2017", "--format", "html", "--output", str(output), stdout=io.StringIO())
    with translation.override("fr-ca"):
        expected = render_standalone_html("2016-2017")
    assert output.read_bytes() == expected.encode("utf-8")
    assert outside_references(output.read_text(encoding="utf-8")) == []


# --- in a browser, from disk, with no network --------------------------------------------

FACES_IN_USE = [
    ("Source Sans", "400", "normal"),
    ("Source Sans", "600", "normal"),
    ("Source Sans", "700", "normal"),
    ("Source Sans", "900", "normal"),
    ("Source Serif", "400", "normal"),
    ("Source Serif", "400", "italic"),
]


@pytest.fixture
def demo_year_file(transactional_db, tmp_path):
    """The demo year's standalone file on disk, and the live page's address."""
    from django.apps import apps

    from members.roles import sync_role_groups

    sync_role_groups(apps)  # a transactional test empties the database, groups included
    load_demo()
    give_portraits_and_logos()
    with translation.override("fr-ca"):
        html = render_standalone_html("2016-2017")
    path = tmp_path / "rapport-annuel-2016-2017.html"
    path.write_bytes(html.encode("utf-8"))
    return path


def _open_offline(browser, url):
    """Open ``url`` in a page where any request but the file's own is refused; return (page, requests)."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-CA")
    context.set_default_timeout(15_000)
    requests = []

    def refuse_all_but_the_file(route):
        requests.append(route.request.url)
        if route.request.url == url:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", refuse_all_but_the_file)
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    page.evaluate("document.fonts.ready.then(() => true)")
    return page, requests


def _fonts_drawing_text(page):
    """For each element of the report with text of its own, the fonts Chromium drew it with."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    drawn = {}
    for node in session.send("DOM.querySelectorAll", {"nodeId": root, "selector": "main *"})["nodeIds"]:
        fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        if fonts:
            described = session.send("DOM.describeNode", {"nodeId": node})["node"]
            drawn[(node, described["localName"])] = fonts
    return drawn


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_file_opens_from_disk_with_every_image_and_font_and_no_request(browser, demo_year_file):
    url = demo_year_file.as_uri()
    page, requests = _open_offline(browser, url)
    try:
        assert set(requests) == {url}  # the document, and nothing else

        images = page.evaluate("[...document.images].map(i => [i.complete, i.naturalWidth])")
        assert len(images) >= len(demo_data.BOARD) + len(demo_data.STAFF)
        assert all(complete and width > 0 for complete, width in images), images

        faces = page.evaluate(
            "[...document.fonts].map(f => [f.family.replace(/\"/g, ''), f.weight, f.style, f.status])"
        )
        assert not [face for face in faces if face[3] == "error"], faces
        loaded = {tuple(face[:3]) for face in faces if face[3] == "loaded"}
        assert set(FACES_IN_USE) <= loaded, faces
        assert page.evaluate("document.fonts.check('16px \"Source Sans\"')")
        assert page.evaluate("document.fonts.check('italic 16px \"Source Serif\"')")

        # Every text, headings first, drawn with the report's faces: no fallback font, not even
        # for one character missing from a subset font.
        drawn = _fonts_drawing_text(page)
        headings = [key for key in drawn if key[1] in ("h1", "h2", "h3")]
        assert len(headings) >= len(demo_data.OBJECTIVES) * 2
        for (_node, tag), fonts in drawn.items():
            assert all(font["isCustomFont"] for font in fonts), (tag, fonts)
            assert all(font["postScriptName"].startswith(("SourceSansPro-", "SourceSerifPro-")) for font in fonts), (
                tag,
                fonts,
            )
        families = page.evaluate(
            "[...document.querySelectorAll('main h1, main h2, main h3, .kicker')]"
            ".map(h => getComputedStyle(h).fontFamily.split(',')[0].replace(/\"/g, '').trim())"
        )
        assert set(families) <= {"Source Sans", "Source Serif"}, families
    finally:
        page.context.close()


LAYOUT = """() => {
    const top = document.querySelector('main').getBoundingClientRect().top;
    return [...document.querySelectorAll('main, main *')].map(element => {
        const box = element.getBoundingClientRect();
        return [element.tagName, Math.round(box.left), Math.round(box.top - top), Math.round(box.width),
                Math.round(box.height)];
    });
}"""


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_file_lays_out_like_the_web_page(browser, new_page, demo_year_file):
    """Every element of the report in the same place and size as on the app's page (toolbar aside)."""
    from django.urls import reverse

    web = new_page()
    web.goto(reverse("reports:annual", args=["2016-2017"]))
    web.evaluate("document.fonts.ready.then(() => true)")
    web.evaluate("document.querySelector('.toolbar')?.remove()")
    page, _requests = _open_offline(browser, demo_year_file.as_uri())
    try:
        expected, found = web.evaluate(LAYOUT), page.evaluate(LAYOUT)
        assert len(found) == len(expected) > 300
        assert found == expected
    finally:
        page.context.close()
