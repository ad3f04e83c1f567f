"""Publishing with a real worker, in a real Chromium: the click answers at once, the page follows the task.

The app queues its tasks on Redis (a queue of this test's own) and a real Celery worker runs
them (pole/tests/celery_worker.py). The Direction clicks « Publier une version » before any
worker runs: the page answers at once with « Publication en cours… », and a second click (from
a page opened earlier) starts nothing more. Then a worker starts: the page, which follows the
publication by itself (static/reports/publication.js, allowed by the Content-Security-Policy),
ends on the new version. Set POLE_SCREENSHOTS to a folder to keep the pictures.
"""

import os
import threading
from pathlib import Path
from unittest import mock

import pytest

from conftest import DESKTOP, PHONE, admin_log_in
from pole.tests.celery_worker import new_queue, use_broker, worker_thread
from reports.models import Publication, ReportVersion
from reports.publishing import publish as real_publish

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

READINESS = "/rapports/2016-2017/verification/"
# Publishing renders the archival PDF and the self-contained file: seconds alone, longer on a busy
# machine. The page waits for its end up to this bound.
PUBLISHING = 180_000


@pytest.fixture
def screenshots(tmp_path):
    folder = Path(os.environ.get("POLE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def words(locator):
    return " ".join(locator.inner_text().replace("\u00a0", " ").split())


def test_the_click_answers_at_once_and_the_page_follows_the_worker_to_the_new_version(
    e2e_demo, new_page, settings, redis_url, screenshots
):
    queue = new_queue()
    with use_broker(queue, url=redis_url, settings=settings):
        direction = new_page(DESKTOP)
        admin_log_in(direction, "direction@exemple.org")
        refused = []
        direction.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
        earlier = direction.context.new_page()  # the same session, on a page opened before the click
        earlier.goto(READINESS)
        direction.goto(READINESS)

        direction.get_by_role("button", name="Publier une version").click()
        progress = direction.locator(".publication-progress")
        progress.wait_for()
        assert words(progress).startswith("Publication en cours… demandée à")
        assert direction.get_by_role("button", name="Publier une version").count() == 0
        assert Publication.objects.get().status == "queued" and not ReportVersion.objects.exists()
        direction.screenshot(path=screenshots / "publication-en-cours-1280.png", full_page=True)
        phone = new_page(PHONE)
        phone.context.add_cookies(direction.context.cookies())
        phone.goto(READINESS + "#publication")
        phone.locator(".publication-progress").wait_for()
        phone.screenshot(path=screenshots / "publication-en-cours-390.png", full_page=True)

        # A second click, from the page opened before: no second publication.
        earlier.get_by_role("button", name="Publier une version").click()
        assert "Une publication de ce rapport est déjà en cours : la voici." in words(earlier.locator("main"))
        assert Publication.objects.count() == 1

        # Only the Direction's page follows the publication from here. On SQLite the live server's
        # threads and the worker's share the test's one in-memory connection; every page that polls
        # adds a thread querying it while the worker publishes, and CPython's sqlite3 can deadlock
        # two threads of one connection when a query calls back into Python (the French collation).
        earlier.close()
        phone.close()
        # A worker starts: the page follows the publication to its end without anyone reloading it.
        # The worker's rendering waits at a gate until the page has shown it running (so that the
        # picture of that moment never depends on the machine's speed), then publishes for real.
        gate = threading.Event()

        def publish_after_the_gate(**kwargs):
            assert gate.wait(PUBLISHING / 1000), "the test never opened the gate"
            return real_publish(**kwargs)

        with mock.patch("reports.publishing.publish", publish_after_the_gate):
            with worker_thread(queue, url=redis_url, settings=settings):
                direction.get_by_text("le PDF d’archivage et le fichier HTML sont en préparation").wait_for(
                    timeout=PUBLISHING
                )
                direction.screenshot(path=screenshots / "publication-en-preparation-1280.png", full_page=True)
                gate.set()
                done = direction.locator(".publication-done")
                done.wait_for(timeout=PUBLISHING)
        assert words(done).startswith("La version 1 du rapport 2016-2017 est publiée")
        assert "Les pages publiques présentent la version 1" in words(direction.locator(".publication"))
        assert direction.locator("table.versions tbody tr").count() == 1
        direction.screenshot(path=screenshots / "publication-terminee-1280.png", full_page=True)

    publication = Publication.objects.get()
    assert publication.status == "done" and publication.version.number == 1
    assert ReportVersion.objects.count() == 1
    assert not [text for text in refused if "Content Security Policy" in text], refused

    # A later publication that failed (its worker's error recorded): the page says so in French and
    # offers to try again.
    Publication.objects.create(
        report=publication.report,
        status="failed",
        error="OSError: [Errno 28] No space left on device",
        started_at=publication.finished_at,
        finished_at=publication.finished_at,
    )
    direction.goto(READINESS)
    failure = direction.locator(".publication-failed")
    assert "n’a pas abouti : rien n’a été publié" in words(failure)
    assert "Les pages publiques présentent toujours la version 1." in words(failure)
    assert failure.get_by_role("button", name="Réessayer la publication").count() == 1
    direction.screenshot(path=screenshots / "publication-echouee-1280.png", full_page=True)
