"""The task queue: Celery, configured from Django's settings (the ``CELERY_*`` names).

With a broker (``CELERY_BROKER_URL``, else ``REDIS_URL``), tasks run in worker processes,
``celery -A pole worker``, and ``celery -A pole beat`` sends the periodic ones below. Without a
broker, ``CELERY_TASK_ALWAYS_EAGER`` runs each task in the process that queued it: queued with
``enqueue_after_commit``, that is right after the transaction commits, so ``make run`` and the
tests need no other server.

Every task keeps its state in the database (the outbox, the publications) and is idempotent:
a task run twice, or a periodic task run twice in a day, does its work once.
"""

import os
import sys
from contextlib import contextmanager

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pole.settings")

app = Celery("pole")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app's tasks live in its tasks.py.
app.autodiscover_tasks()

# The periodic tasks, sent by `celery -A pole beat` (README, « Tasks »). A deployment without a
# scheduler runs the same work from cron with the management commands the README lists.
app.conf.beat_schedule = {
    # E-mails whose attempt failed, once their wait is over; attempts cut short by a worker's death.
    "outbox-send-due": {"task": "pole.tasks.send_due_emails", "schedule": 60.0},
    # Publications queued while the broker was away, or cut short by a worker's death.
    "reports-resume-publications": {"task": "reports.tasks.resume_publications", "schedule": 300.0},
    # Seats held for registrations not confirmed in time go to the waiting list (activities/registrations.py).
    "activities-release-held-seats": {
        "task": "pole.tasks.run_daily_command",
        "schedule": 300.0,
        "args": ["release_held_seats"],
    },
    # The dues reminders, once a day (members/billing/renewals.py; at most one e-mail a member a day).
    "members-dues-reminders": {"task": "members.tasks.send_dues_reminders", "schedule": crontab(hour=8, minute=30)},
    # The retention job of the personal-information registry (manage.py apply_retention, pole/privacy.py):
    # needs after the event, non-member registrants, login records, contacts of former members.
    "pole-apply-retention": {
        "task": "pole.tasks.run_daily_command",
        "schedule": crontab(hour=3, minute=15),
        "args": ["apply_retention"],
    },
}


@signals.celeryd_init.connect
@signals.beat_init.connect
def refuse_to_start_without_a_broker(**kwargs):
    """A worker or beat without ``CELERY_BROKER_URL``/``REDIS_URL`` would wait on a server nobody uses.

    SystemExit, not an exception: Celery logs a signal handler's exceptions and goes on.
    """
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Written here, to the real standard error: beat swallows its SystemExit and redirects sys.stderr.
        print(
            "Set REDIS_URL (or CELERY_BROKER_URL) for the web processes and the workers alike: "
            "without a broker, tasks run in the web process and a worker has nothing to do.",
            file=sys.__stderr__,
        )
        raise SystemExit(1)


@contextmanager
def tasks_queued_on(url, *, queue=None):
    """Within the block, this process queues its tasks on the broker at ``url`` (and ``queue``).

    For a benchmark that times a request without its task (``memory://``) or a test whose
    worker takes them from Redis. Celery caches its routing and kombu its connection pools:
    both are dropped on the way in and out, so that the change applies.
    """
    from django.test import override_settings
    from kombu import pools

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    changes = {"broker_url": url, "task_always_eager": False}
    if queue:
        changes["task_default_queue"] = queue

    def reset():
        app.__dict__.pop("amqp", None)  # the routing, built from the conf once
        app._pool = None
        pools.reset()  # kombu's connection and producer pools, per broker and process-wide

    app.conf.update(changes)
    reset()
    try:
        with override_settings(
            CELERY_BROKER_URL=url,
            CELERY_TASK_ALWAYS_EAGER=False,
            CELERY_TASK_DEFAULT_QUEUE=queue or saved["task_default_queue"],
        ):
            yield app
    finally:
        app.conf.update(saved)
        reset()


def task_named(name):
    """The task registered as ``name`` (``"pole.tasks.send_email"``), every app's tasks.py loaded first.

    Queuing by name keeps the code that queues a task from importing the module that defines it,
    which imports that code in turn.
    """
    if name not in app.tasks:
        app.loader.import_default_modules()  # Celery's autodiscovery of each app's tasks.py
    return app.tasks[name]


def enqueue_after_commit(name, *args):
    """Queue the task ``name`` with ``args`` once the current transaction commits (at once outside one).

    The task never sees data its transaction has not committed, and a rolled-back action queues
    nothing. ``robust``: a broker that cannot be reached is logged, never turned into an error
    for the action that has just been saved; the periodic sweeps queue the work again.
    """
    from django.db import transaction

    task = task_named(name)
    transaction.on_commit(lambda: task.delay(*args), robust=True)
