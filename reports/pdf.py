"""Render the annual report to PDF with WeasyPrint.

The same template as the screen page, with the print stylesheet. Static files
(CSS, fonts) and media (logos, photos) are read from disk by a URL fetcher that
never touches the network; photos are downscaled to print size on the way.
"""

import io
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from PIL import Image
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.report import build_report_context

# Any URL of the rendered page is resolved against this made-up origin, then
# mapped to a file by ``ReportFetcher``: nothing is fetched over the network.
BASE_URL = "https://report.invalid/"

# Images are printed at most 7.5 in wide; 200 dpi is plenty for offset-like print.
MAX_IMAGE_PIXELS = 1500


def _prefix(url_setting):
    return "/" + url_setting.strip("/") + "/"


class ReportFetcher(URLFetcher):
    """Serve /static/ and /media/ URLs from disk; refuse anything else."""

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        path = unquote(parts.path)
        static, media = _prefix(settings.STATIC_URL), _prefix(settings.MEDIA_URL)
        if path.startswith(static):
            found = finders.find(path[len(static) :])
            if not found:
                raise FileNotFoundError(path)
            return self._file(url, Path(found))
        if path.startswith(media):
            root = Path(settings.MEDIA_ROOT).resolve()
            file_path = (root / path[len(media) :]).resolve()
            if root not in file_path.parents or not file_path.is_file():
                raise FileNotFoundError(path)
            return self._image(url, file_path)
        raise ValueError(f"The report may only use the app's own files, not {url}")

    def _file(self, url, path):
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime_type})

    def _image(self, url, path):
        """Downscale a large photo or logo so the PDF carries only what print needs."""
        try:
            with Image.open(path) as image:
                if max(image.size) <= MAX_IMAGE_PIXELS:
                    return self._file(url, path)
                image.thumbnail((MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS))
                if image.mode not in ("RGB", "L"):
                    image = image.convert("RGBA")
                buffer = io.BytesIO()
                fmt = "PNG" if image.mode == "RGBA" else "JPEG"
                image.save(buffer, format=fmt, quality=85)
        except (OSError, Image.DecompressionBombError):
            return self._file(url, path)
        return URLFetcherResponse(url, body=buffer.getvalue(), headers={"Content-Type": f"image/{fmt.lower()}"})


def _stylesheets(*names):
    return "\n".join(Path(finders.find(f"reports/{name}")).read_text(encoding="utf-8") for name in names)


def render_report_html(context, *, for_print=False, request=None, standalone=False):
    """Render the report template (screen or print) to a string.

    ``standalone`` inlines the stylesheets, for an HTML file read away from the app.
    """
    extra = {"for_print": for_print, "standalone": standalone}
    if standalone:
        extra["inline_css"] = _stylesheets("report.css", "report-screen.css")
    return render_to_string("reports/annual_report.html", {**context, **extra}, request=request)


def render_report_pdf(fiscal_year, *, context=None):
    """Return the annual report of ``fiscal_year`` as PDF bytes."""
    context = context or build_report_context(fiscal_year)
    html = render_report_html(context, for_print=True)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=ReportFetcher()).render()
    return document.write_pdf()
