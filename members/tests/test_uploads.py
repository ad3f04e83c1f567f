"""Logo uploads: only real PNG, JPEG and WebP images, bounded, re-encoded, under a random name."""

import io
import os
import re
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image, PngImagePlugin

from members.tests.factories import MemberFactory, RepresentativeFactory, sector_named
from pole.images import MAX_BYTES, MAX_SIDE, SafeImageFormField, clean_image

pytestmark = pytest.mark.django_db

RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp)$")
ORIENTATION, ARTIST, MAKE = 0x0112, 0x013B, 0x010F


def french(message, **params):
    with translation.override("fr-ca"):
        text = translation.gettext(message)
    return text % params if params else text


NOT_AN_IMAGE = "This file is not a PNG, JPEG or WebP image. Other formats, SVG included, are refused."


# --- Test files -----------------------------------------------------------------------------


def image_bytes(image_format, size=(20, 10), color=(200, 30, 30), mode="RGB", **save_options):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, image_format, **save_options)
    return buffer.getvalue()


def with_exif(image_format, size=(20, 10)):
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # rotate 90° clockwise when displayed
    exif[ARTIST] = "Appareil de Marie, 46.81N 71.21W"
    exif[MAKE] = "Canon"
    return image_bytes(image_format, size=size, exif=exif.tobytes())


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_header_only(width, height):
    """A PNG that claims ``width`` × ``height`` pixels with almost no data: a decompression bomb's header."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def noise_png(width, height):
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG")
    return buffer.getvalue()


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>'
)


def refused_files():
    """(id, file name, content type, bytes) of files that must be refused as not an image."""
    png = image_bytes("PNG", size=(64, 64))
    return [
        ("svg", "logo.svg", "image/svg+xml", SVG),
        ("svg-named-png", "logo.png", "image/png", SVG),
        ("text-named-png", "logo.png", "image/png", b"Ceci n'est pas une image.\n" * 20),
        ("html-named-jpg", "logo.jpg", "image/jpeg", b"<html><script>alert(1)</script></html>"),
        ("gif", "logo.gif", "image/gif", image_bytes("GIF")),
        ("gif-named-png", "logo.png", "image/png", image_bytes("GIF")),
        ("bmp", "logo.bmp", "image/bmp", image_bytes("BMP")),
        ("tiff", "logo.tiff", "image/tiff", image_bytes("TIFF")),
        ("ico", "logo.ico", "image/x-icon", image_bytes("ICO", size=(16, 16))),
        ("truncated-png", "logo.png", "image/png", png[: len(png) // 2]),
        ("png-signature-only", "logo.png", "image/png", png[:8]),
        ("truncated-jpeg", "logo.jpg", "image/jpeg", image_bytes("JPEG", size=(64, 64))[:200]),
        ("bomb-header", "bombe.png", "image/png", png_header_only(30000, 30000)),
        ("bomb-warning-header", "bombe.png", "image/png", png_header_only(10000, 10000)),
    ]


REFUSED = refused_files()


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- clean_image, directly -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("image_format", "extension"),
    [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")],
)
def test_accepted_formats_are_re_encoded_under_a_random_name(image_format, extension):
    original = image_bytes(image_format, size=(30, 12))
    cleaned = clean_image(upload(f"../../Mon logo.{extension}", original))
    assert RANDOM_NAME.match(cleaned.name)
    assert cleaned.name.endswith(f".{extension}")
    data = cleaned.read()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == image_format
        assert image.size == (30, 12)


def test_each_upload_gets_a_new_name():
    data = image_bytes("PNG")
    assert clean_image(upload("a.png", data)).name != clean_image(upload("a.png", data)).name


def test_the_format_comes_from_the_content_not_the_name():
    cleaned = clean_image(upload("logo.png", image_bytes("JPEG"), "image/png"))
    assert cleaned.name.endswith(".jpg")
    with Image.open(cleaned) as image:
        assert image.format == "JPEG"


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_exif_is_stripped_and_the_orientation_applied(image_format):
    cleaned = clean_image(upload("photo", with_exif(image_format, size=(20, 10))))
    data = cleaned.read()
    assert b"Canon" not in data
    assert b"Appareil de Marie" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
        # Orientation 6: the picture is stored turned upright.
        assert image.size == (10, 20)


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_grey_and_cmyk_jpegs_are_stored_as_rgb(mode):
    with Image.open(clean_image(upload("photo.jpg", image_bytes("JPEG", mode=mode, color=0)))) as image:
        assert (image.format, image.mode) == ("JPEG", "RGB")


def test_a_phone_jpeg_with_an_embedded_second_picture_is_accepted_as_jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (20, 10))])
    assert buffer.getvalue()[:3] == b"\xff\xd8\xff"  # a JPEG file
    cleaned = clean_image(upload("IMG_0001.jpg", buffer.getvalue(), "image/jpeg"))
    assert cleaned.name.endswith(".jpg")
    with Image.open(cleaned) as image:
        assert (image.format, image.size) == ("JPEG", (20, 10))


def test_png_text_chunks_and_trailing_payloads_are_dropped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-dans-les-metadonnees")
    payload = b"<?php system($_GET['c']); ?>"
    data = image_bytes("PNG", pnginfo=info) + payload
    cleaned = clean_image(upload("logo.png", data)).read()
    assert b"secret-dans-les-metadonnees" not in cleaned
    assert payload not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.text == {}


def test_transparency_is_kept_in_png_and_webp():
    for image_format in ("PNG", "WEBP"):
        data = image_bytes(image_format, mode="RGBA", color=(10, 20, 30, 0))
        with Image.open(clean_image(upload("logo", data))) as image:
            assert image.mode == "RGBA"
            assert image.getpixel((0, 0))[3] == 0


@pytest.mark.parametrize(("case", "name", "content_type", "data"), REFUSED, ids=[r[0] for r in REFUSED])
def test_clean_image_refuses_what_is_not_a_png_jpeg_or_webp(case, name, content_type, data):
    with translation.override("fr-ca"), pytest.raises(ValidationError) as caught:
        clean_image(upload(name, data, content_type))
    assert caught.value.error_list[0].code == "invalid_format"
    assert caught.value.messages == [french(NOT_AN_IMAGE)]


@pytest.mark.parametrize(("width", "height"), [(MAX_SIDE + 1, 10), (10, MAX_SIDE + 1), (5000, 5000)])
def test_images_over_4000_pixels_a_side_are_refused(width, height):
    data = png_header_only(width, height) if width * height > 10**6 else image_bytes("PNG", size=(width, height))
    with translation.override("fr-ca"), pytest.raises(ValidationError) as caught:
        clean_image(upload("grand.png", data))
    assert caught.value.error_list[0].code == "too_big"
    assert caught.value.messages == [
        french(
            "The image is %(width)s × %(height)s pixels; the limit is %(max)s × %(max)s.",
            width=width,
            height=height,
            max=MAX_SIDE,
        )
    ]


def test_an_image_exactly_4000_pixels_wide_is_accepted():
    cleaned = clean_image(upload("large.png", image_bytes("PNG", size=(MAX_SIDE, 2))))
    with Image.open(cleaned) as image:
        assert image.size == (MAX_SIDE, 2)


def test_a_file_of_exactly_2_mb_is_accepted_and_one_byte_more_refused():
    png = image_bytes("PNG")
    exactly = png + b"\x00" * (MAX_BYTES - len(png))
    assert len(exactly) == MAX_BYTES
    assert RANDOM_NAME.match(clean_image(upload("logo.png", exactly)).name)
    with translation.override("fr-ca"), pytest.raises(ValidationError) as caught:
        clean_image(upload("logo.png", exactly + b"\x00"))
    assert caught.value.error_list[0].code == "too_large"
    # One way of writing sizes everywhere (pole.formatting.format_file_size): « 2 Mo », as the help text says.
    assert caught.value.messages[0] == "Le fichier est trop lourd (2\xa0Mo)\xa0; la limite est de 2\xa0Mo."


def test_a_real_image_over_2_mb_is_refused():
    data = noise_png(1000, 800)
    assert len(data) > MAX_BYTES
    with pytest.raises(ValidationError) as caught:
        clean_image(upload("bruit.png", data))
    assert caught.value.error_list[0].code == "too_large"


def test_the_form_field_reads_nothing_when_no_file_is_sent():
    field = SafeImageFormField(required=False)
    assert field.clean(None) is None
    assert field.clean(None, "members/logos/ancien.png") == "members/logos/ancien.png"
    assert field.widget.attrs["accept"] == "image/png,image/jpeg,image/webp"


def test_the_form_field_refuses_an_empty_file():
    with translation.override("fr-ca"), pytest.raises(ValidationError) as caught:
        SafeImageFormField(required=False).clean(upload("vide.png", b""))
    assert caught.value.messages == ["Le fichier soumis est vide."]


# --- Through the profile page -------------------------------------------------------------


@pytest.fixture
def member():
    return MemberFactory(name="Coopérative Logo", description="Avant.")


@pytest.fixture
def rep_client(client, member):
    client.force_login(RepresentativeFactory(member=member).user)
    return client


def stored_files(media_root):
    if not media_root.exists():
        return set()
    return {p.relative_to(media_root).as_posix() for p in media_root.rglob("*") if p.is_file()}


def post_logo(client, file, **data):
    return client.post(
        reverse("members:profile"),
        {"description": "Après.", "sector": sector_named("Alimentation").pk, "logo": file, **data},
    )


@pytest.mark.parametrize(
    ("image_format", "extension"),
    [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")],
)
def test_a_representative_uploads_a_logo(rep_client, member, media_root, image_format, extension):
    response = post_logo(rep_client, upload(f"Mon logo.{extension}", with_exif(image_format, size=(24, 12))))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.description == "Après."
    directory, _, name = member.logo.name.rpartition("/")
    assert directory == "members/logos"
    assert RANDOM_NAME.match(name)
    assert name.endswith(f".{extension}")
    assert stored_files(media_root) == {member.logo.name}
    data = (media_root / member.logo.name).read_bytes()
    assert b"Canon" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == image_format
        assert dict(image.getexif()) == {}
        assert image.size == (12, 24)
    # The portal and the directory page show it.
    assert member.logo.url in rep_client.get(reverse("members:portal")).content.decode()


def test_a_new_logo_replaces_the_old_one_on_the_member(rep_client, member):
    post_logo(rep_client, upload("un.png", image_bytes("PNG")))
    member.refresh_from_db()
    first = member.logo.name
    post_logo(rep_client, upload("deux.png", image_bytes("PNG")))
    member.refresh_from_db()
    assert member.logo.name != first


def test_the_logo_is_kept_when_no_file_is_sent(rep_client, member):
    post_logo(rep_client, upload("un.png", image_bytes("PNG")))
    member.refresh_from_db()
    logo = member.logo.name
    response = rep_client.post(reverse("members:profile"), {"description": "Encore.", "sector": ""})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.logo.name == logo
    assert member.description == "Encore."


def test_the_logo_can_be_cleared(rep_client, member):
    post_logo(rep_client, upload("un.png", image_bytes("PNG")))
    response = rep_client.post(reverse("members:profile"), {"description": "Sans logo.", "logo-clear": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.logo


def refused_through_the_view():
    cases = [(case, name, content_type, data) for case, name, content_type, data in REFUSED]
    png = image_bytes("PNG")
    cases += [
        ("over-2-mb", "logo.png", "image/png", png + b"\x00" * (MAX_BYTES + 1 - len(png))),
        ("over-4000-wide", "large.png", "image/png", image_bytes("PNG", size=(MAX_SIDE + 1, 2))),
    ]
    return cases


REFUSED_VIEW = refused_through_the_view()


@pytest.mark.parametrize(("case", "name", "content_type", "data"), REFUSED_VIEW, ids=[r[0] for r in REFUSED_VIEW])
def test_a_refused_upload_stores_nothing(rep_client, member, media_root, case, name, content_type, data):
    # The member already has a logo, which must stay.
    post_logo(rep_client, upload("ancien.png", image_bytes("PNG")))
    member.refresh_from_db()
    logo = member.logo.name
    before = stored_files(media_root)
    history = member.history.count()

    response = post_logo(rep_client, upload(name, data, content_type), description="Ne doit pas être enregistré.")

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["logo"]
    assert len(errors) == 1
    assert errors[0].code in {"invalid_format", "too_big", "too_large"}
    expected_code = {"over-2-mb": "too_large", "over-4000-wide": "too_big"}.get(case)
    if expected_code:
        assert errors[0].code == expected_code
    # The message is shown on the page.
    assert str(response.context["form"].errors["logo"][0])[:20] in response.content.decode().replace("&#x27;", "'")
    member.refresh_from_db()
    assert member.logo.name == logo
    assert member.description == "Après."
    assert member.history.count() == history
    assert stored_files(media_root) == before


def test_a_refused_upload_on_a_member_without_logo_creates_no_media_folder_file(rep_client, member, media_root):
    response = post_logo(rep_client, upload("logo.svg", SVG, "image/svg+xml"))
    assert response.status_code == 200
    assert response.context["form"].errors["logo"] == [
        "Ce fichier n’est pas une image PNG, JPEG ou WebP. Les autres formats, SVG compris, sont refusés."
    ]
    member.refresh_from_db()
    assert not member.logo
    assert stored_files(media_root) == set()
