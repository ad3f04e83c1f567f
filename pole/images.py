"""Safe image uploads: checked by content, bounded, re-encoded, stored under a random name.

A file's name and declared type say nothing about what it holds, so the bytes are
opened with Pillow; only PNG, JPEG and WebP pass. The stored file is a fresh
encoding of the decoded pixels (no metadata, no trailing payload), under a random
name, so nothing the uploader chose reaches the disk but the picture itself.

Decoding is bounded before it starts: by the file's size, the picture's sides and, for a
JPEG, the number of its scans (see ``jpeg_scan_count``). The stored encoding is no larger than
the upload (or 64 kB): a lower quality, then smaller sides, until it fits (``_encode_within``).

On disk, a file replaced or removed in its row, or whose row is deleted, is deleted once the
transaction commits, unless another row of the same column still names it (``SafeImageField``).
"""

import io
import re
import secrets
import warnings
from functools import partial

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
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
#: A stored file may be as large as its upload, or this, whichever is larger.
STORED_FLOOR = 64 * 1024

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
                budget = max(len(data), STORED_FLOOR)
                return ContentFile(_encode_within(image, image_format, budget), name=_random_name(image_format))
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


def _encode_within(image, image_format, budget):
    """Encode ``image`` in at most ``budget`` bytes: a lower quality first, then smaller sides.

    A picture saved at a low quality grows when encoded again at a high one (a 1 MB JPEG
    became 3.5 MB): the upload's own size is what the picture needs. Each step shrinks the
    sides by a quarter; a few steps suffice, and a picture of 64 pixels stops the search.
    """
    qualities = [88, 75, 60] if image_format in ("JPEG", "WEBP") else [None]
    for quality in qualities:
        encoded = _encode(image, image_format, quality=quality)
        if len(encoded) <= budget:
            return encoded
    while len(encoded) > budget and max(image.size) > 64:
        image = image.resize((max(image.width * 3 // 4, 1), max(image.height * 3 // 4, 1)), Image.Resampling.LANCZOS)
        encoded = _encode(image, image_format, quality=qualities[-1])
    return encoded


def _encode(image, image_format, quality=88):
    output = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(output, "JPEG", quality=quality, optimize=True)
    elif image_format == "WEBP":
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB"
        image.convert(mode).save(output, "WEBP", quality=quality)
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

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        if not cls._meta.abstract:
            models.signals.post_init.connect(self._remember_file, sender=cls, weak=False)
            models.signals.post_delete.connect(self._delete_with_row, sender=cls, weak=False)

    def _remember_file(self, sender, instance, **kwargs):
        # The name loaded from the database (deferred columns are not read for this).
        if self.attname in instance.__dict__:
            instance.__dict__[f"_saved_file_{self.attname}"] = instance.__dict__[self.attname]

    def pre_save(self, model_instance, add):
        file = super().pre_save(model_instance, add)
        before = model_instance.__dict__.get(f"_saved_file_{self.attname}")
        name = getattr(file, "name", file) or ""
        if before and str(before) != name:
            self._delete_on_commit(model_instance, str(before))
        model_instance.__dict__[f"_saved_file_{self.attname}"] = name
        return file

    def _delete_with_row(self, sender, instance, **kwargs):
        name = getattr(instance, self.attname)
        if name:
            self._delete_on_commit(instance, str(getattr(name, "name", name)))

    def _delete_on_commit(self, instance, name):
        """Delete the file ``name`` once the transaction commits, unless a row of this column still names it."""
        transaction.on_commit(partial(self._delete_unused, type(instance), name))

    def _delete_unused(self, model, name):
        if model._default_manager.filter(**{self.attname: name}).exists():
            return
        self.storage.delete(name)
