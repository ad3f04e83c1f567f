"""E-mail the dues reminders due today; meant for a daily scheduler (README, « Dues reminders »)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.billing.models import DuesNotice
from members.billing.renewals import due_reminders, send_reminders


class Command(BaseCommand):
    help = "E-mail reminders to members who have not renewed or not paid; --dry-run prints them instead."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print the reminders due, send nothing.")
        parser.add_argument("--today", help="The day to act as (AAAA-MM-JJ); today by default.")
        parser.add_argument(
            "--base-url", default=settings.POLE_SITE_URL, help="The site's address for the links (POLE_SITE_URL)."
        )

    def handle(self, *args, dry_run=False, today=None, base_url=None, **options):
        try:
            today = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(_("--today must be a date such as 2017-06-01.")) from None
        reminders = due_reminders(today=today)
        for reminder in reminders:
            line = _("would send: %(notice)s") if dry_run else _("sending: %(notice)s")
            notice = " · ".join(
                [
                    reminder.fiscal_year.label,
                    str(DuesNotice.Kind(reminder.kind).label),
                    reminder.member.name,
                    ", ".join(reminder.recipients),
                ]
            )
            self.stdout.write(line % {"notice": notice})
        if dry_run:
            count = len(reminders)
            self.stdout.write(
                ngettext(
                    "%(count)d reminder due; nothing sent (--dry-run).",
                    "%(count)d reminders due; nothing sent (--dry-run).",
                    count,
                )
                % {"count": count}
            )
            return
        sent = send_reminders(reminders, today=today, base_url=base_url)
        self.stdout.write(ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", sent) % {"count": sent})
