"""JPEG uploads are walked marker by marker before Pillow decodes them (pole/images.py).

A progressive JPEG may hold any number of scans, and libjpeg walks every block of the
picture once per scan, even a scan with no data. A 4000 × 4000 JPEG with thousands of
empty scans spliced before its end is a valid file of a few hundred kilobytes whose decoding
takes seconds per thousand scans (measured on the project's 2-core machine with Pillow 13
and libjpeg-turbo: 0.07 s with none, 1.7 s with 2 000, 9.2 s with 10 000; 2 MB hold about
200 000). ``clean_image`` counts the scans first and refuses such a file unread.
"""

import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from members.tests.factories import MemberFactory, RepresentativeFactory
from pole.images import MAX_BYTES, MAX_JPEG_SCANS, MAX_SIDE, clean_image, jpeg_scan_count

SOS, EOI = b"\xff\xda", b"\xff\xd9"
# libjpeg's progressive script: 10 scans for a colour (YCbCr) picture, 6 for a grey one.
COLOUR_SCANS, GREY_SCANS = 10, 6


def jpeg(image, **options):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def noise(size, mode="RGB", seed=2016):
    """A picture of random pixels: its entropy-coded data is full of 0xFF bytes, hence of 0xFF00 stuffing."""
    channels = len(mode)
    return Image.frombytes(mode, size, random.Random(seed).randbytes(size[0] * size[1] * channels))


def with_empty_scans(data, count):
    """``data`` (a progressive JPEG) with ``count`` scans of no data spliced before its EOI.

    Each one repeats the header of the file's last scan (an AC scan of the luminance):
    libjpeg takes it as a scan, warns that it brings nothing, and still walks every block of
    the component. A scan header cannot hide in entropy-coded data (0xFF is always followed
    there by 0x00 or a restart marker), so the last 0xFFDA is the last scan's header.
    """
    assert data.endswith(EOI)
    start = data.rindex(SOS)
    header = data[start : start + 2 + int.from_bytes(data[start + 2 : start + 4], "big")]
    return data[: -len(EOI)] + header * count + EOI


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


TOO_MANY_SCANS = (
    "This JPEG image is made of too many successive passes (more than %(limit)s); reading it would take "
    "too long. Save it again as an ordinary JPEG or as a PNG."
)


def french(message, **params):
    with translation.override("fr-ca"):
        return translation.gettext(message) % params


@pytest.fixture(scope="module")
def slow_jpeg():
    """The attack: a 4000 × 4000 progressive JPEG with 10 000 empty scans (~190 kB)."""
    return with_empty_scans(jpeg(Image.new("RGB", (MAX_SIDE, MAX_SIDE), (200, 30, 30)), progressive=True), 10_000)


# --- Counting scans ------------------------------------------------------------------------------


def test_scan_count_follows_libjpeg_progressive_script():
    assert jpeg_scan_count(jpeg(Image.new("RGB", (64, 48)), progressive=True)) == COLOUR_SCANS
    assert jpeg_scan_count(jpeg(Image.new("L", (64, 48)), progressive=True)) == GREY_SCANS
    assert jpeg_scan_count(jpeg(Image.new("RGB", (64, 48)))) == 1


def test_scan_count_skips_stuffed_bytes_and_restart_markers_in_entropy_coded_data():
    data = jpeg(noise((256, 256)), progressive=True, quality=95, restart_marker_blocks=1)
    assert b"\xff\x00" in data and b"\xff\xd0" in data and b"\xff\xd7" in data
    assert jpeg_scan_count(data) == COLOUR_SCANS


def test_scan_count_skips_segment_payloads_that_look_like_scans():
    # An embedded thumbnail or a comment may hold any bytes, scan headers included.
    fake_scans = (SOS + b"\x00\x08\x01\x01\x00\x01\x3f\x10") * (MAX_JPEG_SCANS + 50)
    data = jpeg(Image.new("RGB", (64, 48)), progressive=True, comment=fake_scans)
    assert data.count(SOS) > MAX_JPEG_SCANS
    assert jpeg_scan_count(data) == COLOUR_SCANS


def test_scan_count_counts_spliced_empty_scans_and_can_stop_early():
    data = with_empty_scans(jpeg(Image.new("RGB", (64, 48)), progressive=True), 500)
    assert jpeg_scan_count(data) == COLOUR_SCANS + 500
    assert jpeg_scan_count(data, stop_after=MAX_JPEG_SCANS + 1) == MAX_JPEG_SCANS + 1


def test_scan_count_stops_at_the_end_of_the_first_picture():
    first = jpeg(Image.new("RGB", (64, 48)), progressive=True)
    assert jpeg_scan_count(first + with_empty_scans(first, 500)) == COLOUR_SCANS


# --- Uploads -------------------------------------------------------------------------------------


def test_a_progressive_jpeg_with_thousands_of_empty_scans_is_refused(slow_jpeg):
    assert len(slow_jpeg) <= MAX_BYTES
    with Image.open(io.BytesIO(slow_jpeg)) as header:
        assert header.format == "JPEG" and header.size == (MAX_SIDE, MAX_SIDE)
    with translation.override("fr-ca"), pytest.raises(ValidationError) as refused:
        clean_image(upload("logo.jpg", slow_jpeg))
    assert refused.value.code == "too_many_scans"
    assert refused.value.messages == [french(TOO_MANY_SCANS, limit=MAX_JPEG_SCANS)]


def test_a_normal_progressive_jpeg_is_accepted():
    data = jpeg(noise((640, 480)), progressive=True, quality=90, restart_marker_rows=2)
    stored = clean_image(upload("photo.jpg", data))
    with Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (640, 480)


def test_a_progressive_jpeg_at_the_scan_limit_is_accepted():
    data = with_empty_scans(jpeg(Image.new("RGB", (64, 48)), progressive=True), MAX_JPEG_SCANS - COLOUR_SCANS)
    assert jpeg_scan_count(data) == MAX_JPEG_SCANS
    with Image.open(clean_image(upload("photo.jpg", data))) as image:
        assert image.size == (64, 48)
    with pytest.raises(ValidationError) as refused:
        clean_image(upload("photo.jpg", with_empty_scans(data, 1)))
    assert refused.value.code == "too_many_scans"


@pytest.mark.django_db
def test_the_portal_refuses_the_slow_jpeg_in_french_and_stores_nothing(client, media_root, slow_jpeg):
    member = MemberFactory(name="Coopérative Lente", description="Avant.")
    client.force_login(RepresentativeFactory(member=member).user)

    response = client.post(
        reverse("members:profile"),
        {"description": "Ne doit pas être enregistré.", "sector": "", "logo": upload("logo.jpg", slow_jpeg)},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["logo"]
    assert [error.code for error in errors] == ["too_many_scans"]
    assert french(TOO_MANY_SCANS, limit=MAX_JPEG_SCANS) in response.content.decode()
    member.refresh_from_db()
    assert member.description == "Avant." and not member.logo
    assert not media_root.exists() or not any(path.is_file() for path in media_root.rglob("*"))
