"""The personal fields of members, contacts, accounts, governance and billing (pole/privacy.py).

Their retention rule (contacts of organisations gone for years), their part of a person's
data, and how a person is erased on request.
"""

import datetime

from django.conf import settings
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from pole.fiscal_years import FiscalYear
from pole.privacy import email_condition, not_personal, person_data, person_eraser, register, retention_rule

from .models import BoardMandate, Contact, DuesNotice, Invitation, Invoice, Member, StaffMember, User

# What an anonymised person's name becomes: nothing of the person is left, the row (and every count) is.
ANONYMOUS_FIRST_NAME = "Personne"
ANONYMOUS_LAST_NAME = "anonymisée"

WHILE_MEMBER = _("while the organisation is a member, then anonymised after the period for former members (three years by default)")

register(
    "members.user",
    ["email", "first_name", "last_name", "password", "last_login"],
    what=_("portal account: e-mail, name, password (stored hashed only) and last login"),
    category="identity",
    purpose=_("log in to the member portal or the administration"),
    seen_by=["person", "direction"],
    retention=_("while the account is open; closed and anonymised with its contact"),
)
register(
    "members.contact",
    ["first_name", "last_name", "email", "phone"],
    category="contact",
    purpose=_("reach the people of member organisations about their membership, dues and events"),
    seen_by="representative",
    retention=WHILE_MEMBER,
)
register(
    "members.contact",
    ["role"],
    category="role",
    purpose=_("know who speaks for the organisation"),
    seen_by="representative",
    retention=WHILE_MEMBER,
)
register(
    "members.historicalcontact",
    ["history_change_reason"],
    category="contact",
    purpose=_("the history of changes to a contact, so that staff can see and undo them"),
    seen_by="staff",
    retention=_("deleted with the contact's anonymisation"),
    what=_("the history of a contact's changes"),
)
register(
    "members.invitation",
    ["email"],
    category="contact",
    purpose=_("send a representative the link that opens their portal account"),
    seen_by="staff",
    retention=WHILE_MEMBER,
)
register(
    "members.boardmandate",
    ["name", "organisation"],
    category="role",
    purpose=_("publish the board of directors in the annual report, as the law on non-profits expects"),
    seen_by="public",
    retention=_("kept with the annual reports, which are the network's archives"),
)
register(
    "members.boardmandate",
    ["photo", "photo_consent"],
    category="image",
    purpose=_("print the board member's photo in the annual report, with their consent"),
    seen_by="public",
    retention=_("until the consent is withdrawn"),
)
register(
    "members.staffmember",
    ["name", "title", "email"],
    category="role",
    purpose=_("publish the network's staff in the annual report and on the site"),
    seen_by="public",
    retention=_("kept with the annual reports, which are the network's archives"),
)
register(
    "members.staffmember",
    ["photo", "photo_consent"],
    category="image",
    purpose=_("print the staff member's photo in the annual report, with their consent"),
    seen_by="public",
    retention=_("until the consent is withdrawn"),
)
register(
    "members.invoice",
    ["member_name", "member_address", "member_contact"],
    category="billing",
    purpose=_(
        "invoice the dues (the organisation's billing name and address, and the person, e-mail and phone "
        "the invoice is sent to, as on the day of the invoice)"
    ),
    seen_by="representative",
    retention=_("six years after the fiscal year, as tax law requires; never changed"),
)
register(
    "members.payment",
    ["reference"],
    category="billing",
    purpose=_("record a payment (cheque number or transfer confirmation)"),
    seen_by="staff",
    retention=_("six years after the fiscal year, as tax law requires"),
)
register(
    "members.duesnotice",
    ["recipients"],
    category="correspondence",
    purpose=_("know which dues e-mails were sent to whom, so as not to send them twice"),
    seen_by="staff",
    retention=WHILE_MEMBER,
)
not_personal(
    "members.member",
    ["name", "address", "phone", "email", "description", "logo"],
    reason="An organisation's own details, published in the directory with its consent.",
)
not_personal("members.membership", ["waiver_reason"], reason="Why an organisation's dues are waived.")
not_personal("members.territory", ["name"], reason="A place's name.")
not_personal("members.sector", ["name"], reason="A sector's name.")
not_personal("members.historicalmember", ["history_change_reason"], reason="A change to an organisation.")
not_personal(
    "members.invoice",
    ["issuer_name", "issuer_address", "description", "reason"],
    reason="The network's own name and address, the invoice's line and why a credit note cancels it.",
)


# --- Retention --------------------------------------------------------------------------------


def anonymise_contacts(contacts):
    """Make ``contacts`` anonymous for good: names, e-mail, phone and role gone, the history of them too.

    Their accounts are closed and stripped (the e-mail replaced by an address that reaches nobody):
    no hash of anything is kept, so nothing can be matched back.
    """
    contacts = list(contacts)
    ids = [contact.pk for contact in contacts]
    user_ids = [contact.user_id for contact in contacts if contact.user_id]
    Contact.objects.filter(pk__in=ids).update(
        first_name=ANONYMOUS_FIRST_NAME, last_name=ANONYMOUS_LAST_NAME, email="", phone="", role="", user=None
    )
    Contact.history.filter(id__in=ids).delete()
    Invitation.objects.filter(contact_id__in=ids).delete()
    anonymise_users(user_ids)
    return len(ids)


def anonymise_users(user_ids):
    for user in User.objects.filter(pk__in=user_ids):
        user.email = f"anonyme-{user.pk}@anonyme.invalid"
        user.first_name = user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()


def former_member_ids(today):
    """Members whose last membership ended more than the period ago (or who never held one, created as long ago)."""
    years = settings.POLE_RETENTION_FORMER_MEMBER_YEARS
    last_year_before = FiscalYear(FiscalYear.containing(today).start_year - years)
    created_before = datetime.datetime.combine(today.replace(year=today.year - years), datetime.time(), datetime.UTC)
    rows = Member.objects.annotate(last_year=Max("memberships__fiscal_year")).filter(
        Q(last_year__lt=last_year_before) | Q(last_year__isnull=True, created_at__lt=created_before)
    )
    return list(rows.values_list("pk", flat=True))


@retention_rule(
    "former-member-contacts",
    _("contacts of organisations with no membership for the period (three years by default) are anonymised"),
)
def anonymise_former_members_contacts(*, now, dry_run):
    members = former_member_ids(now.date())
    contacts = Contact.objects.filter(member_id__in=members).exclude(
        first_name=ANONYMOUS_FIRST_NAME, last_name=ANONYMOUS_LAST_NAME, email="", phone=""
    )
    count = contacts.count()
    if not dry_run:
        anonymise_contacts(contacts)
        DuesNotice.objects.filter(member_id__in=members).exclude(recipients="").update(recipients="")
    return count


# --- A person's data --------------------------------------------------------------------------


@person_data("account", _("Account"))
def account(person):
    rows = []
    for user in User.objects.filter(email_condition("email", person.emails)):
        person.user_ids.add(user.pk)
        person.names.add(f"{user.first_name} {user.last_name}".strip())
        rows.append(
            {
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "active": user.is_active,
                "staff": user.is_staff,
                "date_joined": user.date_joined.isoformat(),
                "last_login": user.last_login.isoformat() if user.last_login else None,
            }
        )
    person.names.discard("")
    return rows


def _contacts_of(person):
    return Contact.objects.filter(email_condition("email", person.emails) | Q(user_id__in=person.user_ids)).select_related(
        "member", "user"
    )


@person_data("contacts", _("Contact of a member organisation"))
def contacts(person):
    rows = []
    for contact in _contacts_of(person).order_by("pk"):
        if contact.email:
            person.emails.add(contact.email.lower())
        if contact.user_id:
            person.user_ids.add(contact.user_id)
            person.emails.add(contact.user.email.lower())
        person.names.add(f"{contact.first_name} {contact.last_name}")
        rows.append(
            {
                "organisation": contact.member.name,
                "first_name": contact.first_name,
                "last_name": contact.last_name,
                "role": contact.role,
                "email": contact.email,
                "phone": contact.phone,
                "portal_account": contact.user.email if contact.user_id else None,
            }
        )
    return rows


@person_data("invitations", _("Portal invitations"))
def invitations(person):
    rows = Invitation.objects.filter(
        email_condition("email", person.emails) | Q(contact__in=_contacts_of(person))
    ).order_by("created_at")
    return [
        {
            "sent_to": row.email,
            "sent_at": row.created_at.isoformat(),
            "expires_at": row.expires_at.isoformat(),
            "accepted_at": row.accepted_at.isoformat() if row.accepted_at else None,
        }
        for row in rows
    ]


@person_data("staff", _("Staff"))
def staff(person):
    rows = []
    for row in StaffMember.objects.filter(email_condition("email", person.emails)):
        person.names.add(row.name)
        rows.append(_period(row) | {"name": row.name, "title": row.title, "email": row.email, "photo": bool(row.photo)})
    return rows


def _period(row):
    return {
        "start": row.start_date.isoformat() if row.start_date else None,
        "end": row.end_date.isoformat() if row.end_date else None,
    }


@person_data("board", _("Board of directors"))
def board(person):
    """Board mandates carry no e-mail: matched on the exact names found for the person so far."""
    condition = Q(pk__in=[])
    for name in person.names:
        condition |= Q(name__iexact=name)
    return [
        _period(row)
        | {"name": row.name, "role": row.get_role_display(), "organisation": row.organisation, "photo": bool(row.photo)}
        for row in BoardMandate.objects.filter(condition).order_by("start_date", "pk")
    ]


@person_data("invoices", _("Invoices and payments"))
def invoices(person):
    """The invoices the person issued from the portal, or of the organisations they represent, with their payments."""
    represented = Contact.objects.filter(user_id__in=person.user_ids, user__isnull=False).values("member_id")
    rows = (
        Invoice.objects.filter(Q(issued_by_id__in=person.user_ids) | Q(member_id__in=represented))
        .prefetch_related("payments")
        .order_by("fiscal_year", "kind", "number")
    )
    return [
        {
            "number": invoice.display_number,
            "fiscal_year": str(invoice.fiscal_year),
            "issued_on": invoice.issued_on.isoformat(),
            "billed_to": invoice.member_name,
            "address": invoice.member_address,
            "description": invoice.description,
            "total": str(invoice.total),
            "payments": [
                {"paid_on": payment.paid_on.isoformat(), "amount": str(payment.amount), "method": payment.method}
                for payment in invoice.payments.all()
            ],
        }
        for invoice in rows
    ]


@person_data("dues_notices", _("Dues e-mails"))
def dues_notices(person):
    rows = []
    for notice in DuesNotice.objects.filter(_recipients_condition(person.emails)).select_related("member"):
        addresses = {address.strip().lower() for address in notice.recipients.split(",")}
        if addresses & person.emails:
            rows.append(
                {"organisation": notice.member.name, "kind": notice.kind, "sent_on": notice.sent_on.isoformat()}
            )
    return rows


def _recipients_condition(emails):
    condition = Q(pk__in=[])
    for email in emails:
        condition |= Q(recipients__icontains=email)
    return condition


@person_eraser("contacts")
def erase_contacts(person, *, now):
    count = anonymise_contacts(_contacts_of(person))
    # An account without a contact (staff): closed and anonymised too.
    anonymise_users(person.user_ids)
    return count
