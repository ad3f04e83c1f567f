"""The one PDF renderer: every PDF of the app (annual report, invoices and receipts, the
good-standing list, the door sheet) goes through WeasyPrint here.

A page's URLs are resolved against a made-up origin and mapped to files by ``SafeFetcher``:
/static/ from the static finders, /media/ from ``MEDIA_ROOT``; nothing is fetched over the
network, and nothing outside those two places is read. Photos and logos are brought down
to print size once per version of the file.
"""

import io
import mimetypes
import threading
from collections import OrderedDict
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from PIL import Image, ImageOps
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Any URL of the rendered page is resolved against this made-up origin, then
# mapped to a file by ``SafeFetcher``: nothing is fetched over the network.
BASE_URL = "https://report.invalid/"

# Images are printed at most 7.5 in wide; 200 dpi is plenty for offset-like print.
MAX_IMAGE_PIXELS = 1500

# Photos and logos brought down to print size, by (path, modification time, size).
_PRINT_IMAGES = OrderedDict()
_PRINT_IMAGES_LIMIT = 256
_print_images_lock = threading.Lock()

def url_prefix(url_setting):
    return "/" + url_setting.strip("/") + "/"


def file_stamp(path):
    stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size)


class SafeFetcher(URLFetcher):
    """Serve /static/ and /media/ URLs from disk; refuse anything else."""

    def resolve(self, url):
        """Return ``(path, is_media)`` of a URL of the page, or raise."""
        path = unquote(urlsplit(url).path)
        static, media = url_prefix(settings.STATIC_URL), url_prefix(settings.MEDIA_URL)
        if path.startswith(static):
            found = finders.find(path[len(static) :])
            if not found:
                raise FileNotFoundError(path)
            return Path(found), False
        if path.startswith(media):
            root = Path(settings.MEDIA_ROOT).resolve()
            file_path = (root / path[len(media) :]).resolve()
            if root not in file_path.parents or not file_path.is_file():
                raise FileNotFoundError(path)
            return file_path, True
        raise ValueError(f"A PDF may only use the app's own files, not {url}")

    def fetch(self, url, headers=None):
        if urlsplit(url).scheme == "data":
            return super().fetch(url, headers)
        path, is_media = self.resolve(url)
        if is_media:
            return self._image(url, path)
        return self._file(url, path)

    def _file(self, url, path):
        body, mime_type = file_bytes(path)
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime_type})

    def _image(self, url, path):
        """A photo or logo at print size, downscaled once per version of the file."""
        key = file_stamp(path)
        with _print_images_lock:
            found = _PRINT_IMAGES.get(key)
            if found is not None:
                _PRINT_IMAGES.move_to_end(key)
        if found is None:
            found = _print_size(path)
            with _print_images_lock:
                _PRINT_IMAGES[key] = found
                while len(_PRINT_IMAGES) > _PRINT_IMAGES_LIMIT:
                    _PRINT_IMAGES.popitem(last=False)
        body, mime_type = found
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime_type})


JPEG_QUALITY = 85
WEB_IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


def file_bytes(path):
    """Return (bytes, MIME type) of a file a page refers to (a stylesheet, a font)."""
    path = Path(path)
    return path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def fit_image(path, size, *, cover=False, photo=False):
    """Return (bytes, MIME type) of the image at ``path`` no larger than ``size`` (width, height) needs.

    Fits inside ``size``, or covers it with ``cover``. A web image already small enough,
    without metadata, is kept as it is; any other is turned upright (EXIF orientation),
    downscaled and saved again without its metadata (a phone photo's position stays out of
    the report). JPEG for ``photo`` and JPEG sources, PNG otherwise (logos keep crisp
    edges and transparency). Used by the PDF (print size) and the standalone HTML file.
    """
    width_needed, height_needed = size
    path = Path(path)
    original = path.read_bytes()
    mime_type = mimetypes.guess_type(path.name)[0]
    try:
        image = Image.open(io.BytesIO(original))
        image.load()
    except (OSError, Image.DecompressionBombError):
        if mime_type in WEB_IMAGE_TYPES:
            return original, mime_type
        raise
    has_metadata = bool(image.getexif()) or "xmp" in image.info or "XML:com.adobe.xmp" in image.info
    photo = photo or image.format == "JPEG"
    icc_profile = image.info.get("icc_profile")
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = ImageOps.exif_transpose(image)
    width, height = image.size
    ratios = (width_needed / width, height_needed / height)
    scale = max(ratios) if cover else min(ratios)
    if scale >= 1 and not has_metadata and mime_type in WEB_IMAGE_TYPES:
        return original, mime_type
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if transparent else "RGB")
    if scale < 1:
        image = image.resize((max(1, round(width * scale)), max(1, round(height * scale))), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    if photo and not transparent:
        image.convert("RGB").save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, **extra)
        return buffer.getvalue(), "image/jpeg"
    image.save(buffer, format="PNG", optimize=True, **extra)
    return buffer.getvalue(), "image/png"


def _print_size(path):
    """Return (bytes, MIME type) of an image no larger than print needs."""
    return fit_image(path, (MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS))


def render_pdf(html):
    """Return the PDF bytes of a self-contained page (its styles inline) with the app's own files."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=SafeFetcher()).write_pdf()
