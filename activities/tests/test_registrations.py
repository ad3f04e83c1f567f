"""Registration to events: seats, the waiting list, cancellation, the door, and the e-mails."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from activities import registrations
from activities.models import Registration
from activities.registrations import RegistrationError
from activities.tests.factories import EventFactory, RegistrationFactory
from members.tests.factories import MemberFactory
from pole.models import OutboxMessage

pytestmark = pytest.mark.django_db

SITE = "https://pole.exemple.org"


def register(activity, email, name="Marie Tremblay", **kwargs):
    return registrations.register(
        activity=activity, name=name, email=email, organisation="Coop Test", site_url=SITE, **kwargs
    )


def test_seats_are_given_in_order_then_the_waiting_list():
    event = EventFactory(capacity=2)
    seats = [register(event, f"p{i}@exemple.org") for i in range(4)]
    assert [seat.registration.status for seat in seats] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert [seat.waiting_position for seat in seats] == [None, None, 1, 2]


def test_no_capacity_means_no_waiting_list():
    event = EventFactory(capacity=None)
    assert {register(event, f"p{i}@exemple.org").registration.status for i in range(5)} == {"confirmed"}


def test_confirmation_email_carries_the_ics_and_the_cancel_link(committed):
    event = EventFactory(title="Atelier de comptabilité", place="Saint-Raymond")
    with committed():
        seat = register(event, "Marie@Exemple.org")
    assert seat.registration.email == "marie@exemple.org"  # normalised like accounts' addresses
    (message,) = mail.outbox
    assert message.to == ["marie@exemple.org"]
    assert "Atelier de comptabilité" in message.subject
    assert f"{SITE}/activites/annulation/{seat.registration.cancel_token}/" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == ("evenement.ics", "text/calendar")
    (vevent,) = Calendar.from_ical(content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Atelier de comptabilité"
    assert vevent.decoded("DTSTART") == datetime.datetime.combine(
        event.start_date, datetime.time(9, 0), tzinfo=vevent.decoded("DTSTART").tzinfo
    )
    assert str(vevent["URL"]) == f"{SITE}/activites/{event.pk}/"


def test_waiting_list_email_gives_the_position_and_no_calendar(committed):
    event = EventFactory(capacity=1)
    register(event, "a@exemple.org")
    with committed():
        register(event, "b@exemple.org")
    (message,) = mail.outbox
    assert "1" in message.body and not message.attachments


def test_the_same_address_is_refused_whatever_its_case_until_cancelled():
    event = EventFactory()
    first = register(event, "marie@exemple.org").registration
    with pytest.raises(RegistrationError) as refused:
        register(event, "MARIE@exemple.org")
    assert refused.value.field == "email"
    assert Registration.objects.filter(activity=event).count() == 1
    registrations.cancel(registration=first)
    assert register(event, "marie@exemple.org").registration.status == "confirmed"


def test_cancelling_a_seat_promotes_the_first_waiting_and_emails_them(committed):
    event = EventFactory(capacity=1)
    held = register(event, "a@exemple.org").registration
    first_waiting = register(event, "b@exemple.org").registration
    register(event, "c@exemple.org")
    with committed():
        promoted = registrations.cancel(registration=held, site_url=SITE)
    assert promoted.pk == first_waiting.pk
    statuses = dict(Registration.objects.filter(activity=event).values_list("email", "status"))
    assert statuses == {"a@exemple.org": "cancelled", "b@exemple.org": "confirmed", "c@exemple.org": "waiting"}
    (message,) = mail.outbox
    assert message.to == ["b@exemple.org"] and message.attachments
    # Cancelling twice changes nothing and promotes nobody else.
    assert registrations.cancel(registration=held) is None
    assert Registration.objects.filter(activity=event, status="confirmed").count() == 1


def test_cancelling_a_waiting_registration_promotes_nobody():
    event = EventFactory(capacity=1)
    register(event, "a@exemple.org")
    waiting = register(event, "b@exemple.org").registration
    register(event, "c@exemple.org")
    assert registrations.cancel(registration=waiting) is None
    assert Registration.objects.get(email="c@exemple.org").status == "waiting"


def test_raising_the_capacity_fills_the_free_seats_from_the_waiting_list():
    event = EventFactory(capacity=1)
    for i in range(4):
        register(event, f"p{i}@exemple.org")
    event.capacity = 3
    event.save()
    promoted = registrations.fill_free_seats(activity=event)
    assert [r.email for r in promoted] == ["p1@exemple.org", "p2@exemple.org"]
    assert Registration.objects.filter(activity=event, status="waiting").get().email == "p3@exemple.org"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"registration_open": False}, "ne sont pas ouvertes"),
        ({"registration_deadline": timezone.now() - datetime.timedelta(minutes=1)}, "date limite est passée"),
        ({"start_date": datetime.date(2016, 4, 13)}, "est terminée"),
    ],
)
def test_closed_registration_is_refused_and_nothing_saved(committed, changes, message):
    event = EventFactory(**changes)
    with committed(), pytest.raises(RegistrationError, match=message):
        register(event, "a@exemple.org")
    assert not Registration.objects.exists() and not OutboxMessage.objects.exists() and not mail.outbox


def test_members_only_refuses_a_non_member_but_takes_a_member():
    event = EventFactory(non_members_allowed=False)
    with pytest.raises(RegistrationError):
        register(event, "a@exemple.org")
    member = MemberFactory(name="Coopérative Le Rucher")
    registration = register(event, "b@exemple.org", member=member).registration
    assert registration.organisation_name == "Coopérative Le Rucher"


def test_walk_ins_are_present_and_may_exceed_the_capacity():
    event = EventFactory(capacity=1)
    register(event, "a@exemple.org")
    walk_in = registrations.add_walk_in(activity=event, name="Paul Roy", organisation="Coop Roy")
    assert (walk_in.status, walk_in.present, walk_in.walk_in) == ("confirmed", True, True)
    with pytest.raises(RegistrationError, match="Une inscription existe déjà pour"):
        registrations.add_walk_in(activity=event, name="A", email="A@exemple.org")


def test_only_a_confirmed_registration_can_be_present(violates):
    waiting = RegistrationFactory(status=Registration.Status.WAITING)
    with pytest.raises(RegistrationError):
        registrations.set_present(registration=waiting, present=True)
    with violates(Registration, "activities_registration_present_is_confirmed"):
        Registration.objects.filter(pk=waiting.pk).update(present=True)


def test_database_refuses_a_second_active_registration_of_an_address(violates):
    first = RegistrationFactory(email="a@exemple.org")
    with violates(Registration, "activities_registration_unique_email"):
        RegistrationFactory(activity=first.activity, email="a@exemple.org")
    # A cancelled one does not count, nor do walk-ins without an address.
    Registration.objects.filter(pk=first.pk).update(status=Registration.Status.CANCELLED)
    RegistrationFactory(activity=first.activity, email="a@exemple.org")
    RegistrationFactory(activity=first.activity, email="", walk_in=True)
    RegistrationFactory(activity=first.activity, email="", walk_in=True)


def test_email_to_registrants_sends_one_message_each_to_the_confirmed(committed):
    event = EventFactory(capacity=2)
    for i in range(3):
        register(event, f"p{i}@exemple.org")
    registrations.add_walk_in(activity=event, name="Sans courriel")
    with committed():
        assert registrations.email_registrants(activity=event, subject="Rappel", body="À demain") == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@exemple.org", "p1@exemple.org"]
    mail.outbox.clear()
    with committed():
        assert registrations.email_registrants(activity=event, subject="R", body="B", include_waiting=True) == 3
    assert len(mail.outbox) == 3
