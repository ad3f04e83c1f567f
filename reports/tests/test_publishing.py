"""Publishing freezes a report: versions rendered once, served byte for byte, drift made visible.

The demo's version 1 is published once for the module (``published_demo``, conftest.py), by the
Direction, as ``publish`` does for the « Publier » click; each test rolls back what it changes.
"""

import hashlib
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from activities.models import Activity
from members.models import User
from members.tests.factories import UserFactory
from pole.fiscal_years import FiscalYear
from pole.tests.admin_helpers import save_change_page
from reports.models import AnnualReport, ReportVersion
from reports.publishing import drift, publish
from reports.services import unpublish_report

# One worker runs the module, so that its published demo is built once (pytest-xdist --dist loadgroup).
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.xdist_group("published-demo")]

YEAR = FiscalYear(2016)
PDF_URL = reverse("reports:annual-pdf", args=[YEAR.label])
PAGE_URL = reverse("reports:annual", args=[YEAR.label])
FILE_URL = reverse("reports:annual-html", args=[YEAR.label])


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def read(field):
    with field.open("rb") as file:
        return file.read()


@pytest.fixture
def demo(published_demo, db, settings):
    settings.DEBUG = True
    return AnnualReport.objects.get(pk=published_demo.report_pk)


@pytest.fixture
def first(published_demo, db):
    """The version 1 the module's Direction published."""
    return ReportVersion.objects.get(pk=published_demo.version_pk)


@pytest.fixture
def direction(published_demo, db):
    client = Client()
    user = User.objects.get(pk=published_demo.user_pk)
    client.force_login(user)
    client.user = user
    return client


def test_publishing_stores_a_numbered_version_with_its_files_and_digests(demo, direction, first):
    version = first
    pdf, html = read(version.pdf), read(version.html)
    assert (version.number, version.published_by) == (1, direction.user)
    assert pdf.startswith(b"%PDF") and html.startswith(b"<!DOCTYPE html>")
    assert (version.pdf_sha256, version.pdf_size) == (sha256(pdf), len(pdf))
    assert (version.html_sha256, version.html_size) == (sha256(html), len(html))
    assert version.page_count >= 10
    assert version.pdf.name.endswith("rapport-annuel-2016-2017-v1.pdf")
    assert len(version.pdf.name.split("/")[-2]) == 32  # an unguessable folder
    demo.refresh_from_db()
    assert demo.is_published and demo.published_at == version.published_at


def test_the_public_pdf_and_page_stay_byte_for_byte_after_an_activity_is_renamed(demo, direction, client, first):
    version = first
    before_pdf = client.get(PDF_URL)
    assert before_pdf.status_code == 200
    assert sha256(before_pdf.content) == version.pdf_sha256
    assert before_pdf["Content-Disposition"] == 'attachment; filename="rapport-annuel-2016-2017.pdf"'
    # The public page shows the archived file, byte for byte, inside the site's frame.
    page = client.get(PAGE_URL).content.decode()
    assert f'src="{FILE_URL}"' in page and 'href="/rapports/2016-2017.pdf"' in page
    archived = client.get(FILE_URL)
    assert sha256(archived.content) == version.html_sha256
    policy = archived["Content-Security-Policy"]
    assert "script-src" not in policy and "font-src data:" in policy and "frame-ancestors 'self'" in policy
    assert archived["X-Frame-Options"] == "SAMEORIGIN"
    assert archived["Content-Disposition"] == 'inline; filename="rapport-annuel-2016-2017.html"'

    # Staff correct an activity's title next year, through the admin.
    activity = Activity.objects.get(title="Formation en comptabilité dans Portneuf")
    response = save_change_page(
        direction, Activity, activity, changes={"title": "Formation en comptabilité (Portneuf)"}
    )
    assert response.status_code == 302

    assert sha256(client.get(PDF_URL).content) == version.pdf_sha256
    assert sha256(client.get(FILE_URL).content) == version.html_sha256
    found = drift(AnnualReport.objects.get(pk=demo.pk))
    assert found.differs
    assert found.changes == [
        "Activité renommée\u00a0: «\u00a0Formation en comptabilité dans Portneuf\u00a0» → «\u00a0Formation en comptabilité (Portneuf)\u00a0»"
    ]
    readiness = direction.get(reverse("reports:readiness", args=[YEAR.label])).content.decode()
    assert "Les données actuelles s’imprimeraient autrement que la version 1" in readiness
    assert "Formation en comptabilité (Portneuf)" in readiness


def test_right_after_publishing_nothing_drifts(demo, direction, first):
    version = first
    found = drift(demo)
    assert (found.version, found.differs, found.changes) == (version, False, [])
    readiness = direction.get(reverse("reports:readiness", args=[YEAR.label])).content.decode()
    assert "Les données actuelles s’impriment exactement comme la version 1." in readiness


def test_a_changed_figure_is_described_in_words(demo, direction, first):
    figure = demo.declared_figures.get(figure="participants")
    figure.value = 1700
    figure.save()
    changes = drift(AnnualReport.objects.get(pk=demo.pk)).changes
    assert "Participants\u00a0: 1\u00a0650 → 1\u00a0700" in changes


def test_a_new_version_keeps_the_earlier_ones_downloadable_by_staff(demo, direction, client, committed, first):
    Activity.objects.filter(title="Formation en comptabilité dans Portneuf").update(title="Formation renommée")
    with committed():  # the publication's task, run after the click's commit (no broker)
        response = direction.post(reverse("reports:publish", args=[YEAR.label]))
    assert "La version 2 du rapport 2016-2017 est publiée" in direction.get(response["Location"]).content.decode()
    second = ReportVersion.objects.get(report=demo, number=2)
    assert sha256(client.get(PDF_URL).content) == second.pdf_sha256 != first.pdf_sha256
    old = direction.get(reverse("reports:version-file", args=[YEAR.label, 1, "pdf"]))
    assert sha256(old.content) == first.pdf_sha256
    assert old["Content-Disposition"] == 'attachment; filename="rapport-annuel-2016-2017-v1.pdf"'
    html = direction.get(reverse("reports:version-file", args=[YEAR.label, 1, "html"]))
    assert sha256(html.content) == first.html_sha256
    # The public gets only the latest version; earlier ones are for staff.
    assert client.get(reverse("reports:version-file", args=[YEAR.label, 1, "pdf"])).status_code == 302
    assert direction.get(reverse("reports:version-file", args=[YEAR.label, 3, "pdf"])).status_code == 404


def test_unpublishing_hides_the_report_and_keeps_its_versions(demo, direction, client, first):
    version = first
    unpublish_report(report=demo)
    assert client.get(PDF_URL).status_code == 404
    assert client.get(PAGE_URL).status_code == 404
    assert client.get(FILE_URL).status_code == 404
    assert ReportVersion.objects.filter(pk=version.pk).exists()
    assert direction.get(reverse("reports:version-file", args=[YEAR.label, 1, "pdf"])).status_code == 200
    # Staff see the withdrawn year live; publishing again makes version 2.
    assert direction.get(PAGE_URL).status_code == 200
    assert publish(report=demo, by=direction.user).number == 2


def test_staff_see_a_published_year_live_on_request(demo, direction, first):
    version = first
    Activity.objects.filter(title="Formation en comptabilité dans Portneuf").update(title="Titre en cours de révision")
    archived = direction.get(FILE_URL).content.decode()
    live = direction.get(PAGE_URL + "?direct=1").content.decode()
    assert sha256(archived.encode()) == version.html_sha256
    assert 'href="?direct=1"' in direction.get(PAGE_URL).content.decode()
    assert 'href="?direct=1"' not in Client().get(PAGE_URL).content.decode()
    assert "Titre en cours de révision" in live and "Titre en cours de révision" not in archived
    assert "Titre en cours de révision" not in Client().get(PAGE_URL + "?direct=1").content.decode()


def test_only_the_direction_publishes(demo, client, first):
    personnel = Client()
    personnel.force_login(UserFactory(is_staff=True, groups=["Personnel"]))
    assert personnel.post(reverse("reports:publish", args=[YEAR.label])).status_code == 403
    assert list(ReportVersion.objects.all()) == [first]


def test_export_report_published_writes_the_archived_files(demo, first, tmp_path):
    version = first
    for kind, digest in (("pdf", version.pdf_sha256), ("html", version.html_sha256)):
        output = tmp_path / f"rapport.{kind}"
        call_command(
            "export_report", YEAR.label, "--published", "--format", kind, "--output", str(output), stdout=io.StringIO()
        )
        assert sha256(output.read_bytes()) == digest


def test_an_odd_version_number_is_a_404(direction):
    for number in (0, 99999999999):
        url = reverse("reports:version-file", args=[YEAR.label, number, "pdf"])
        assert direction.get(url).status_code == 404
