"""Renewing memberships: the admin's one-click renewal, and the yearly renewal campaign.

The campaign (``open_campaign``) e-mails the representatives of last year's members a link to
« Renouveler » in the portal; ``due_reminders`` / ``send_reminders`` (the daily command
``send_dues_reminders``) chase those who have not renewed or not paid.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Contact, DuesNotice, DuesRate, Invoice, Member, Membership, RenewalCampaign
from pole.collation import french_order
from pole import outbox
from pole.fiscal_years import FiscalYear
from pole.formatting import format_date
from pole.identity import from_address, get_identity

from .dues import format_money


@dataclass
class RenewalResult:
    """What a renewal did: memberships created, by fiscal year, and members left alone."""

    created: Counter = field(default_factory=Counter)
    skipped: int = 0

    @property
    def created_count(self):
        return sum(self.created.values())


@transaction.atomic
def renew_memberships(*, members, today=None):
    """Give each member the membership of the fiscal year after its latest one.

    A member without any membership gets the current fiscal year's. A member
    whose latest membership is already past the current fiscal year holds the
    following year's already: it is skipped, so that a second click does not
    run a year further ahead. Dues and payment date are left empty, to be
    filled in when paid. Three queries, whatever the number of members.
    """
    current = FiscalYear.containing(today) if today else FiscalYear.current()
    # The members' pks first: ``members`` may come filtered on a membership year,
    # which would hide the later memberships from a Max over the same join.
    member_ids = sorted(set(members.values_list("pk", flat=True)))
    latest = dict(
        Membership.objects.filter(member_id__in=member_ids)
        .values("member_id")
        .annotate(latest=Max("fiscal_year"))
        .values_list("member_id", "latest")
        .order_by()
    )
    result = RenewalResult()
    new = []
    for member_id in member_ids:
        latest_year = latest.get(member_id)
        target = FiscalYear.parse(latest_year).next if latest_year else current
        if target > current.next:
            result.skipped += 1
            continue
        new.append(Membership(member_id=member_id, fiscal_year=target))
        result.created[target] += 1
    Membership.objects.bulk_create(new)
    return result


# --- The yearly renewal campaign: invitations and reminders ---------------------------------


class CampaignError(Exception):
    """The campaign cannot be opened; the message says why."""


def campaign_members(fiscal_year):
    """The members a campaign for ``fiscal_year`` invites: those holding a membership the year before."""
    return Member.objects.filter(memberships__fiscal_year=fiscal_year.previous)


def representatives_by_member(member_ids):
    """Map each member id to its representatives' e-mail addresses (active portal accounts). One query."""
    addresses = defaultdict(list)
    rows = (
        Contact.objects.filter(member_id__in=member_ids, user__is_active=True, user__is_staff=False)
        .order_by(french_order("last_name"), french_order("first_name"))
        .values_list("member_id", "user__email")
    )
    for member_id, email in rows:
        addresses[member_id].append(email)
    return addresses


def _send_notice(*, member, fiscal_year, kind, recipients, today, base_url, invoice=None):
    """E-mail one notice to ``recipients`` and log it (``DuesNotice``), in one transaction.

    The message goes to the outbox with the notice and is sent after the commit: a mail server
    that is down delays it, never loses it. The notice's once-a-day constraint, should a run in
    parallel have logged one already, rolls back this message too.
    """
    context = {
        "member": member,
        "fiscal_year": fiscal_year,
        "invoice": invoice,
        "amount": format_money(invoice.total) if invoice else "",
        "due_on": format_date(invoice.due_on) if invoice and invoice.due_on else "",
        "link": base_url.rstrip("/") + reverse("members:renew", args=[fiscal_year.label]),
        "portal_link": base_url.rstrip("/") + reverse("members:invoices"),
        "network": get_identity(),
        "network_name": get_identity().name,
    }
    subject, body = outbox.render_email(
        f"members/email/dues_{kind}_subject.txt", f"members/email/dues_{kind}.txt", context
    )
    with transaction.atomic():
        DuesNotice.objects.create(
            member=member, fiscal_year=fiscal_year, kind=kind, sent_on=today, recipients=", ".join(recipients)
        )
        outbox.enqueue(EmailMessage(subject, body, from_address(), to=list(recipients)), kind=f"members.dues_{kind}")


@dataclass
class CampaignOpening:
    invited: int = 0
    without_representative: list = field(default_factory=list)


def open_campaign(*, campaign, opened_by, base_url, today=None):
    """Open ``campaign`` and e-mail every member of the previous year's representatives the link.

    Members without a representative's account are returned (staff reach them another way).
    Refused when the campaign is already open or the dues schedule of its year is empty.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        campaign = RenewalCampaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.opened_on is not None:
            raise CampaignError(_("The renewals of %(year)s are already open.") % {"year": campaign.fiscal_year})
        if not DuesRate.objects.filter(fiscal_year=campaign.fiscal_year).exists():
            raise CampaignError(
                _("Set the dues of %(year)s before opening its renewals.") % {"year": campaign.fiscal_year}
            )
        campaign.opened_on = today
        campaign.opened_by = opened_by
        campaign.save(update_fields=["opened_on", "opened_by"])
    result = CampaignOpening()
    members = list(campaign_members(campaign.fiscal_year).exclude(dues_notices__sent_on=today).order_by(french_order("name")))
    addresses = representatives_by_member([m.pk for m in members])
    for member in members:
        if not addresses[member.pk]:
            result.without_representative.append(member)
            continue
        _send_notice(
            member=member,
            fiscal_year=campaign.fiscal_year,
            kind=DuesNotice.Kind.INVITATION,
            recipients=addresses[member.pk],
            today=today,
            base_url=base_url,
        )
        result.invited += 1
    return result


@dataclass(frozen=True)
class Reminder:
    """A reminder due today: to whom, about what."""

    member: Member
    fiscal_year: FiscalYear
    kind: str
    recipients: list
    invoice: object = None


def wait_before(reminders_sent):
    """Days to wait after the previous e-mail before the next reminder (settings.POLE_DUES_REMINDER_DAYS)."""
    days = settings.POLE_DUES_REMINDER_DAYS
    return days[min(reminders_sent, len(days) - 1)]


def due_reminders(*, today):
    """List the reminders due ``today`` for every open campaign. Five queries per campaign.

    - renewal reminder: an invited member of the campaign who has no invoice for the year
      yet, once ``wait_before(n)`` days have passed since its last e-mail about the year
      (the invitation, then each reminder);
    - payment reminder: a member whose invoice for the year is past due with a balance, the
      day after the due date, then ``wait_before(n)`` days after the previous one;
    - never a member who already received an e-mail about dues today, nor one without a
      representative's account.
    """
    reminders = []
    for campaign in RenewalCampaign.objects.filter(opened_on__isnull=False, closed=False).order_by("fiscal_year"):
        fiscal_year = campaign.fiscal_year
        notices = defaultdict(list)
        for notice in DuesNotice.objects.filter(fiscal_year=fiscal_year).order_by("sent_on"):
            notices[notice.member_id].append(notice)
        already_today = set(DuesNotice.objects.filter(sent_on=today).values_list("member_id", flat=True))
        invoices = {
            invoice.member_id: invoice
            for invoice in Invoice.objects.live().filter(fiscal_year=fiscal_year).with_paid().select_related("member")
        }
        invited = {member_id for member_id, sent in notices.items() if any(n.kind == "invitation" for n in sent)}
        members = {m.pk: m for m in Member.objects.filter(pk__in=invited | set(invoices)).order_by(french_order("name"))}
        addresses = representatives_by_member(list(members))
        for member_id, member in members.items():  # already in French order (dict keeps it)
            if member_id in already_today or not addresses[member_id]:
                continue
            sent = notices.get(member_id, [])
            invoice = invoices.get(member_id)
            if invoice is None:
                reminders_sent = sum(1 for n in sent if n.kind == DuesNotice.Kind.RENEWAL_REMINDER)
                last = max(n.sent_on for n in sent)
                if (today - last).days >= wait_before(reminders_sent):
                    reminders.append(
                        Reminder(member, fiscal_year, DuesNotice.Kind.RENEWAL_REMINDER, addresses[member_id])
                    )
                continue
            if invoice.paid_amount >= invoice.total or invoice.due_on is None or today <= invoice.due_on:
                continue
            payment_reminders = [n.sent_on for n in sent if n.kind == DuesNotice.Kind.PAYMENT_REMINDER]
            if payment_reminders and (today - max(payment_reminders)).days < wait_before(len(payment_reminders) - 1):
                continue
            reminders.append(
                Reminder(member, fiscal_year, DuesNotice.Kind.PAYMENT_REMINDER, addresses[member_id], invoice)
            )
    return reminders


def send_reminders(reminders, *, today, base_url):
    """E-mail each of ``reminders`` and log it; a member already e-mailed today (a run in parallel) is skipped."""
    sent = 0
    for reminder in reminders:
        try:
            _send_notice(
                member=reminder.member,
                fiscal_year=reminder.fiscal_year,
                kind=reminder.kind,
                recipients=reminder.recipients,
                today=today,
                base_url=base_url,
                invoice=reminder.invoice,
            )
        except IntegrityError:
            continue  # the once-a-day constraint: another run e-mailed this member today
        sent += 1
    return sent


def send_due_reminders(*, today, base_url):
    """E-mail every reminder due ``today`` (the daily job: command or periodic task). Return how many."""
    return send_reminders(due_reminders(today=today), today=today, base_url=base_url)
