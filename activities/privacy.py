"""The personal fields of events' registrations (pole/privacy.py), their retention and a person's part.

Anonymising a registration keeps the row, its status, its presence, its payment and its
organisation: every count of registrants, of people present and of members reached stays
as it was; only what tells who the person was goes.
"""

import datetime
import secrets

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from pole.privacy import email_condition, not_personal, person_data, person_eraser, register, retention_rule

from .models import AddressHold, Registration

ANONYMOUS_NAME = "Personne anonymisée"

register(
    "activities.registration",
    ["name", "email", "phone"],
    category="event",
    purpose=_("register a person to an event, confirm it, tell them of changes and welcome them at the door"),
    seen_by=["person", "staff"],
    retention=_(
        "for a person registered for a member organisation, while the organisation is a member; "
        "for anyone else, anonymised three years after the event (a setting); a registration never "
        "confirmed by its e-mailed link is deleted two days after it was made (a setting)"
    ),
)
register(
    "activities.registration",
    ["needs"],
    category="health",
    purpose=_("plan the meal and the access of the event"),
    seen_by="staff",
    retention=_("erased 30 days after the event (a setting)"),
)
register(
    "activities.registration",
    ["client_address"],
    category="connection",
    purpose=_("limit the registrations one address can make, against robots"),
    seen_by="system",
    retention=_("erased after the period of login records (one year by default)"),
    what=_("the IP address a registration came from"),
)
register(
    "activities.addresshold",
    ["address"],
    category="connection",
    purpose=_("count the registrations of one address one after the other, against robots"),
    seen_by="system",
    retention=_("erased one day after its last registration"),
    what=_("the IP address registrations came from"),
)
register(
    "activities.registration",
    ["news_consent"],
    category="event",
    purpose=_("record the newsletter consent ticked on the form once the address is confirmed"),
    seen_by="system",
    retention=_("deleted with a registration never confirmed; kept with the registration otherwise"),
    what=_("whether the person asked for the newsletter when registering"),
)
not_personal(
    "activities.registration", ["organisation"], reason="The name of the organisation the person registers for."
)
not_personal("activities.activity", ["photo", "photo_caption", "description", "public_description"], reason=(
    "An event's own photo and text, published in the report; people in a published photo consent "
    "through the report's photo consent."
))
not_personal("activities.objective", ["name"], reason="An objective's name.")
not_personal("activities.project", ["title"], reason="A project's title.")
not_personal("activities.projectyear", ["body", "photo", "photo_caption"], reason="A project's yearly text and photo.")
not_personal("activities.campaign", ["name", "body", "photo", "photo_caption"], reason="A campaign's text and photo.")


def _event_end():
    return Coalesce("activity__end_date", "activity__start_date")


@retention_rule("needs-after-event", _("dietary and accessibility needs are erased 30 days after the event (a setting)"))
def erase_needs_after_event(*, now, dry_run):
    limit = now.date() - datetime.timedelta(days=settings.POLE_RETENTION_NEEDS_DAYS)
    rows = Registration.objects.alias(event_end=_event_end()).filter(event_end__lt=limit).exclude(needs="")
    count = rows.count()
    if not dry_run:
        rows.update(needs="")
    return count


def anonymous(registrations):
    """Anonymise ``registrations`` for good; the cancel link dies with a new random token. Return their number."""
    ids = list(registrations.values_list("pk", flat=True))
    for pk in ids:
        Registration.objects.filter(pk=pk).update(
            name=ANONYMOUS_NAME,
            email="",
            phone="",
            needs="",
            client_address=None,
            user=None,
            news_consent=False,
            cancel_token=secrets.token_urlsafe(32),
        )
    return len(ids)


@retention_rule(
    "non-member-registrants",
    _("registrants without a member organisation are anonymised three years after the event (a setting)"),
)
def anonymise_non_member_registrants(*, now, dry_run):
    limit = now.date().replace(year=now.date().year - settings.POLE_RETENTION_REGISTRANT_YEARS)
    rows = (
        Registration.objects.alias(event_end=_event_end())
        .filter(event_end__lt=limit, member__isnull=True)
        .exclude(name=ANONYMOUS_NAME, email="", phone="")
    )
    if dry_run:
        return rows.count()
    return anonymous(rows)


@retention_rule("registration-addresses", _("the client addresses of registrations are erased after the period of login records"))
def erase_registration_addresses(*, now, dry_run):
    limit = now - datetime.timedelta(days=settings.POLE_RETENTION_LOGIN_DAYS)
    rows = Registration.objects.filter(created_at__lt=limit, client_address__isnull=False)
    count = rows.count()
    if not dry_run:
        rows.update(client_address=None)
    return count


@retention_rule("registration-limit-addresses", _("the addresses held for the registration limit are erased a day after their last use"))
def erase_registration_limit_addresses(*, now, dry_run):
    rows = AddressHold.objects.filter(used_at__lt=now - datetime.timedelta(days=1))
    count = rows.count()
    if not dry_run:
        rows.delete()
    return count


@retention_rule(
    "unconfirmed-registrations",
    _("registrations never confirmed by their e-mailed link are deleted two days after they were made (a setting)"),
)
def delete_unconfirmed_registrations(*, now, dry_run):
    limit = now - datetime.timedelta(days=settings.POLE_RETENTION_UNCONFIRMED_DAYS)
    rows = Registration.objects.filter(status=Registration.Status.PENDING, created_at__lt=limit)
    count = rows.count()
    if not dry_run:
        rows.delete()
    return count


def _registrations_of(person):
    return Registration.objects.filter(email_condition("email", person.emails) | Q(user_id__in=person.user_ids))


@person_data("registrations", _("Event registrations"))
def registrations(person):
    rows = []
    for row in _registrations_of(person).select_related("activity", "member").order_by("activity__start_date", "pk"):
        person.names.add(row.name)
        rows.append(
            {
                "event": row.activity.title,
                "date": row.activity.start_date.isoformat(),
                "name": row.name,
                "email": row.email,
                "phone": row.phone,
                "organisation": row.organisation_name,
                "needs": row.needs,
                "status": row.status,
                "present": row.present,
                "paid": row.paid,
                "registered_at": row.created_at.isoformat(),
            }
        )
    return rows


@person_eraser("registrations")
def erase_registrations(person, *, now):
    return anonymous(_registrations_of(person))
