"""Logos and photos on disk: a replaced or removed file is deleted, and a stored file is no larger
than the upload needs (a 1 MB JPEG was stored as 3.5 MB)."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from members.tests.factories import MemberFactory
from pole.images import clean_image

pytestmark = pytest.mark.django_db


def upload(name="logo.png", size=(320, 160), color=(15, 92, 115), image_format="PNG", **options):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, image_format, **options)
    return SimpleUploadedFile(name, buffer.getvalue())


def noisy_jpeg(quality):
    """A photo-like JPEG (noise compresses badly): 2000 × 1500 pixels at ``quality``."""
    image = Image.effect_noise((2000, 1500), 80).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return SimpleUploadedFile("photo.jpg", buffer.getvalue())


def stored(media_root):
    return sorted(path.name for path in Path(media_root).rglob("*") if path.is_file())


def test_a_replaced_logo_file_is_deleted(media_root, django_capture_on_commit_callbacks):
    member = MemberFactory()
    member.logo = clean_image(upload())
    member.save()
    first = Path(member.logo.path)

    with django_capture_on_commit_callbacks(execute=True):
        member.logo = clean_image(upload(color=(200, 0, 0)))
        member.save()

    assert not first.exists()
    assert stored(media_root) == [Path(member.logo.path).name]


def test_a_removed_logo_file_is_deleted_and_so_is_a_deleted_members(media_root, django_capture_on_commit_callbacks):
    member = MemberFactory()
    member.logo = clean_image(upload())
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        member.logo = ""
        member.save()
    assert stored(media_root) == []

    other = MemberFactory()
    other.logo = clean_image(upload())
    other.save()
    with django_capture_on_commit_callbacks(execute=True):
        other.delete()
    assert stored(media_root) == []


def test_a_file_another_row_still_uses_is_kept(media_root, django_capture_on_commit_callbacks):
    member = MemberFactory()
    member.logo = clean_image(upload())
    member.save()
    twin = MemberFactory(logo=member.logo.name)

    with django_capture_on_commit_callbacks(execute=True):
        member.logo = ""
        member.save()

    assert stored(media_root) == [Path(twin.logo.name).name]


def test_a_rolled_back_change_keeps_the_old_file(media_root, django_capture_on_commit_callbacks):
    member = MemberFactory()
    member.logo = clean_image(upload())
    member.save()
    first = Path(member.logo.path)

    with django_capture_on_commit_callbacks(execute=False):
        member.logo = clean_image(upload(color=(200, 0, 0)))
        member.save()

    assert first.exists()


@pytest.mark.parametrize("quality", [40, 60, 75])
def test_a_stored_photo_is_no_larger_than_its_upload(quality):
    photo = noisy_jpeg(quality)

    kept = clean_image(photo)

    assert kept.size <= max(photo.size, 64 * 1024), (photo.size, kept.size)
    with Image.open(kept) as image:
        assert image.format == "JPEG" and max(image.size) >= 1000  # still a usable photo


def test_a_small_palette_png_stays_small():
    logo = upload(size=(800, 400), image_format="PNG")

    kept = clean_image(logo)

    assert kept.size <= max(logo.size, 64 * 1024)
