"""Safe image uploads: checked by content, bounded, re-encoded, stored under a random name.

A file's name and declared type say nothing about what it holds, so the bytes are
opened with Pillow; only PNG, JPEG and WebP pass. The stored file is a fresh
encoding of the decoded pixels (no metadata, no trailing payload), under a random
name, so nothing the uploader chose reaches the disk but the picture itself.
"""

import io
import secrets
import warnings

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000
ACCEPTED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
# Phones write JPEGs with a second, embedded picture; Pillow calls them MPO. The first
# picture is kept, as a plain JPEG.
FORMAT_ALIASES = {"MPO": "JPEG"}
ACCEPT_ATTRIBUTE = "image/png,image/jpeg,image/webp"


def clean_image(upload):
    """Return a re-encoded copy of ``upload`` as a ContentFile with a random name.

    Raises ValidationError, with a message for the uploader, for anything that is not
    a PNG, JPEG or WebP image of at most MAX_BYTES and MAX_SIDE × MAX_SIDE pixels.
    """
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_BYTES)},
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
