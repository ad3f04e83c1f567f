"""The base's tasks: sending the outbox's e-mails, and running a daily management command.

Each is idempotent: ``send_email`` twice for one message sends it once (``pole.outbox.deliver``
claims it first); ``send_due_emails`` only takes messages whose attempt is due.
"""

import logging

from celery import shared_task
from django.core.management import call_command, get_commands

from pole import outbox

logger = logging.getLogger(__name__)


@shared_task(name="pole.tasks.send_email")
def send_email(pk):
    """Make one attempt at the outbox message ``pk`` (queued after the commit that wrote it)."""
    attempt = outbox.deliver(pk)
    return attempt.outcome


@shared_task(name="pole.tasks.send_due_emails")
def send_due_emails():
    """Every minute: the messages whose next attempt is due; sendings cut short are marked failed."""
    sweep = outbox.send_due()
    if sweep.sent or sweep.failed or sweep.stale:
        logger.info(
            "Outbox sweep: %s sent, %s failed, %s interrupted, %s left for the next sweep",
            sweep.sent,
            sweep.failed,
            sweep.stale,
            sweep.left,
        )
    return {"sent": sweep.sent, "failed": sweep.failed, "stale": sweep.stale, "left": sweep.left}


@shared_task(name="pole.tasks.run_daily_command")
def run_daily_command(name, *args):
    """Run the management command ``name`` (a daily job scheduled by name); skip it if it does not exist.

    The schedule may name a command that a later version brings (the retention job,
    ``apply_retention``): until then the task logs that it skipped it, and fails nothing.
    Return ``"skipped"`` or ``"done"``.
    """
    if name not in get_commands():
        logger.info("Daily command %s skipped: this version of the app has no such command.", name)
        return "skipped"
    call_command(name, *args)
    return "done"
