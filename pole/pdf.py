"""The one PDF renderer: every PDF of the app (annual report, invoices and receipts, the
good-standing list, the door sheet) goes through WeasyPrint here.

A page's URLs are resolved against a made-up origin and mapped to files by ``SafeFetcher``:
/static/ from the static finders, public media (logos, photos) from the public storage, read
through its API (the local disk or object storage); nothing is fetched over the network, and
nothing outside those two places is read (never the private storage). Photos and logos are brought down
to print size once per version of the file.
"""

import io
import mimetypes
import threading
from collections import OrderedDict
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from PIL import Image, ImageOps
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from pole.storage import file_version, is_local, public_storage, safe_name

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


class StaticFile:
    """One of the app's static files (a stylesheet, a font), on disk."""

    def __init__(self, path):
        self.path = Path(path)
        self.name = self.path.name

    @property
    def stamp(self):
        return file_stamp(self.path)

    def read_bytes(self):
        return self.path.read_bytes()


class StoredFile:
    """A public media file (a logo, a photo) in the public storage, local or object storage."""

    def __init__(self, storage, name):
        self.storage = storage
        self.stored_name = name
        self.name = PurePosixPath(name).name

    @property
    def stamp(self):
        return file_version(self.storage, self.stored_name)

    def read_bytes(self):
        with self.storage.open(self.stored_name, "rb") as file:
            return file.read()


def public_media_name(url):
    """The public storage's name of the file at ``url`` (already joined with BASE_URL), or None.

    On the local disk the URL is BASE_URL's /media/…; on object storage, the public bucket's
    own address (or its CDN's). Any other address is not a media file.
    """
    storage = public_storage()
    base = storage.url("")
    if base.startswith("/"):
        base = urljoin(BASE_URL, base)
    if not url.startswith(base):
        return None
    name = unquote(urlsplit(url).path[len(urlsplit(base).path) :])
    return name if safe_name(name) else None


class SafeFetcher(URLFetcher):
    """Serve /static/ URLs from disk and public media URLs from the public storage; refuse anything else."""

    def resolve(self, url):
        """Return ``(file, is_media)`` of a URL of the page (a ``StaticFile`` or ``StoredFile``), or raise."""
        media_name = public_media_name(url)
        if media_name is not None:
            storage = public_storage()
            # On the local disk a missing file is known at once; object storage is not asked
            # (a request per image): a missing object fails when read.
            if is_local(storage) and not storage.exists(media_name):
                raise FileNotFoundError(url)
            return StoredFile(storage, media_name), True
        path = unquote(urlsplit(url).path)
        static = url_prefix(settings.STATIC_URL)
        if url.startswith(BASE_URL) and path.startswith(static):
            found = finders.find(path[len(static) :])
            if not found:
                raise FileNotFoundError(path)
            return StaticFile(found), False
        raise ValueError(f"A PDF may only use the app's own files, not {url}")

    def fetch(self, url, headers=None):
        if urlsplit(url).scheme == "data":
            return super().fetch(url, headers)
        file, is_media = self.resolve(url)
        if is_media:
            return self._image(url, file)
        return self._file(url, file)

    def _file(self, url, file):
        body, mime_type = file_bytes(file)
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime_type})

    def _image(self, url, file):
        """A photo or logo at print size, downscaled once per version of the file."""
        key = file.stamp
        with _print_images_lock:
            found = _PRINT_IMAGES.get(key)
            if found is not None:
                _PRINT_IMAGES.move_to_end(key)
        if found is None:
            found = _print_size(file)
            with _print_images_lock:
                _PRINT_IMAGES[key] = found
                while len(_PRINT_IMAGES) > _PRINT_IMAGES_LIMIT:
                    _PRINT_IMAGES.popitem(last=False)
        body, mime_type = found
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime_type})


JPEG_QUALITY = 85
WEB_IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


def _as_file(file):
    return file if isinstance(file, (StaticFile, StoredFile)) else StaticFile(file)


def file_bytes(file):
    """Return (bytes, MIME type) of a file a page refers to (a stylesheet, a font): a path or a resolved file."""
    file = _as_file(file)
    return file.read_bytes(), mimetypes.guess_type(file.name)[0] or "application/octet-stream"


def fit_image(path, size, *, cover=False, photo=False):
    """Return (bytes, MIME type) of the image ``path`` (a path or a resolved file) no larger than ``size`` needs.

    Fits inside ``size``, or covers it with ``cover``. A web image already small enough,
    without metadata, is kept as it is; any other is turned upright (EXIF orientation),
    downscaled and saved again without its metadata (a phone photo's position stays out of
    the report). JPEG for ``photo`` and JPEG sources, PNG otherwise (logos keep crisp
    edges and transparency). Used by the PDF (print size) and the standalone HTML file.
    """
    width_needed, height_needed = size
    path = _as_file(path)
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


def _print_size(file):
    """Return (bytes, MIME type) of an image no larger than print needs."""
    return fit_image(file, (MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS))


def render_pdf(html):
    """Return the PDF bytes of a self-contained page (its styles inline) with the app's own files."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=SafeFetcher()).write_pdf()
