"""Archived report versions are private files: only the permission-checked views serve them (issue 21)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from reports.tests.factories import ReportVersionFactory

pytestmark = pytest.mark.django_db


def media_address(name):
    return "/" + settings.MEDIA_URL.strip("/") + "/" + name


def test_archived_files_have_no_public_address(client, personnel_client):
    """Anyone who learns a version file's name must not read it at /media/…; staff read it through the view."""
    version = ReportVersionFactory(report__is_published=False)
    for field in (version.pdf, version.html):
        assert client.get(media_address(field.name)).status_code == 404
        with pytest.raises(ValueError):
            field.url  # noqa: B018 — no storage URL exists for a private file
    label = version.report.fiscal_year.label
    response = personnel_client.get(reverse("reports:version-file", args=[label, 1, "pdf"]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_archived_files_are_stored_outside_the_media_folder():
    version = ReportVersionFactory()
    media_root = Path(settings.MEDIA_ROOT).resolve()
    for field in (version.pdf, version.html):
        stored = Path(field.path).resolve()
        assert stored.is_file()
        assert media_root not in stored.parents
