"""Render the annual report to PDF with WeasyPrint.

The same template as the screen page, with the print stylesheet. Static files
(CSS, fonts) and media (logos, photos) are read from disk by a URL fetcher that
never touches the network; photos are downscaled to print size on the way.

What does not change between exports is prepared once per process (per thread)
and reused: the parsed stylesheets with their fonts, the photos at print size and
WeasyPrint's decoded images. The PDF of an unchanged report is served from
Django's cache, keyed by a hash of the print HTML (which holds every printed
datum) and of the files it refers to.

A chapter opens a page, unless it is short enough to end the page before it: a chapter that
would stand alone on a mostly empty page while the page before it has room for the whole of it
flows there instead (``chapters_to_flow``). Nor may a paragraph end more than two lines in a row
with a hyphen, which WeasyPrint cannot be told (``hyphen_ladders``). Both are decided on
WeasyPrint's own layout of the page, which is then laid out again; a year with little to say
(a year in progress) takes fewer, fuller pages, and a report breaking neither rule (the demo)
is laid out once, as before.

The archival render (``archival=True``) is PDF/A-3a: the same pages, tagged for
accessibility (structure tree, language, alternative text of every image and
chart), with the sRGB output intent and the XMP identification PDF/A asks for.
Drafts keep the plain render, which is faster.
"""

import hashlib
import re
import threading
from pathlib import Path
from urllib.parse import urljoin

import pydyf
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration

from pole.pdf import BASE_URL, SafeFetcher, file_stamp, url_prefix
from reports.report import build_report_context
from reports.templatetags.report_typography import french_typography

# The print stylesheets, in cascade order, parsed once per process.
PRINT_STYLESHEETS = ("reports/report.css", "reports/report-print.css")

# The archival variant. WeasyPrint 70 writes one variant per PDF; "pdf/a-3a" is PDF/A-3
# level A, whose conformance requires the tags (WeasyPrint turns them on for it), so the
# file is both archival and tagged. See the README, « Archival PDF ».
ARCHIVAL_VARIANT = "pdf/a-3a"

# How many images WeasyPrint keeps decoded between exports, per thread.
_IMAGE_STAMPS_LIMIT = 256

# Bump to invalidate every cached PDF after a change of the rendering code.
PDF_CACHE_VERSION = 2
PDF_CACHE_TIMEOUT = 60 * 60 * 24 * 30

_resources = threading.local()


class PrintResources:
    """A font configuration, the print stylesheets parsed with it, and WeasyPrint's image cache."""

    def __init__(self, stamp, paths):
        self.stamp = stamp
        self.fetcher = SafeFetcher()
        self.font_config = FontConfiguration()
        self.stylesheets = [
            CSS(
                string=path.read_text(encoding="utf-8"),
                base_url=urljoin(BASE_URL, url_prefix(settings.STATIC_URL) + name),
                url_fetcher=self.fetcher,
                font_config=self.font_config,
            )
            for name, path in zip(PRINT_STYLESHEETS, paths, strict=True)
        ]
        self.image_cache = {}
        self.image_stamps = {}

    def refresh_images(self, stamps):
        """Forget WeasyPrint's decoded images when a file behind one of their URLs changed."""
        if any(self.image_stamps.get(url, stamp) != stamp for url, stamp in stamps.items()):
            self.image_cache.clear()
            self.image_stamps.clear()
        if len(self.image_stamps) > 2 * _IMAGE_STAMPS_LIMIT:
            self.image_cache.clear()
            self.image_stamps.clear()
        self.image_stamps.update(stamps)


def print_resources():
    """This thread's PrintResources, made again when a stylesheet changed on disk."""
    paths = [Path(finders.find(name)) for name in PRINT_STYLESHEETS]
    stamp = tuple(file_stamp(path) for path in paths)
    resources = getattr(_resources, "value", None)
    if resources is None or resources.stamp != stamp:
        resources = _resources.value = PrintResources(stamp, paths)
    return resources


def page_css(context):
    """The page footer: the report's title and « page N of M »."""
    title = str(french_typography(context["title"])).replace('"', "").replace("\\", "")
    return (
        f'@page {{ @bottom-left {{ content: "{title}"; }} '
        f'@bottom-right {{ content: "{_("page")} " counter(page) " {_("of")} " counter(pages); }} }}'
    )


def _stylesheets(*names):
    return "\n".join(Path(finders.find(f"reports/{name}")).read_text(encoding="utf-8") for name in names)


def render_report_html(
    context, *, for_print=False, request=None, standalone=False, stylesheets_given=False, flowing=frozenset()
):
    """Render the report template (screen or print) to a string.

    ``standalone`` inlines the stylesheets, for an HTML file read away from the app.
    ``stylesheets_given`` leaves the print stylesheets and the page footer out of the
    page: ``html_to_pdf`` gives WeasyPrint parsed copies of them. ``flowing`` names the
    chapters (``message-1``, ``objectives``, ``governance``, ``partners``) that follow the
    page before them instead of opening one (see ``chapters_to_flow``).
    """
    extra = {
        "for_print": for_print,
        "standalone": standalone,
        "stylesheets_given": stylesheets_given,
        "flowing": flowing,
        "flowing_messages": {int(key.split("-")[1]) for key in flowing if key.startswith("message-")},
    }
    if standalone:
        extra["inline_css"] = _stylesheets("report.css", "report-screen.css")
    return render_to_string("reports/annual_report.html", {**context, **extra}, request=request)


def referenced_files(html, fetcher):
    """Map each /static/ or /media/ URL of the page to its file's stamp (path, mtime, size)."""
    stamps = {}
    for url in set(re.findall(r'(?:src|href)="([^"]+)"', html)):
        full = urljoin(BASE_URL, url)
        try:
            file, _is_media = fetcher.resolve(full)
            stamps[full] = file.stamp
        except (OSError, ValueError):
            continue
    return stamps


def _no_image_interpolation(document, pdf):
    """Turn off image interpolation, which PDF/A forbids (ISO 19005-2 and -3, 6.2.8).

    WeasyPrint 70 asks viewers to interpolate every image whose ``image-rendering`` is
    ``auto``, PDF/A variants included. A WeasyPrint ``finisher``: it runs on the PDF's
    objects just before the file is written.
    """
    for pdf_object in pdf.objects:
        if isinstance(pdf_object, pydyf.Stream) and pdf_object.extra.get("Subtype") == "/Image":
            pdf_object.extra["Interpolate"] = "false"


# Room left above a chapter that flows after the page before it: an objective's (report-print.css,
# ``.flows``), 26 pt, in CSS pixels, and a little slack for rounding.
FLOW_GAP = 26 * 96 / 72
FLOW_SLACK = 4


def _inked(box):
    """Whether a layout box paints something: a line, an image or a drawing, a background, a border."""
    if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
        return True
    style = box.style
    if style["background_color"].alpha > 0:
        return True
    return any(style[f"border_{side}_width"] > 0 for side in ("top", "right", "bottom", "left"))


def used_bottom(box):
    """The lowest painted edge among ``box`` and its descendants (margin boxes aside), or None."""
    lowest = None
    if not isinstance(box, boxes.PageBox) and box.height is not None and _inked(box):
        lowest = box.border_box_y() + box.border_height()
        if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
            return lowest
    for child in getattr(box, "children", ()):
        if isinstance(child, boxes.MarginBox):
            continue
        bottom = used_bottom(child)
        if bottom is not None and (lowest is None or bottom > lowest):
            lowest = bottom
    return lowest


def chapters_to_flow(document):
    """The chapters of a laid-out report that fit, whole, at the foot of the page before them.

    A chapter qualifies when it takes one page only, ends with that page (the next page opens
    a chapter, or is the back cover), and its content, with an objective's space above it, fits
    under what the page before it holds; that page must not be the cover. Returns the chapters'
    names without their ``chapter-`` prefix (the template's ``flowing``).
    """
    pages = document.pages
    openings = [{name for name in page.anchors if name.startswith("chapter-")} for page in pages]
    spans = {}
    for index, page in enumerate(pages):
        for name in page.anchors:
            if name.startswith("chapter-"):
                spans.setdefault(name, []).append(index)
    found = set()
    for name, indexes in spans.items():
        if name in ("chapter-cover", "chapter-back-cover") or len(indexes) != 1:
            continue
        index = indexes[0]
        if index == 0 or index + 1 >= len(pages) or "chapter-cover" in openings[index - 1]:
            continue
        if not any(spans[other][0] == index + 1 for other in openings[index + 1]):
            continue  # the next page goes on with this chapter
        top = pages[index].anchors[name][1]
        bottom = used_bottom(pages[index]._page_box)
        before = pages[index - 1]._page_box
        limit = before.content_box_y() + before.height
        used = used_bottom(before) or before.content_box_y()
        if bottom is not None and (bottom - top) + FLOW_GAP <= limit - used - FLOW_SLACK:
            found.add(name.removeprefix("chapter-"))
    return found


# More consecutive hyphenated line ends than this in a paragraph is a ladder (issue 24).
MAX_HYPHENATED_LINES = 2
# What a paragraph with a ladder is set with next (report-print.css, ``p[data-hyphens]``):
# fewer hyphenation points, then none at all.
HYPHENATION_STEPS = ("few", "none")
_PARAGRAPH_TAG = re.compile(r"<p(?=[\s>])")


def _line_text(box):
    if isinstance(box, boxes.TextBox):
        return box.text
    return "".join(_line_text(child) for child in getattr(box, "children", ()))


def hyphen_ladders(document):
    """The paragraphs of a laid-out report (their 0-based rank among the page's ``<p>``) with more
    than ``MAX_HYPHENATED_LINES`` consecutive lines ending with the hyphenate character.

    WeasyPrint 70 has no ``hyphenate-limit-lines``: the layout is read instead.
    """
    if not document.pages:
        return set()
    root = document.pages[0]._page_box.children[0].element
    ranks = {id(element): rank for rank, element in enumerate(root.iter("p"))}
    found = set()

    def visit(box):
        if getattr(box, "element_tag", None) == "p" and isinstance(box, boxes.BlockBox):
            run = 0
            for child in box.children:
                if isinstance(child, boxes.LineBox):
                    text = _line_text(child).rstrip()
                    run = run + 1 if text.endswith(("-", "\u2010")) and text[-2:-1].isalnum() else 0
                    if run > MAX_HYPHENATED_LINES:
                        found.add(ranks[id(box.element)])
            return
        for child in getattr(box, "children", ()):
            visit(child)

    for page in document.pages:
        visit(page._page_box)
    return found


def _mark_hyphenation(html, steps):
    """The print HTML with ``data-hyphens="…"`` on the paragraphs of ``steps`` (rank → step)."""
    if not steps:
        return html
    parts = _PARAGRAPH_TAG.split(html)
    marked = [parts[0]]
    for rank, part in enumerate(parts[1:]):
        step = steps.get(rank)
        marked.append(f'<p data-hyphens="{step}"' if step else "<p")
        marked.append(part)
    return "".join(marked)


def _layout(html, resources, options):
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=resources.fetcher)
    return document.render(
        stylesheets=[*resources.stylesheets, CSS(string=options.pop("page_css"), font_config=resources.font_config)],
        font_config=resources.font_config,
        cache=resources.image_cache,
        **options,
    )


def _anchor_pages(document, name):
    return sum(name in page.anchors for page in document.pages)


def html_to_pdf(html, context, *, stamps=None, archival=False):
    """Render print HTML (made with ``stylesheets_given=True``) to PDF bytes with the shared resources.

    ``archival``: a tagged PDF/A-3a (``ARCHIVAL_VARIANT``) instead of the plain PDF.

    The layout is read before the PDF is written, and the page laid out again where it breaks a
    composition rule the stylesheets cannot state: a chapter that fits whole at the foot of the
    page before it flows there (``chapters_to_flow``; one that then runs over two pages opens its
    page again), and a paragraph with more than two hyphenated line ends in a row is set with
    fewer hyphenation points, then none (``hyphen_ladders``). A report breaking neither (the
    demo) is laid out once.
    """
    resources = print_resources()
    if stamps is None:
        stamps = referenced_files(html, resources.fetcher)
    resources.refresh_images(stamps)
    options = {"pdf_variant": ARCHIVAL_VARIANT} if archival else {}
    css = page_css(context)
    document = _layout(html, resources, {**options, "page_css": css})
    flowing, refused, hyphenation = set(), set(), {}
    # Each round changes something or stops; a few rounds settle any report.
    for _round in range(6):
        split = {key for key in flowing if _anchor_pages(document, key) > 1}
        flowing -= split
        refused |= split
        more = chapters_to_flow(document) - flowing - refused
        ladders = {rank for rank in hyphen_ladders(document) if hyphenation.get(rank) != HYPHENATION_STEPS[-1]}
        if not (split or more or ladders):
            break
        flowing |= more
        for rank in ladders:
            step = hyphenation.get(rank)
            hyphenation[rank] = HYPHENATION_STEPS[HYPHENATION_STEPS.index(step) + 1 if step else 0]
        html = render_report_html(context, for_print=True, stylesheets_given=True, flowing=frozenset(flowing))
        document = _layout(_mark_hyphenation(html, hyphenation), resources, {**options, "page_css": css})
    finisher = _no_image_interpolation if archival else None
    return document.write_pdf(finisher=finisher, **options)


def pdf_cache_key(html, stamps, resources, *, archival=False):
    digest = hashlib.sha256()
    variant = ARCHIVAL_VARIANT if archival else "plain"
    digest.update(f"{PDF_CACHE_VERSION}\0{weasyprint.__version__}\0{variant}\0".encode())
    for path, mtime, size in resources.stamp:
        digest.update(f"{path}\0{mtime}\0{size}\0".encode())
    for url in sorted(stamps):
        _path, mtime, size = stamps[url]
        digest.update(f"{url}\0{mtime}\0{size}\0".encode())
    digest.update(html.encode())
    return f"reports:pdf:{digest.hexdigest()}"


def render_report_pdf(fiscal_year, *, context=None, use_cache=True, archival=False):
    """Return the annual report of ``fiscal_year`` as PDF bytes.

    With ``use_cache``, an unchanged report (same print HTML, same images and
    stylesheets on disk) comes from Django's cache instead of WeasyPrint.
    ``archival``: the tagged PDF/A-3a, cached under its own key.
    """
    context = context or build_report_context(fiscal_year)
    html = render_report_html(context, for_print=True, stylesheets_given=True)
    if not use_cache:
        return html_to_pdf(html, context, archival=archival)
    resources = print_resources()
    stamps = referenced_files(html, resources.fetcher)
    key = pdf_cache_key(html, stamps, resources, archival=archival)
    pdf = cache.get(key)
    if pdf is None:
        pdf = html_to_pdf(html, context, stamps=stamps, archival=archival)
        cache.set(key, pdf, PDF_CACHE_TIMEOUT)
    return pdf
