"""Render the annual report to PDF with WeasyPrint.

The same template as the screen page, with the print stylesheet. Static files
(CSS, fonts) and media (logos, photos) are read from disk by a URL fetcher that
never touches the network; photos are downscaled to print size on the way.

What does not change between exports is prepared once per process (per thread)
and reused: the parsed stylesheets with their fonts, the photos at print size and
WeasyPrint's decoded images. The PDF of an unchanged report is served from
Django's cache, keyed by a hash of the print HTML (which holds every printed
datum) and of the files it refers to.

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
PDF_CACHE_VERSION = 1
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


def render_report_html(context, *, for_print=False, request=None, standalone=False, stylesheets_given=False):
    """Render the report template (screen or print) to a string.

    ``standalone`` inlines the stylesheets, for an HTML file read away from the app.
    ``stylesheets_given`` leaves the print stylesheets and the page footer out of the
    page: ``html_to_pdf`` gives WeasyPrint parsed copies of them.
    """
    extra = {"for_print": for_print, "standalone": standalone, "stylesheets_given": stylesheets_given}
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


def html_to_pdf(html, context, *, stamps=None, archival=False):
    """Render print HTML (made with ``stylesheets_given=True``) to PDF bytes with the shared resources.

    ``archival``: a tagged PDF/A-3a (``ARCHIVAL_VARIANT``) instead of the plain PDF.
    """
    resources = print_resources()
    if stamps is None:
        stamps = referenced_files(html, resources.fetcher)
    resources.refresh_images(stamps)
    options = {"pdf_variant": ARCHIVAL_VARIANT, "finisher": _no_image_interpolation} if archival else {}
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=resources.fetcher)
    return document.write_pdf(
        stylesheets=[*resources.stylesheets, CSS(string=page_css(context), font_config=resources.font_config)],
        font_config=resources.font_config,
        cache=resources.image_cache,
        **options,
    )


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
