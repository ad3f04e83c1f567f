"""The members' periodic tasks: the daily dues reminders."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from members.billing.renewals import send_due_reminders


@shared_task(name="members.tasks.send_dues_reminders")
def send_dues_reminders():
    """Once a day: the dues reminders due today (what ``manage.py send_dues_reminders`` does).

    Safe to run twice: a member gets at most one dues e-mail a day (``DuesNotice``'s constraint).
    Return the number of reminders written to the outbox.
    """
    return send_due_reminders(today=timezone.localdate(), base_url=settings.POLE_SITE_URL)
