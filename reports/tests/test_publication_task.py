"""Publishing as a task: the click answers at once, one click makes one version, a failure says why.

A test's transaction never commits, so the task a click queues for after its commit runs only
inside ``committed()``: before that, the pages show the publication as a worker would leave it,
queued. Publishing renders the archival PDF and the self-contained file for real (seconds), so
the tests that need a version share one publication each.
"""

import datetime
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.tests.factories import UserFactory
from pole.fiscal_years import FiscalYear
from pole.tests.admin_helpers import save_change_page
from reports import publishing
from reports.models import AnnualReport, Publication, ReportVersion
from reports.tasks import publish_report, resume_publications
from reports.tests.factories import AnnualReportFactory, ReportMessageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

YEAR = FiscalYear(2017)
PUBLISH = reverse("reports:publish", args=[YEAR.label])
READINESS = reverse("reports:readiness", args=[YEAR.label])
STATUS = reverse("reports:publication", args=[YEAR.label])
KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def report(db):
    report = AnnualReportFactory(fiscal_year=YEAR)
    ReportMessageFactory(report=report, title="Une année d'élan & de « projets »")
    return report


@pytest.fixture
def direction():
    client = Client()
    client.force_login(UserFactory(email="dg@exemple.org", is_staff=True, groups=["Direction"]))
    return client


def page(client):
    return " ".join(client.get(READINESS).content.decode().replace("\u00a0", " ").split())


def test_the_click_answers_at_once_the_page_follows_the_task_and_ends_on_the_version(report, direction, committed):
    with committed() as queued:
        response = direction.post(PUBLISH, {"request_key": KEY})
        # What a worker would find: the publication queued, nothing rendered yet.
        assert response.status_code == 302 and response["Location"] == READINESS + "#publication"
        publication = Publication.objects.get()
        assert (publication.status, publication.request_key, publication.version) == ("queued", KEY, None)
        assert not ReportVersion.objects.exists()
        text = page(direction)
        assert "Publication en cours… demandée à" in text and "en attente d’un processus de publication" in text
        assert 'src="/static/reports/publication.js"' in direction.get(READINESS).content.decode()
        assert "Publier le rapport" not in text  # no second button while it runs
        assert direction.get(STATUS).json()["active"] is True

        # A second click while it runs starts nothing; the same click sent twice neither.
        again = direction.post(PUBLISH, {"request_key": "f" * 32}, follow=True)
        assert "Une publication de ce rapport est déjà en cours : la voici." in " ".join(
            again.content.decode().replace("\u00a0", " ").split()
        )
        direction.post(PUBLISH, {"request_key": KEY})
        assert Publication.objects.count() == 1
    assert len(queued) == 1  # one task queued for the three POSTs

    publication.refresh_from_db()
    assert publication.status == "done" and publication.version.number == 1
    assert publication.started_at <= publication.finished_at
    state = direction.get(STATUS).json()
    assert state == {
        "state": "done",
        "active": False,
        "message": "La version 1 du rapport 2017-2018 est publiée\u00a0: les pages publiques la présentent désormais.",
        "version": 1,
        "publication": publication.pk,
    }
    text = page(direction)
    assert "La version 1 du rapport 2017-2018 est publiée" in text and "publication.js" not in text
    assert "Les pages publiques présentent la version 1" in text
    report.refresh_from_db()
    assert report.is_published

    # The task run twice, and the same click sent again after it ended: still one version.
    assert publish_report(publication.pk) is None
    with committed():
        direction.post(PUBLISH, {"request_key": KEY})
    assert (Publication.objects.count(), ReportVersion.objects.count()) == (1, 1)


def test_a_failed_publication_says_why_in_french_publishes_nothing_and_offers_to_try_again(report, direction, committed):
    with mock.patch("reports.publishing.render_report_pdf", side_effect=RuntimeError("WeasyPrint est tombé")):
        with committed():
            direction.post(PUBLISH, {"request_key": KEY})
    publication = Publication.objects.get()
    assert publication.status == "failed" and "RuntimeError: WeasyPrint est tombé" in publication.error
    assert not ReportVersion.objects.exists()
    assert not AnnualReport.objects.get(pk=report.pk).is_published
    text = page(direction)
    assert "n’a pas abouti : rien n’a été publié" in text and "Le rapport n’est toujours pas publié." in text
    assert "RuntimeError: WeasyPrint est tombé" in text and "Réessayer la publication" in text
    assert direction.get(STATUS).json()["state"] == "failed"

    # « Try again » starts a new publication (with the page's new key).
    with committed() as queued:
        direction.post(PUBLISH, {"request_key": "a" * 32})
        assert Publication.objects.filter(status="queued").count() == 1
        queued.clear()  # not run here: the first test renders a version for real


def test_a_publication_cut_short_gives_way_to_a_new_one(report):
    stuck = Publication.objects.create(
        report=report, status="running", started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    fresh, created = publishing.request_publication(report=report)
    assert created and fresh.status == "queued"
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "Interrupted" in stuck.error
    # One running at a time, whoever asks.
    assert publishing.request_publication(report=report) == (fresh, False)


def test_a_publication_no_worker_took_is_queued_again(report, django_capture_on_commit_callbacks):
    waiting = Publication.objects.create(report=report, requested_at=timezone.now() - datetime.timedelta(minutes=10))
    Publication.objects.create(report=AnnualReportFactory(fiscal_year=FiscalYear(2018)))  # just clicked: left alone
    with django_capture_on_commit_callbacks() as queued:
        assert resume_publications() == {"interrupted": 0, "requeued": 1}
    assert len(queued) == 1
    with mock.patch("reports.tasks.publishing.run_publication") as run:
        queued[0]()
    run.assert_called_once_with(waiting.pk)


def test_the_status_is_the_direction_s_only(report, client):
    assert client.get(STATUS).status_code == 302
    client.force_login(UserFactory(is_staff=True, groups=["Personnel"]))
    assert client.get(STATUS).status_code == 403
    assert client.post(PUBLISH).status_code == 403
    assert not Publication.objects.exists()


def test_publishing_from_the_admin_queues_it_and_links_to_its_progress(report, direction):
    changelist = reverse("admin:reports_annualreport_changelist")
    response = direction.post(changelist, {"action": "publish", "_selected_action": [report.pk]}, follow=True)
    (text,) = [str(m) for m in response.context["messages"]]
    assert text.startswith("Publication de 2017-2018 en cours") and f'href="{READINESS}#publication"' in text
    assert Publication.objects.get().status == "queued"
    # Ticking « Publié » does the same; the report stays unpublished until its version is made.
    other = AnnualReportFactory(fiscal_year=FiscalYear(2018))
    response = save_change_page(direction, AnnualReport, other, changes={"is_published": "on"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert not other.is_published and other.publications.get().status == "queued"


def test_with_workers_the_readiness_page_has_the_draft_pdf_rendered_ahead(
    report, direction, monkeypatch, django_capture_on_commit_callbacks
):
    from pole.celery import tasks_queued_on
    from reports import pdf
    from reports.tasks import prepare_report_pdf

    renders = []
    real = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, context, **kw: renders.append(1) or real(html, context, **kw))

    # Without workers the page queues nothing: the link renders the PDF, the page does not wait for it.
    with django_capture_on_commit_callbacks() as queued:
        assert direction.get(READINESS).status_code == 200
    assert queued == []

    with tasks_queued_on("memory://localhost/"):
        with django_capture_on_commit_callbacks() as queued:
            assert direction.get(READINESS).status_code == 200
    assert len(queued) == 1  # prepare_report_pdf, for a worker
    assert prepare_report_pdf(YEAR.label) == "ready"  # what the worker does
    assert renders == [1]
    response = direction.get(reverse("reports:annual-pdf", args=[YEAR.label]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert renders == [1]  # served from the cache the task filled
    assert prepare_report_pdf(YEAR.label) == "ready" and renders == [1]  # run again: nothing to render
