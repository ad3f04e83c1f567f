"""Safe image uploads: checked by content, bounded, re-encoded, stored under a random name.

A file's name and declared type say nothing about what it holds, so the bytes are
opened with Pillow; only PNG, JPEG and WebP pass. The stored file is a fresh
encoding of the decoded pixels (no metadata, no trailing payload), under a random
name, so nothing the uploader chose reaches the disk but the picture itself.

Decoding is bounded before it starts: by the file's size, the picture's sides and, for a
JPEG, the number of its scans (see ``jpeg_scan_count``).
"""

import io
import re
import secrets
import warnings

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from pole.formatting import format_file_size

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000
ACCEPTED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
# Phones write JPEGs with a second, embedded picture; Pillow calls them MPO. The first
# picture is kept, as a plain JPEG.
FORMAT_ALIASES = {"MPO": "JPEG"}
ACCEPT_ATTRIBUTE = "image/png,image/jpeg,image/webp"
# libjpeg walks every block of the picture once per scan, even a scan that holds no data, so
# a small progressive JPEG with thousands of empty scans takes minutes to decode. Encoders
# write at most a few dozen (libjpeg's progressive script: 10 for a colour picture); with 100
# at most, a 4000 × 4000 picture decodes in well under a second.
MAX_JPEG_SCANS = 100

# A marker between segments: 0xFF, possibly repeated (fill bytes), then a code other than 0x00.
_SEGMENT_MARKER = re.compile(rb"\xff([^\x00\xff])")
# The marker that ends a scan's entropy-coded data: 0xFF00 is a stuffed 0xFF byte of the data
# and RST0–RST7 restart markers belong to the scan.
_SCAN_END = re.compile(rb"\xff([^\x00\xd0-\xd7\xff])")
_SOS, _EOI = 0xDA, 0xD9
# Markers without a length: TEM, RST0–RST7, SOI.
_STANDALONE_MARKERS = {0x01, *range(0xD0, 0xD8), 0xD8}


def jpeg_scan_count(data, *, stop_after=None):
    """Return how many scans (SOS segments) libjpeg reads in the JPEG ``data``, up to its first EOI.

    The markers are walked as libjpeg reads them: a segment's payload is skipped by its
    length (so bytes inside a comment or an embedded thumbnail are never taken for
    markers), a scan's entropy-coded data up to the first marker that is neither stuffing
    nor a restart marker, and bytes between segments that are not a marker are skipped.
    Stop counting at ``stop_after``. Linear in the data's length, with no decoding.
    """
    scans = 0
    position = 2  # after SOI
    while True:
        marker = _SEGMENT_MARKER.search(data, position)
        if marker is None:
            return scans
        code, position = marker[1][0], marker.end()
        if code == _EOI:
            return scans
        if code in _STANDALONE_MARKERS:
            continue
        if position + 2 > len(data):
            return scans
        # The length counts its own two bytes; libjpeg skips nothing more for a shorter one.
        position += max(int.from_bytes(data[position : position + 2], "big"), 2)
        if code == _SOS:
            scans += 1
            if stop_after is not None and scans >= stop_after:
                return scans
            end = _SCAN_END.search(data, position)
            if end is None:
                return scans
            position = end.start()


def clean_image(upload):
    """Return a re-encoded copy of ``upload`` as a ContentFile with a random name.

    Raises ValidationError, with a message for the uploader, for anything that is not
    a PNG, JPEG or WebP image of at most MAX_BYTES and MAX_SIDE × MAX_SIDE pixels, and for
    a JPEG of more than MAX_JPEG_SCANS scans; these bounds are checked before decoding.
    """
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": format_file_size(upload.size), "limit": format_file_size(MAX_BYTES)},
            code="too_large",
        )
    not_an_image = ValidationError(
        _("This file is not a PNG, JPEG or WebP image. Other formats, SVG included, are refused."),
        code="invalid_format",
    )
    upload.seek(0)
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = FORMAT_ALIASES.get(probe.format, probe.format)
                width, height = probe.size
                if image_format not in ACCEPTED_FORMATS:
                    raise not_an_image
                if width > MAX_SIDE or height > MAX_SIDE:
                    raise ValidationError(
                        _("The image is %(width)s × %(height)s pixels; the limit is %(max)s × %(max)s.")
                        % {"width": width, "height": height, "max": MAX_SIDE},
                        code="too_big",
                    )
                if image_format == "JPEG" and jpeg_scan_count(data, stop_after=MAX_JPEG_SCANS + 1) > MAX_JPEG_SCANS:
                    raise ValidationError(
                        _(
                            "This JPEG image is made of too many successive passes (more than %(limit)s); "
                            "reading it would take too long. Save it again as an ordinary JPEG or as a PNG."
                        )
                        % {"limit": MAX_JPEG_SCANS},
                        code="too_many_scans",
                    )
                probe.verify()
            # verify() leaves the image unusable: decode it again, fully.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                return ContentFile(_encode(image, image_format), name=_random_name(image_format))
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        EOFError,
    ) as error:
        raise not_an_image from error


def _encode(image, image_format):
    output = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(output, "JPEG", quality=88, optimize=True)
    elif image_format == "WEBP":
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB"
        image.convert(mode).save(output, "WEBP", quality=88)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(output, "PNG", optimize=True)
    return output.getvalue()


def _random_name(image_format):
    return f"{secrets.token_hex(16)}.{ACCEPTED_FORMATS[image_format]}"


class SafeImageFormField(forms.FileField):
    """A form field for a logo or photo: accepts what ``clean_image`` accepts, re-encoded."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        if not kwargs.get("help_text"):
            kwargs["help_text"] = gettext_lazy("PNG, JPEG or WebP, at most 2 MB and 4000 × 4000 pixels.")
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        return clean_image(upload)


class SafeImageField(models.ImageField):
    """An image column whose forms (admin, portal) accept only what ``clean_image`` accepts.

    Every upload, whoever makes it, is checked by content and re-encoded.
    """

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SafeImageFormField, **kwargs})
