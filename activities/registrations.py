"""Registration to events (activities that open it): seats, waiting list, cancellation, the door.

Seats are allocated race-free: every write that changes who holds a seat locks the
activity's row first (``select_for_update`` inside ``transaction.atomic``), so two
registrations for the last seat are decided one after the other. On PostgreSQL the lock
is a row lock; SQLite locks the whole database for the write anyway. The database's unique
constraint refuses a second active registration of one e-mail address for one activity,
whatever the race.

A visitor who is not logged in confirms their registration by the link e-mailed to the address
they gave (``confirm``): until then the registration is « to confirm » (``PENDING``), nobody is
written to but that address, and it appears in no list, count or figure. If a seat is free when
they register, it is held for them for POLE_REGISTRATION_HOLD_MINUTES (30 by default): the
public page shows one seat fewer, and nobody from the waiting list takes it. Confirmed in time,
the seat is theirs. Confirmed later, they get a seat if one is free once the people waiting have
had theirs, else a place at the end of the waiting list; ``release_expired_holds`` (every few
minutes) gives the seats of expired holds to the waiting list. An event already full holds
nothing: confirming puts them on the waiting list then. A logged-in person (a member's
representative, staff) proves who they are by logging in and is registered at once. Registrations
never confirmed are deleted after POLE_RETENTION_UNCONFIRMED_DAYS (activities/privacy.py).

Each e-mail is written to the outbox in the transaction of the change that
causes it and sent once that transaction commits (pole/outbox.py): a mail server that is down
never undoes a registration, a cancellation or a promotion.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pole import outbox
from pole.identity import from_address, get_identity
from pole.text import normalize_email_identifier

from .calendar import activity_calendar, event_url
from .models import Activity, AddressHold, Registration, holds_a_seat


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

    @property
    def to_confirm(self):
        return self.registration.status == Registration.Status.PENDING


def duplicate_message():
    return _("This e-mail address is already registered to this activity.")


def _locked_activity(activity_id):
    return Activity.objects.select_for_update().get(pk=activity_id)


def pending_message():
    return _(
        "A registration with this e-mail address is waiting for its confirmation: follow the link in the "
        "e-mail we sent to it."
    )


def _seats_taken(activity, now=None):
    """The confirmed registrations and the seats held for registrations to confirm."""
    return Registration.objects.filter(activity=activity).filter(holds_a_seat(now)).count()


def _has_free_seat(activity, now=None):
    return activity.capacity is None or _seats_taken(activity, now) < activity.capacity


def hold_duration():
    return datetime.timedelta(minutes=settings.POLE_REGISTRATION_HOLD_MINUTES)


def _clear_expired_pending(activity, email, now):
    """Drop a registration of ``email`` still to confirm whose hold is over, so the person may register again.

    Return True if one is still waiting within its time (the person is told to follow its link).
    """
    pending = Registration.objects.filter(activity=activity, email=email, status=Registration.Status.PENDING).first()
    if pending is None:
        return False
    if pending.created_at + hold_duration() > now:
        return True
    pending.delete()
    return False


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
    confirm_by_email=False,
    news_consent=False,
):
    """Register a person: a seat if one is free, else the waiting list. Return a ``Seat``.

    With ``confirm_by_email`` (a visitor who is not logged in), the registration waits for the
    link e-mailed to ``email`` (status ``PENDING``), holding a free seat if there is one; the
    newsletter consent ticked (``news_consent``) is kept until the address is confirmed.

    Raise ``RegistrationError`` when registration is closed, the address is registered
    already, or a non-member registers where only members may. The confirmation e-mail (with
    the event's .ics and a link to cancel) is sent once the registration is saved.
    """
    email = normalize_email_identifier(email)
    now = now or timezone.now()
    if confirm_by_email and not email:
        raise RegistrationError(_("Give an e-mail address: the link confirming the registration is sent to it."), field="email")
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
            if email and _clear_expired_pending(locked, email, now):
                raise RegistrationError(pending_message(), field="email")
            if Registration.objects.active().filter(activity=locked, email=email).exists():
                raise RegistrationError(duplicate_message(), field="email")
            free = _has_free_seat(locked, now)
            held_until = None
            if confirm_by_email:
                status = Registration.Status.PENDING
                held_until = now + hold_duration() if free else None
            else:
                status = Registration.Status.CONFIRMED if free else Registration.Status.WAITING
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
                created_at=now,
                seat_held_until=held_until,
                news_consent=bool(news_consent and confirm_by_email),
            )
            position = None
            if status == Registration.Status.WAITING:
                position = Registration.objects.waiting().filter(activity=locked, pk__lte=registration.pk).count()
            if status == Registration.Status.PENDING:
                email = send_confirmation_request(registration, site_url=site_url)
            else:
                email = send_confirmation(registration, site_url=site_url, waiting_position=position)
    except IntegrityError:
        # The unique constraint, should a race slip past the check above (it cannot while the row is locked).
        raise RegistrationError(duplicate_message(), field="email") from None
    return Seat(registration, position, email)


def confirm(*, registration, site_url="", now=None):
    """Confirm a registration made by a visitor, by the link e-mailed to them. Return a ``Seat``.

    Within its hold, the seat held is theirs. Later (or when the event was full), the people
    waiting get the free seats first; then a seat if one is left, else the end of the waiting
    list. Confirming twice changes nothing. Raise ``RegistrationError`` when the registration
    was cancelled or registration has closed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked_activity(registration.activity_id)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            raise RegistrationError(_("This registration was cancelled; register again from the activity's page."))
        if current.status != Registration.Status.PENDING:
            position = waiting_position(current) if current.status == Registration.Status.WAITING else None
            return Seat(current, position, None)
        held = current.seat_is_held(now)
        if not held:
            reason = activity.registration_closed_reason(now=now)
            if reason:
                raise RegistrationError(reason)
            for person in _promote(activity, now):
                send_promotion(person, site_url=site_url)
        # Its own hold is over (or there was none): a free seat is one nobody else holds.
        current.status = Registration.Status.CONFIRMED if held or _has_free_seat(activity, now) else Registration.Status.WAITING
        current.seat_held_until = None
        # The waiting list is first come, first served from the confirmation on.
        if current.status == Registration.Status.WAITING:
            current.created_at = now
        current.save(update_fields=["status", "seat_held_until", "created_at"])
        position = waiting_position(current) if current.status == Registration.Status.WAITING else None
        email = send_confirmation(current, site_url=site_url, waiting_position=position)
    return Seat(current, position, email)


def waiting_position(registration):
    """The registration's number on its activity's waiting list (1 for the first person waiting). One query."""
    return (
        Registration.objects.waiting()
        .filter(activity_id=registration.activity_id)
        .filter(Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, pk__lte=registration.pk))
        .count()
    )


def release_expired_holds(*, site_url="", now=None):
    """Give the seats whose hold is over to the people waiting; return the number of holds released.

    Run every few minutes (activities/tasks.py; ``manage.py release_held_seats`` from cron). The
    registrations stay « to confirm »: their link still works, without a seat held.
    """
    now = now or timezone.now()
    expired = Registration.objects.filter(status=Registration.Status.PENDING, seat_held_until__lte=now)
    activity_ids = sorted(set(expired.values_list("activity_id", flat=True)))
    released = 0
    for activity_id in activity_ids:
        with transaction.atomic():
            activity = _locked_activity(activity_id)
            released += Registration.objects.filter(
                activity=activity, status=Registration.Status.PENDING, seat_held_until__lte=now
            ).update(seat_held_until=None)
            for person in _promote(activity, now):
                send_promotion(person, site_url=site_url)
    return released


def cancel(*, registration, site_url=""):
    """Cancel a registration; a freed seat goes to the first person waiting, who is e-mailed.

    Return the promoted registration, or None. Cancelling twice changes nothing.
    """
    with transaction.atomic():
        activity = _locked_activity(registration.activity_id)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            return None
        held_seat = current.takes_a_seat()
        current.status = Registration.Status.CANCELLED
        current.present = False
        current.cancelled_at = timezone.now()
        current.seat_held_until = None
        current.save(update_fields=["status", "present", "cancelled_at", "seat_held_until"])
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


def _promote(activity, now=None):
    """Confirm the first people waiting while seats are free. The activity's row is locked."""
    if activity.capacity is None:
        free = None
    else:
        free = activity.capacity - _seats_taken(activity, now)
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


def confirm_url(registration, site_url=""):
    return f"{site_url}{reverse('activities:confirm', args=[registration.cancel_token])}"


def _send(registration, template, *, site_url, attach_calendar, **extra):
    """Write the e-mail ``template`` to ``registration``'s address in the outbox (sent after the commit)."""
    activity = registration.activity
    context = {
        "registration": registration,
        "activity": activity,
        "cancel_url": cancel_url(registration, site_url),
        "confirm_url": confirm_url(registration, site_url),
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


def send_confirmation_request(registration, *, site_url=""):
    """Write the e-mail asking a visitor to confirm their registration by its link; return its ``OutboxMessage``."""
    return _send(
        registration,
        "registration_to_confirm",
        site_url=site_url,
        attach_calendar=False,
        hold_minutes=settings.POLE_REGISTRATION_HOLD_MINUTES,
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
