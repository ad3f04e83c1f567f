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


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_earlier_versions_out_of_the_media_folder():
    """Versions archived before 0008 sat under MEDIA_ROOT; the migration moves them to the private storage."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from pole.storage import private_storage

    before, after = ("reports", "0007_report_cover_photo"), ("reports", "0008_version_files_private")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old_apps = executor.loader.project_state([before]).apps
    report = old_apps.get_model("reports", "AnnualReport").objects.create(fiscal_year=2016)
    names = {
        "pdf": "reports/versions/0123456789abcdef/rapport-v1.pdf",
        "html": "reports/versions/0123456789abcdef/rapport-v1.html",
    }
    for name in names.values():
        assert default_storage.save(name, ContentFile(b"archived " + name.encode())) == name
    old_apps.get_model("reports", "ReportVersion").objects.create(
        report=report,
        number=1,
        pdf_sha256="0" * 64,
        pdf_size=1,
        page_count=1,
        html_sha256="0" * 64,
        html_size=1,
        print_digest="0" * 64,
        **names,
    )

    executor = MigrationExecutor(connection)
    executor.migrate([after])

    for name in names.values():
        assert not default_storage.exists(name)
        with private_storage().open(name, "rb") as file:
            assert file.read() == b"archived " + name.encode()

    # The database is left at the latest migrations, for the tests that run after this one.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
