"""Files on object storage (S3 API, django-storages) against a moto server on the loopback."""

import io

import httpx
import pytest
from django.core.files.base import ContentFile
from PIL import Image

from conftest import bucket_keys
from members.tests.factories import MemberFactory
from pole.pdf import SafeFetcher
from reports.tests.factories import ReportVersionFactory

pytestmark = pytest.mark.django_db


def png(size=(40, 20), colour="#1f5f8b"):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_public_files_are_read_at_the_public_bucket_address(s3_storages):
    member = MemberFactory()
    member.logo.save("logo.png", ContentFile(png()), save=True)
    assert member.logo.url == f"{s3_storages.endpoint}/{s3_storages.public}/members/logos/logo.png"
    response = httpx.get(member.logo.url)
    assert response.status_code == 200 and response.content == png()
    assert bucket_keys(s3_storages.client, s3_storages.public) == ["members/logos/logo.png"]
    assert bucket_keys(s3_storages.client, s3_storages.private) == []


def test_a_name_is_never_overwritten_on_object_storage(s3_storages):
    first, second = MemberFactory(), MemberFactory()
    first.logo.save("logo.png", ContentFile(png(colour="#000000")), save=True)
    second.logo.save("logo.png", ContentFile(png(colour="#ffffff")), save=True)
    assert first.logo.name != second.logo.name
    assert httpx.get(first.logo.url).content == png(colour="#000000")


def test_private_files_go_to_the_private_bucket_and_the_views_serve_them(s3_storages, personnel_client, client):
    version = ReportVersionFactory()
    assert bucket_keys(s3_storages.client, s3_storages.private) == sorted([version.pdf.name, version.html.name])
    assert bucket_keys(s3_storages.client, s3_storages.public) == []
    # The bucket's own address refuses anyone without the app's credentials.
    for name in (version.pdf.name, version.html.name):
        assert httpx.get(f"{s3_storages.endpoint}/{s3_storages.private}/{name}").status_code == 403
    url = f"/rapports/{version.report.fiscal_year.label}/versions/1.pdf"
    assert personnel_client.get(url).content == b"%PDF-1.7\n%%EOF\n"
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_pdf_fetcher_reads_public_images_from_the_bucket_and_nothing_else(s3_storages):
    member = MemberFactory()
    member.logo.save("logo.png", ContentFile(png((3000, 100))), save=True)
    fetcher = SafeFetcher()
    response = fetcher.fetch(member.logo.url)
    image = Image.open(io.BytesIO(response.read()))
    assert image.size == (1500, 50)  # brought down to print size
    version = ReportVersionFactory()
    private_address = f"{s3_storages.endpoint}/{s3_storages.private}/{version.pdf.name}"
    for refused in (private_address, f"{s3_storages.endpoint}/{s3_storages.public}/../{s3_storages.private}/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(refused)
