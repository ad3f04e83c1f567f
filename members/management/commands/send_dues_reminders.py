"""E-mail the dues reminders due today; meant for a daily scheduler (README, « Dues reminders »).

``--dry-run`` sends nothing and lists every member whose renewal is missing or unpaid, with
what today brings them and why: the reminder due, or not due yet (until when), a dues e-mail
already sent today, no address (with the contacts staff can invite), unsubscribed.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.billing.renewals import ReminderDecision, reminder_plan, send_reminders
from members.models import DuesNotice
from pole.formatting import format_date

# The groups of the dry run, in the order staff act on them.
GROUPS = (
    ReminderDecision.DUE,
    ReminderDecision.NO_ADDRESS,
    ReminderDecision.WAITING,
    ReminderDecision.SENT_TODAY,
    ReminderDecision.UNSUBSCRIBED,
)


def group_heading(outcome, count):
    headings = {
        ReminderDecision.DUE: _("Reminder today ({count}):"),
        ReminderDecision.NO_ADDRESS: _(
            "Without an address ({count}): invite a contact to the portal (Contacts, « Send an invitation »), "
            "or write to them:"
        ),
        ReminderDecision.WAITING: _("Not today ({count}):"),
        ReminderDecision.SENT_TODAY: _("Already e-mailed today ({count}):"),
        ReminderDecision.UNSUBSCRIBED: _("Unsubscribed ({count}):"),
    }
    return headings[outcome].format(count=count)


class Command(BaseCommand):
    help = (
        "E-mail reminders to members who have not renewed or not paid; --dry-run sends nothing and lists every "
        "member concerned with the reason each gets a reminder today or not."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Send nothing; list every member without renewal or payment and what today brings them.",
        )
        parser.add_argument("--today", help="The day to act as (AAAA-MM-JJ); today by default.")
        parser.add_argument(
            "--base-url", default=settings.POLE_SITE_URL, help="The site's address for the links (POLE_SITE_URL)."
        )

    def handle(self, *args, dry_run=False, today=None, base_url=None, **options):
        try:
            today = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(_("--today must be a date such as 2017-06-01.")) from None
        plan = reminder_plan(today=today)
        reminders = [decision.reminder for decision in plan if decision.reminder is not None]
        if dry_run:
            self.write_plan(plan, today)
            self.stdout.write(
                ngettext(
                    "%(count)d reminder due; nothing sent (--dry-run).",
                    "%(count)d reminders due; nothing sent (--dry-run).",
                    len(reminders),
                )
                % {"count": len(reminders)}
            )
            return
        for reminder in reminders:
            self.stdout.write(
                _("sending: %(year)s · %(kind)s · %(member)s · %(recipients)s")
                % {
                    "year": reminder.fiscal_year.label,
                    "kind": DuesNotice.Kind(reminder.kind).label,
                    "member": reminder.member.name,
                    "recipients": ", ".join(reminder.recipients),
                }
            )
        sent = send_reminders(reminders, today=today, base_url=base_url)
        self.stdout.write(ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", sent) % {"count": sent})
        unreachable = sum(1 for decision in plan if decision.outcome == ReminderDecision.NO_ADDRESS)
        if unreachable:
            self.stdout.write(
                ngettext(
                    "%(count)d member without an address was not reminded: --dry-run lists it.",
                    "%(count)d members without an address were not reminded: --dry-run lists them.",
                    unreachable,
                )
                % {"count": unreachable}
            )

    def write_plan(self, plan, today):
        """Every member concerned, by campaign, then by what today brings them."""
        if not plan:
            self.stdout.write(_("No open renewal campaign has a member without renewal or payment."))
        years = sorted({decision.fiscal_year for decision in plan})
        for year in years:
            rows = [decision for decision in plan if decision.fiscal_year == year]
            self.stdout.write(
                ngettext(
                    "Renewals %(year)s, on %(today)s: %(count)d member without renewal or payment.",
                    "Renewals %(year)s, on %(today)s: %(count)d members without renewal or payment.",
                    len(rows),
                )
                % {"year": year.label, "today": format_date(today), "count": len(rows)}
            )
            for outcome in GROUPS:
                group = [decision for decision in rows if decision.outcome == outcome]
                if not group:
                    continue
                self.stdout.write("")
                self.stdout.write(group_heading(outcome, len(group)))
                for decision in group:
                    line = f"  - {decision.member.name} — {decision.situation} — {decision.reason}"
                    if decision.reminder is not None:
                        line += " → " + ", ".join(decision.reminder.recipients)
                    self.stdout.write(line)
            self.stdout.write("")
