"""Send the outbox's e-mails whose attempt is due; for cron where no Celery beat runs (README, « Tasks »)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from pole.outbox import send_due


class Command(BaseCommand):
    help = "Send the e-mails of the outbox whose next attempt is due (what the periodic task does every minute)."

    def handle(self, *args, **options):
        sweep = send_due()
        self.stdout.write(
            _("%(sent)d sent, %(failed)d failed, %(stale)d interrupted, %(left)d left for the next run.")
            % {"sent": sweep.sent, "failed": sweep.failed, "stale": sweep.stale, "left": sweep.left}
        )
