"""Apply the retention rules of the personal-information registry (pole/privacy.py), once a day.

    manage.py apply_retention             # anonymise and delete what is past its period
    manage.py apply_retention --dry-run   # say what it would do, change nothing
    manage.py apply_retention --now 2030-04-01   # as on that day (a test, a rehearsal)

Each rule keeps every row that a figure counts (a registration keeps its status, its presence
and its organisation; a contact stays a row of its member): only what tells who a person was
goes, for good. Run it from cron or the Celery beat schedule (README, « Retention »).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from pole.privacy import retention_rules


class Command(BaseCommand):
    help = "Anonymise or delete the personal information past its retention period (--dry-run: only say it)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would change; change nothing.")
        parser.add_argument("--now", help="Apply the rules as on this day (YYYY-MM-DD), e.g. to rehearse.")

    def handle(self, *args, dry_run=False, now=None, **options):
        moment = timezone.now()
        if now:
            try:
                day = datetime.date.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now {now!r}: write a date as YYYY-MM-DD.") from None
            moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(3, 0)))
        total = 0
        with transaction.atomic():
            for rule in retention_rules():
                count = rule.apply(now=moment, dry_run=dry_run)
                total += count
                values = {"rule": rule.key, "count": count, "description": rule.description}
                if dry_run:
                    line = ngettext(
                        "%(rule)s: %(count)d record would change — %(description)s",
                        "%(rule)s: %(count)d records would change — %(description)s",
                        count,
                    )
                else:
                    line = ngettext(
                        "%(rule)s: %(count)d record changed — %(description)s",
                        "%(rule)s: %(count)d records changed — %(description)s",
                        count,
                    )
                self.stdout.write(line % values)
        if dry_run:
            summary = ngettext(
                "%(count)d record would be anonymised or deleted (--dry-run: nothing changed).",
                "%(count)d records would be anonymised or deleted (--dry-run: nothing changed).",
                total,
            )
        else:
            summary = ngettext(
                "%(count)d record was anonymised or deleted.", "%(count)d records were anonymised or deleted.", total
            )
        self.stdout.write(summary % {"count": total})
