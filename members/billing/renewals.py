"""Renewing memberships: the admin's one-click renewal, and the yearly renewal campaign.

The campaign (``open_campaign``) e-mails the representatives of last year's members a link to
« Renouveler » in the portal; ``due_reminders`` / ``send_reminders`` (the daily command
``send_dues_reminders``) chase those who have not renewed or not paid.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Contact, DuesNotice, DuesRate, Invoice, Member, Membership, RenewalCampaign
from pole import outbox
from pole.collation import french_order, french_sort_key
from pole.fiscal_years import FiscalYear
from pole.formatting import format_date
from pole.identity import from_address, get_identity
from pole.models import Unsubscription
from pole.unsubscribe import unsubscribed

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
        outbox.enqueue(
            EmailMessage(subject, body, from_address(), to=list(recipients)),
            kind=f"members.dues_{kind}",
            unsubscribe=Unsubscription.Kind.DUES,
        )


@dataclass
class CampaignOpening:
    invited: int = 0
    without_representative: list = field(default_factory=list)
    # Members whose every representative unsubscribed from dues e-mails: staff reach them another way.
    unsubscribed: list = field(default_factory=list)


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
    refused = unsubscribed_addresses({address for found in addresses.values() for address in found})
    for member in members:
        if not addresses[member.pk]:
            result.without_representative.append(member)
            continue
        recipients = [address for address in addresses[member.pk] if address not in refused]
        if not recipients:
            result.unsubscribed.append(member)
            continue
        _send_notice(
            member=member,
            fiscal_year=campaign.fiscal_year,
            kind=DuesNotice.Kind.INVITATION,
            recipients=recipients,
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


def unsubscribed_addresses(addresses):
    """Return those of ``addresses`` that asked for no more dues e-mails (the link at their foot).

    Canada's anti-spam law: the planner leaves these addresses out of every dues e-mail and
    says so. Dues e-mails are not treated as transactional (README « E-mails and the anti-spam
    law »): each carries an unsubscribe link, effective at once. One query.
    """
    return unsubscribed(Unsubscription.Kind.DUES, addresses)


@dataclass(frozen=True)
class ReminderDecision:
    """One member whose renewal is missing or unpaid, and what the reminders do about it today.

    ``outcome`` is ``due`` (``reminder`` goes today), ``waiting`` (not due yet, ``next_on``),
    ``sent_today``, ``no_address`` or ``unsubscribed``; ``reason`` says it in a sentence.
    """

    member: Member
    fiscal_year: FiscalYear
    situation: str
    outcome: str
    reason: str
    reminder: Reminder | None = None
    invoice: object = None
    next_on: object = None
    contacts: tuple = ()

    DUE, WAITING, SENT_TODAY, NO_ADDRESS, UNSUBSCRIBED = "due", "waiting", "sent_today", "no_address", "unsubscribed"


def _contacts_by_member(member_ids):
    """Map each member id to (its representatives' addresses, its other contacts as « name <e-mail> »). One query."""
    representatives, others = defaultdict(list), defaultdict(list)
    rows = (
        Contact.objects.filter(member_id__in=member_ids)
        .order_by("last_name", "first_name", "pk")
        .values_list("member_id", "first_name", "last_name", "email", "user__email", "user__is_active", "user__is_staff")
    )
    for member_id, first_name, last_name, email, account, active, staff in rows:
        if account and active and not staff:
            representatives[member_id].append(account)
        elif email:
            others[member_id].append(f"{first_name} {last_name} <{email}>".strip())
    return representatives, others


def reminder_plan(*, today):
    """Decide, for every open campaign, what each member with a missing or unpaid renewal gets today.

    The members concerned: last year's members (those the campaign invites) and the members
    invited, without a membership of the year (a renewal issues one; staff may also renew or
    waive by hand), and every member whose invoice of the year has a balance. For each:

    - not renewed: the renewal invitation if no dues e-mail about the year ever reached them
      (no representative's account when the renewals opened, one since), else a renewal
      reminder once ``wait_before(n)`` days have passed since the last e-mail about the year;
    - unpaid: nothing before the invoice's due date; a payment reminder the day after it,
      then ``wait_before(n)`` days after the previous one;
    - never a second dues e-mail to a member on one day; nothing without a representative's
      account (their other contacts are listed, to be invited or written to), nor to
      addresses that unsubscribed (``unsubscribed_addresses``).

    Returns ``ReminderDecision`` rows by campaign, then member name. Seven queries per campaign.
    """
    decisions = []
    for campaign in RenewalCampaign.objects.filter(opened_on__isnull=False, closed=False).order_by("fiscal_year"):
        decisions += _campaign_plan(campaign.fiscal_year, today)
    return decisions


def _campaign_plan(fiscal_year, today):
    notices = defaultdict(list)
    for notice in DuesNotice.objects.filter(fiscal_year=fiscal_year).order_by("sent_on", "pk"):
        notices[notice.member_id].append(notice)
    already_today = dict(DuesNotice.objects.filter(sent_on=today).values_list("member_id", "fiscal_year"))
    invoices = {
        invoice.member_id: invoice
        for invoice in Invoice.objects.live().filter(fiscal_year=fiscal_year).with_paid().order_by("issued_on", "pk")
    }
    invited = {member_id for member_id, sent in notices.items() if any(n.kind == DuesNotice.Kind.INVITATION for n in sent)}
    members = sorted(
        Member.objects.filter(
            Q(pk__in=invited | set(invoices)) | Q(memberships__fiscal_year=fiscal_year.previous)
        )
        .annotate(renewed=Exists(Membership.objects.filter(member=OuterRef("pk"), fiscal_year=fiscal_year)))
        .distinct()
        .order_by(),
        key=lambda member: (french_sort_key(member.name), member.pk),
    )
    representatives, others = _contacts_by_member([member.pk for member in members])
    refused = unsubscribed_addresses({address for addresses in representatives.values() for address in addresses})
    decisions = []
    for member in members:
        invoice = invoices.get(member.pk)
        if invoice is not None:
            if invoice.paid_amount >= invoice.total:
                continue
            situation = _("invoice %(number)s unpaid (balance %(balance)s, due on %(due)s)") % {
                "number": invoice.display_number,
                "balance": format_money(invoice.total - invoice.paid_amount),
                "due": format_date(invoice.due_on) if invoice.due_on else "—",
            }
        elif member.renewed:
            continue  # renewed by staff, or dues waived: nothing to chase
        else:
            situation = _("not renewed")
        decisions.append(
            _decide(
                member,
                fiscal_year,
                today,
                situation=situation,
                invoice=invoice,
                sent=notices.get(member.pk, []),
                sent_today=member.pk in already_today,
                addresses=[a for a in representatives[member.pk] if a not in refused],
                unsubscribed=[a for a in representatives[member.pk] if a in refused],
                others=tuple(others[member.pk]),
            )
        )
    return decisions


def _decide(member, fiscal_year, today, *, situation, invoice, sent, sent_today, addresses, unsubscribed, others):
    Decision = ReminderDecision
    common = {"member": member, "fiscal_year": fiscal_year, "situation": situation, "invoice": invoice}
    # When, by the intervals, the next e-mail would go; and which.
    if invoice is None:
        renewal_reminders = sum(1 for n in sent if n.kind == DuesNotice.Kind.RENEWAL_REMINDER)
        if sent:
            last = max(n.sent_on for n in sent)
            kind = DuesNotice.Kind.RENEWAL_REMINDER
            next_on = last + datetime.timedelta(days=wait_before(renewal_reminders))
            history = _("last dues e-mail on %(date)s") % {"date": format_date(last)}
        else:
            kind, next_on = DuesNotice.Kind.INVITATION, today
            history = _("never e-mailed about %(year)s") % {"year": fiscal_year.label}
    else:
        if invoice.due_on is None:
            return Decision(**common, outcome=Decision.WAITING, reason=_("the invoice has no due date"))
        kind = DuesNotice.Kind.PAYMENT_REMINDER
        payment_reminders = [n.sent_on for n in sent if n.kind == DuesNotice.Kind.PAYMENT_REMINDER]
        if payment_reminders:
            last = max(payment_reminders)
            next_on = last + datetime.timedelta(days=wait_before(len(payment_reminders) - 1))
            history = _("payment reminded on %(date)s") % {"date": format_date(last)}
        else:
            next_on = invoice.due_on + datetime.timedelta(days=1)
            history = _("not yet reminded")
    if not addresses:
        if unsubscribed:
            return Decision(
                **common,
                outcome=Decision.UNSUBSCRIBED,
                reason=_("unsubscribed from dues e-mails: %(addresses)s") % {"addresses": ", ".join(unsubscribed)},
            )
        if others:
            reason = _("no contact has a portal account: invite one of %(contacts)s") % {"contacts": ", ".join(others)}
        else:
            reason = _("no contact with an e-mail address: add one to the member's contacts")
        if member.email:
            reason += " — " + _("the organisation's e-mail: %(email)s") % {"email": member.email}
        return Decision(**common, outcome=Decision.NO_ADDRESS, reason=reason, contacts=others)
    if sent_today:
        return Decision(**common, outcome=Decision.SENT_TODAY, reason=_("a dues e-mail went to it today already"))
    if next_on > today:
        if invoice is not None and today <= invoice.due_on:
            reason = _("not due yet: the invoice is due on %(date)s") % {"date": format_date(invoice.due_on)}
        else:
            reason = _("not due yet (%(history)s): next reminder on %(date)s") % {
                "history": history,
                "date": format_date(next_on),
            }
        return Decision(**common, outcome=Decision.WAITING, reason=reason, next_on=next_on)
    reminder = Reminder(member, fiscal_year, kind, addresses, invoice)
    reason = {
        DuesNotice.Kind.INVITATION: _("renewal invitation (%(history)s)"),
        DuesNotice.Kind.RENEWAL_REMINDER: _("renewal reminder (%(history)s)"),
        DuesNotice.Kind.PAYMENT_REMINDER: _("payment reminder (%(history)s)"),
    }[kind] % {"history": history}
    return Decision(**common, outcome=Decision.DUE, reason=reason, reminder=reminder, next_on=today)


def due_reminders(*, today):
    """List the reminders due ``today`` for every open campaign (``reminder_plan``'s due ones)."""
    return [decision.reminder for decision in reminder_plan(today=today) if decision.reminder is not None]


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
