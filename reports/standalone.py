"""The annual report as one self-contained HTML file, read from disk with no network.

The screen page without its toolbar, its stylesheets inline, and every image and font it
uses inlined as ``data:`` URLs: photos, portraits and logos brought down to the size they
display at, each font subset to the characters the page prints. Nothing in the file
points at the app: no /static/ or /media/ address, no link to another page, and an empty
icon so that no browser asks for /favicon.ico.

The output is deterministic: the same data and the same files on disk give the same bytes
(a published version's file is archived with its SHA-256, and digests are compared).
"""

import base64
import hashlib
import html as html_lib
import io
import mimetypes
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

from django.templatetags.static import static
from fontTools import subset
from fontTools.ttLib import TTFont

from pole.pdf import BASE_URL, SafeFetcher, file_bytes, fit_image
from reports.pdf import render_report_html
from reports.report import build_report_context

# The inline stylesheets of the standalone page are the files in static/reports/: their
# relative URLs (« ../fonts/… ») resolve against this address.
STYLESHEET_URL = "reports/report.css"

# Pixels an image needs, by the class of the <figure> holding it: its box on the screen
# page (report.css) at twice the CSS pixel size, for high-density screens. ``cover`` fills
# the box (the image is cropped, so its shorter side must cover the box), ``contain`` fits
# inside it. A photo spans the sheet's 7 in column (672 px): 1200 px is plenty.
IMAGE_BOXES = {
    "photo": ((1200, 346), "cover"),  # width 100 %, height 1.8 in, object-fit: cover
    "person": ((184, 184), "cover"),  # 0.95 in disc, object-fit: cover
    "logo": ((250, 164), "contain"),  # 1.3 in × 0.85 in, object-fit: contain
}
DEFAULT_BOX = ((1200, 1200), "contain")

# Characters a browser may draw besides the page's text: the hyphen of automatic
# hyphenation (report.css: hyphens: auto), list bullets and the usual spaces.
EXTRA_CHARACTERS = "-\u2010\u2022 \u00a0\u202f"

URL_ATTRIBUTE = re.compile(r"""(\s)((?:xlink:)?href|src|srcset|poster)=("[^"]*"|'[^']*')""")
TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b([^>]*)>")
STYLE_ELEMENT = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)
FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.IGNORECASE)
FONT_SRC = re.compile(r"src\s*:[^;}]*", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*("[^"]*"|'[^']*'|[^)\s]*)\s*\)""", re.IGNORECASE)
CSS_CONTENT = re.compile(r"""content\s*:\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""", re.IGNORECASE)


def render_standalone_html(fiscal_year, *, context=None):
    """Return the annual report of ``fiscal_year`` as one HTML file that needs nothing else.

    Renders in the active language. About 500 kB for the demo year. The first render of a page
    takes seconds, mostly subsetting the thirteen font faces of report.css for the characters
    of that page; the same characters later in the process take the subsets from memory.
    Raises ``ValueError`` for a reference that is neither one of the app's static files nor a
    media file: nothing may be left for the network.
    """
    context = context or build_report_context(fiscal_year)
    page = render_report_html(context, standalone=True)
    return inline_resources(page)


def inline_resources(page):
    """Inline every image, stylesheet resource and font that ``page`` refers to as data: URLs."""
    fetcher = SafeFetcher()
    reading = _PageReader()
    reading.feed(page)
    reading.close()
    characters = _characters(reading.text, page)
    page = STYLE_ELEMENT.sub(
        lambda m: m.group(1) + _inline_css(m.group(2), fetcher=fetcher, characters=characters) + m.group(3), page
    )
    page = TAG.sub(lambda m: _inline_tag(m, fetcher=fetcher, boxes=reading.boxes), page)
    if not reading.has_icon:
        # An empty icon: a browser opening the file asks for no /favicon.ico.
        page = re.sub(r"(<head\b[^>]*>)", r'\1\n  <link rel="icon" href="data:,">', page, count=1)
    return page


class _PageReader(HTMLParser):
    """Collect the page's visible text, the box of each image and whether an icon is named."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text = []
        self.boxes = {}
        self.has_icon = False
        self._figures = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("style", "script", "title"):
            self._hidden += 1
        elif tag == "figure":
            classes = (attrs.get("class") or "").split()
            self._figures.append(next((c for c in classes if c in IMAGE_BOXES), None))
        elif tag == "img" and attrs.get("src"):
            kind = next((kind for kind in reversed(self._figures) if kind), None)
            self.boxes.setdefault(attrs["src"], set()).add(kind)
        elif tag == "link" and "icon" in (attrs.get("rel") or "").lower().split():
            self.has_icon = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "figure":
            self._figures.pop()

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._hidden = max(0, self._hidden - 1)
        elif tag == "figure" and self._figures:
            self._figures.pop()

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def _characters(text, page):
    """Every character the page may draw: its text in any case (text-transform), CSS content."""
    text = "".join(text)
    for match in CSS_CONTENT.finditer("".join(m.group(2) for m in STYLE_ELEMENT.finditer(page))):
        text += match.group(1)[1:-1]
    characters = set(text) | set(text.upper()) | set(text.lower()) | set(EXTRA_CHARACTERS)
    return "".join(sorted(c for c in characters if c.isprintable() or c in EXTRA_CHARACTERS))


# --- stylesheets and fonts -----------------------------------------------------------------


def _unquote_css(token):
    token = token.strip()
    if token[:1] in "\"'":
        token = token[1:-1]
    return token


def _inline_css(css, *, fetcher, characters):
    """The stylesheet with its fonts subset and inlined, and any other url() as a data: URL."""
    base = urljoin(BASE_URL, static(STYLESHEET_URL))

    def font_face(match):
        rule = match.group(0)
        source = FONT_SRC.search(rule)
        if source is None:
            return rule
        for url in CSS_URL.finditer(source.group(0)):
            address = _unquote_css(url.group(1))
            if address.startswith("data:"):
                return rule
            path, _is_media = fetcher.resolve(urljoin(base, address))
            data, mime_type, font_format = subset_font(path, characters)
            replacement = f'src: url("{_data_url(data, mime_type)}") format("{font_format}")'
            return rule[: source.start()] + replacement + rule[source.end() :]
        return rule

    def other_url(match):
        address = _unquote_css(match.group(1))
        if address.startswith(("data:", "#")):
            return match.group(0)
        path, _is_media = fetcher.resolve(urljoin(base, address))
        data, mime_type = _image_bytes(path, DEFAULT_BOX) if _is_image(path) else file_bytes(path)
        return f'url("{_data_url(data, mime_type)}")'

    css = FONT_FACE.sub(font_face, css)
    # Font data URLs are left as they are; any other url() (a background image) is inlined.
    return CSS_URL.sub(other_url, css)


def woff2_available():
    """Whether fontTools can write WOFF2 (it needs the brotli module, which WeasyPrint installs)."""
    try:
        import brotli  # noqa: F401
    except ImportError:
        return False
    return True


# Subset fonts already made in this process, by (SHA-256 of the font file, characters, format):
# the same report exported again (a publication, the export command, a download of the file)
# subsets its thirteen faces once, not each time. Bounded: the oldest entry goes first.
_SUBSETS = {}
_SUBSETS_LOCK = threading.Lock()
SUBSET_CACHE_SIZE = 64


def subset_font(path, characters):
    """Return (bytes, MIME type, CSS format) of the font at ``path`` holding only ``characters``.

    WOFF2 when brotli is installed, else WOFF. The font keeps its own timestamp, so the same
    font and characters always give the same bytes; a subset made once in this process is
    given again from memory (``clear_subset_cache``).
    """
    flavor = "woff2" if woff2_available() else "woff"
    # A resolved file of the page (pole.pdf.StaticFile), or a path.
    data = path.read_bytes() if hasattr(path, "read_bytes") else Path(path).read_bytes()
    key = (hashlib.sha256(data).digest(), characters, flavor)
    with _SUBSETS_LOCK:
        subset_bytes = _SUBSETS.get(key)
    if subset_bytes is None:
        subset_bytes = _subset(data, characters, flavor)
        with _SUBSETS_LOCK:
            _SUBSETS[key] = subset_bytes
            while len(_SUBSETS) > SUBSET_CACHE_SIZE:
                del _SUBSETS[next(iter(_SUBSETS))]
    return subset_bytes, f"font/{flavor}", flavor


def clear_subset_cache():
    """Forget the subsets made so far: the next ones are made again from the font files."""
    with _SUBSETS_LOCK:
        _SUBSETS.clear()


def _subset(data, characters, flavor):
    options = subset.Options()
    options.flavor = flavor
    font = TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=False)
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    font.close()
    return buffer.getvalue()


# --- images and other files ----------------------------------------------------------------


def _inline_tag(match, *, fetcher, boxes):
    tag, attributes = match.group(1).lower(), match.group(2)

    def attribute(found):
        space, name, quoted = found.group(1), found.group(2).lower(), found.group(3)
        address = html_lib.unescape(quoted[1:-1])
        if address.startswith(("data:", "#")) or not address:
            return found.group(0)
        if tag == "a":
            # A link back to the app leads nowhere from a file: the text stays, the link goes.
            return ""
        if name == "srcset":
            raise ValueError(f"The report's images must not use srcset: {address}")
        path, _is_media = fetcher.resolve(urljoin(BASE_URL, address))
        if _is_image(path):
            data, mime_type = _image_bytes(path, _box(boxes.get(address, ())))
        else:
            data, mime_type = file_bytes(path)
        return f'{space}{name}="{_data_url(data, mime_type)}"'

    rewritten = URL_ATTRIBUTE.sub(attribute, attributes)
    return match.group(0) if rewritten == attributes else f"<{match.group(1)}{rewritten}>"


def _box(kinds):
    """The largest box among those an image is shown in."""
    found = [IMAGE_BOXES[kind] for kind in kinds if kind in IMAGE_BOXES] or [DEFAULT_BOX]
    return max(found, key=lambda box: box[0][0] * box[0][1])


def _is_image(path):
    return (mimetypes.guess_type(path.name)[0] or "").startswith("image/")


def _image_bytes(path, box):
    """The image at ``path`` at the size ``box`` needs: (bytes, MIME type), through ``pole.pdf.fit_image``."""
    size, fit = box
    return fit_image(path, size, cover=fit == "cover", photo=box == IMAGE_BOXES["photo"])


def _data_url(data, mime_type):
    return f"data:{mime_type};base64,{base64.b64encode(data).decode('ascii')}"
