"""Tasks run by real Celery workers over the real Redis, not in the web process.

The rest of the suite runs tasks right after each commit, in the test process (no broker): here
a worker takes them from Redis. Without Redis these tests are skipped on a developer's machine and
fail in CI (``CI`` set).
"""

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from activities import registrations
from activities.tests.factories import EventFactory
from pole import outbox
from pole.celery import app
from pole.models import OutboxMessage
from pole.tests.celery_worker import database_url_for_workers, wait_for


def sent(pk):
    """The outbox message is sent."""
    return OutboxMessage.objects.filter(pk=pk, status=OutboxMessage.Status.SENT).first()


def test_a_registration_e_mail_is_sent_by_a_worker_over_redis(celery_worker):
    assert app.conf.task_always_eager is False  # queued on Redis, not run by the web process
    event = EventFactory(title="Atelier de comptabilité", capacity=10)
    seat = registrations.register(
        activity=event, name="Marie Tremblay", email="marie@exemple.org", organisation="Coop", site_url="https://pole"
    )
    stored = wait_for(lambda: sent(seat.email.pk))
    assert stored.attempts == 1
    (message,) = mail.outbox
    assert message.to == ["marie@exemple.org"] and "Atelier de comptabilité" in message.subject


def test_the_worker_command_sends_an_outbox_e_mail_from_its_own_process(celery_worker_process, smtp_server):
    database_url = database_url_for_workers()
    if database_url is None:
        pytest.skip(
            "A worker process needs a database server it shares with the test (PostgreSQL); the in-memory "
            "SQLite test database is the test process's own. The worker thread's test runs on SQLite."
        )
    worker = celery_worker_process(
        env={
            "DATABASE_URL": database_url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_server.port),
            "EMAIL_USE_TLS": "false",
        }
    )
    stored = outbox.enqueue(
        EmailMessage("Rappel : l’atelier & le dîner", "À demain.", "Pôle <no-reply@exemple.org>", to=["paul@exemple.org"]),
        kind="test",
    )
    wait_for(lambda: sent(stored.pk))
    (delivered,) = smtp_server.messages
    assert delivered["To"] == "paul@exemple.org" and delivered["Subject"] == "Rappel : l’atelier & le dîner"
    assert mail.outbox == []  # not sent by the test process (its backend is the in-memory one)
    assert worker.process.poll() is None  # still serving


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_a_worker_or_beat_without_a_broker_refuses_to_start(command, tmp_path):
    import os
    import subprocess
    import sys

    from pole.tests.celery_worker import ROOT

    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "CELERY_BROKER_URL")}
    options = ["--pool", "solo"] if command == "worker" else ["--schedule", str(tmp_path / "beat")]
    finished = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "pole", command, *options],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 1
    assert "Set REDIS_URL (or CELERY_BROKER_URL)" in finished.stdout + finished.stderr
