"""Registration to events (activities that open it): seats, waiting list, cancellation, the door.

Seats are allocated race-free: every write that changes who holds a seat locks the
activity's row first (``select_for_update`` inside ``transaction.atomic``), so two
registrations for the last seat are decided one after the other. On PostgreSQL the lock
is a row lock; SQLite locks the whole database for the write anyway. The database's unique
constraint refuses a second active registration of one e-mail address for one activity,
whatever the race. Each e-mail is written to the outbox in the transaction of the change that
causes it and sent once that transaction commits (pole/outbox.py): a mail server that is down
never undoes a registration, a cancellation or a promotion.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pole import outbox
from pole.identity import from_address, get_identity
from pole.text import normalize_email_identifier

from .calendar import activity_calendar, event_url
from .models import Activity, AddressHold, Registration


class RegistrationError(Exception):
    """A registration refused, with a message for the person (French when active)."""

    def __init__(self, message, *, field=None, status=400):
        super().__init__(message)
        self.field = field
        #: The HTTP status the page answers with (429 for the hourly limit).
        self.status = status


def too_many_message():
    return _("Too many registrations were sent from your address this hour; try again later.")


def too_many_from(address, *, now=None):
    """Whether ``address`` made the hour's allowed registrations already (POLE_REGISTRATION_LIMIT_PER_HOUR)."""
    if not address:
        return False
    since = (now or timezone.now()) - datetime.timedelta(hours=1)
    made = Registration.objects.filter(client_address=address, created_at__gte=since).count()
    return made >= settings.POLE_REGISTRATION_LIMIT_PER_HOUR


def _hold_address(address):
    """Hold ``address`` until the transaction ends: its registrations are counted one at a time.

    The UPDATE comes first: it locks the address's row (PostgreSQL) or the database (SQLite)
    before the count is read. A first registration creates the row; two creating it at once
    meet the unique constraint, and the second then waits on the first's row.
    """
    now = timezone.now()
    if AddressHold.objects.filter(address=address).update(used_at=now):
        return
    try:
        with transaction.atomic():
            AddressHold.objects.create(address=address, used_at=now)
    except IntegrityError:
        AddressHold.objects.filter(address=address).update(used_at=now)


@dataclass
class Seat:
    registration: Registration
    waiting_position: int | None = None  # 1 for the first person waiting
    email: object = None  # the confirmation's OutboxMessage (pole.models), when an address was given


def duplicate_message():
    return _("This e-mail address is already registered to this activity.")


def _locked_activity(activity_id):
    return Activity.objects.select_for_update().get(pk=activity_id)


def _seats_taken(activity):
    return Registration.objects.filter(activity=activity, status=Registration.Status.CONFIRMED).count()


def _has_free_seat(activity):
    return activity.capacity is None or _seats_taken(activity) < activity.capacity


def register(
    *,
    activity,
    name,
    email,
    member=None,
    organisation="",
    phone="",
    needs="",
    user=None,
    client_address=None,
    site_url="",
    now=None,
):
    """Register a person: a seat if one is free, else the waiting list. Return a ``Seat``.

    Raise ``RegistrationError`` when registration is closed, the address is registered
    already, or a non-member registers where only members may. The confirmation e-mail (with
    the event's .ics and a link to cancel) is sent once the registration is saved.
    """
    email = normalize_email_identifier(email)
    try:
        with transaction.atomic():
            if client_address:
                # Before the activity's lock, always in this order: no two registrations wait on each other.
                _hold_address(client_address)
                if too_many_from(client_address, now=now):
                    raise RegistrationError(too_many_message(), status=429)
            locked = _locked_activity(activity.pk)
            reason = locked.registration_closed_reason(now=now)
            if reason:
                raise RegistrationError(reason)
            if member is None and not locked.non_members_allowed:
                raise RegistrationError(_("Only member organisations may register to this activity."), field="member")
            if Registration.objects.active().filter(activity=locked, email=email).exists():
                raise RegistrationError(duplicate_message(), field="email")
            status = Registration.Status.CONFIRMED if _has_free_seat(locked) else Registration.Status.WAITING
            registration = Registration.objects.create(
                activity=locked,
                name=name,
                email=email,
                member=member,
                organisation=member.name if member is not None else organisation,
                phone=phone,
                needs=needs,
                status=status,
                user=user if user is not None and user.is_authenticated else None,
                client_address=client_address,
            )
            position = None
            if status == Registration.Status.WAITING:
                position = Registration.objects.waiting().filter(activity=locked, pk__lte=registration.pk).count()
            email = send_confirmation(registration, site_url=site_url, waiting_position=position)
    except IntegrityError:
        # The unique constraint, should a race slip past the check above (it cannot while the row is locked).
        raise RegistrationError(duplicate_message(), field="email") from None
    return Seat(registration, position, email)


def cancel(*, registration, site_url=""):
    """Cancel a registration; a freed seat goes to the first person waiting, who is e-mailed.

    Return the promoted registration, or None. Cancelling twice changes nothing.
    """
    with transaction.atomic():
        activity = _locked_activity(registration.activity_id)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            return None
        held_seat = current.status == Registration.Status.CONFIRMED
        current.status = Registration.Status.CANCELLED
        current.present = False
        current.cancelled_at = timezone.now()
        current.save(update_fields=["status", "present", "cancelled_at"])
        promoted = _promote(activity) if held_seat else []
        for person in promoted:
            send_promotion(person, site_url=site_url)
    registration.refresh_from_db()
    return promoted[0] if promoted else None


def fill_free_seats(*, activity, site_url=""):
    """Give free seats (after the capacity was raised, say) to the people waiting; return them."""
    with transaction.atomic():
        promoted = _promote(_locked_activity(activity.pk))
        for person in promoted:
            send_promotion(person, site_url=site_url)
    return promoted


def _promote(activity):
    """Confirm the first people waiting while seats are free. The activity's row is locked."""
    if activity.capacity is None:
        free = None
    else:
        free = activity.capacity - _seats_taken(activity)
        if free <= 0:
            return []
    waiting = Registration.objects.waiting().filter(activity=activity).select_for_update()
    chosen = list(waiting if free is None else waiting[:free])
    for registration in chosen:
        registration.status = Registration.Status.CONFIRMED
    Registration.objects.bulk_update(chosen, ["status"])
    return chosen


def set_present(*, registration, present):
    """Mark a confirmed registration present (or not) at the door."""
    if registration.status != Registration.Status.CONFIRMED:
        raise RegistrationError(_("Only a confirmed registration can be marked present."))
    Registration.objects.filter(pk=registration.pk).update(present=present)
    registration.present = present
    return registration


def add_walk_in(*, activity, name, email="", member=None, organisation="", phone=""):
    """Record a person who came without registering: confirmed and present, beyond the capacity."""
    email = normalize_email_identifier(email)
    try:
        with transaction.atomic():
            locked = _locked_activity(activity.pk)
            existing = Registration.objects.active().filter(activity=locked, email=email).first() if email else None
            if existing is not None:
                raise RegistrationError(
                    _("%(name)s is registered already with this e-mail address: mark them present in the list.")
                    % {"name": existing.name},
                    field="email",
                )
            return Registration.objects.create(
                activity=locked,
                name=name,
                email=email,
                member=member,
                organisation=member.name if member is not None else organisation,
                phone=phone,
                status=Registration.Status.CONFIRMED,
                present=True,
                walk_in=True,
            )
    except IntegrityError:
        raise RegistrationError(duplicate_message(), field="email") from None


# --- E-mails ---------------------------------------------------------------------------------


def cancel_url(registration, site_url=""):
    return f"{site_url}{reverse('activities:cancel', args=[registration.cancel_token])}"


def _send(registration, template, *, site_url, attach_calendar, **extra):
    """Write the e-mail ``template`` to ``registration``'s address in the outbox (sent after the commit)."""
    activity = registration.activity
    context = {
        "registration": registration,
        "activity": activity,
        "cancel_url": cancel_url(registration, site_url),
        "event_url": event_url(activity, site_url),
        "network": get_identity(),
        "network_name": get_identity().name,
        **extra,
    }
    # The people registering read French first, whatever the language of the staff's session.
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = outbox.render_email(
            f"activities/email/{template}_subject.txt", f"activities/email/{template}.txt", context
        )
        message = EmailMessage(subject, body, from_address(), to=[registration.email])
        if attach_calendar:
            message.attach("evenement.ics", activity_calendar([activity], site_url=site_url), "text/calendar")
    return outbox.enqueue(message, kind=f"activities.{template}")


def send_confirmation(registration, *, site_url="", waiting_position=None):
    """Write the confirmation (seat or waiting list) to the outbox; return its ``OutboxMessage``, or None."""
    if not registration.email:
        return None
    return _send(
        registration,
        "registration_waiting" if registration.status == Registration.Status.WAITING else "registration_confirmed",
        site_url=site_url,
        attach_calendar=registration.status == Registration.Status.CONFIRMED,
        waiting_position=waiting_position,
    )


def send_promotion(registration, *, site_url=""):
    if not registration.email:
        return
    _send(registration, "registration_promoted", site_url=site_url, attach_calendar=True)


def send_cancellation_notice(registration, *, cancelled_by, site_url=""):
    """Tell a person that someone else (their organisation's representative) cancelled their registration."""
    if not registration.email:
        return
    _send(registration, "registration_cancelled", site_url=site_url, attach_calendar=False, cancelled_by=cancelled_by)


def email_registrants(*, activity, subject, body, include_waiting=False):
    """E-mail each registrant of ``activity`` (confirmed; the waiting list too if asked) through the outbox.

    One message per person (nobody sees the others' addresses), all written in one
    transaction. Return the number of messages.
    """
    statuses = [Registration.Status.CONFIRMED] + ([Registration.Status.WAITING] if include_waiting else [])
    addresses = sorted(
        set(
            Registration.objects.filter(activity=activity, status__in=statuses)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    sender = from_address()
    with transaction.atomic():
        for address in addresses:
            outbox.enqueue(EmailMessage(subject, body, sender, to=[address]), kind="activities.registrants_message")
    return len(addresses)
