"""A visitor's registration waits for the link e-mailed to the address they gave (issue 21).

Before, anyone could make the app mail a chosen text to any address and fill seats with
made-up addresses. Now a registration made without logging in is « to confirm »: it holds a free
seat for POLE_REGISTRATION_HOLD_MINUTES, appears in no list or count, and is deleted if never
confirmed. These tests pin how seats and the waiting list behave meanwhile.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from activities import registrations
from activities.attendance import activity_attendance
from activities.models import Registration
from activities.tests.factories import EventFactory
from activities.tests.test_event_views import confirmation_link, form_data
from members.tests.factories import RepresentativeFactory
from pole.privacy import retention_rules

pytestmark = pytest.mark.django_db

# The moment each test starts (``now`` below): holds are read against the clock by the pages.
NOW = timezone.now()


@pytest.fixture(autouse=True)
def now():
    global NOW
    NOW = timezone.now()
    return NOW


def visitor(event, email, *, now=None, **fields):
    """Register ``email`` as a visitor who is not logged in would, at ``now`` (the test's start)."""
    return registrations.register(
        activity=event, name=email.split("@")[0], email=email, organisation="Organisme", now=now or NOW,
        confirm_by_email=True, **fields,
    ).registration


def member_of_staff_registers(event, email, *, now=None):
    """A registration that needs no link (made by someone logged in)."""
    return registrations.register(
        activity=event, name=email, email=email, organisation="X", now=now or NOW
    ).registration


def seats_left(client, event):
    page = client.get(reverse("activities:detail", args=[event.pk])).content.decode().replace("\u00a0", " ")
    return page[page.index('id="seats"'):].split("</dd>")[0]



def test_one_registration_says_whether_it_holds_a_seat_as_the_counts_do():
    """``seat_is_held`` and ``takes_a_seat`` read one row as ``holds_a_seat`` filters the counts."""
    from activities.models import holds_a_seat

    event = EventFactory(capacity=5)
    pending = visitor(event, "a@exemple.org")
    hold_end = pending.seat_held_until
    confirmed = visitor(event, "b@exemple.org")
    registrations.confirm(registration=confirmed, site_url="http://testserver", now=NOW)
    confirmed.refresh_from_db()
    for moment, held in [(NOW, True), (hold_end - datetime.timedelta(seconds=1), True), (hold_end, False)]:
        assert pending.seat_is_held(moment) is held and pending.takes_a_seat(moment) is held
        assert confirmed.takes_a_seat(moment) and not confirmed.seat_is_held(moment)
        counted = set(Registration.objects.filter(activity=event).filter(holds_a_seat(moment)).values_list("pk", flat=True))
        assert counted == {confirmed.pk} | ({pending.pk} if held else set())

def test_an_unconfirmed_registration_holds_a_seat_that_others_see_taken(client):
    event = EventFactory(capacity=2)
    held = visitor(event, "a@exemple.org")
    assert held.status == "pending"
    assert held.seat_held_until == NOW + datetime.timedelta(minutes=30)
    assert "1 place libre sur 2" in seats_left(client, event)
    # The next one to register gets the last seat; the one after that, a registration without a seat.
    assert member_of_staff_registers(event, "b@exemple.org").status == "confirmed"
    late = visitor(event, "c@exemple.org")
    assert (late.status, late.seat_held_until) == ("pending", None)
    assert "0 place libre sur 2" in seats_left(client, event)
    # A person logged in registering now joins the waiting list: the held seat is not theirs.
    assert member_of_staff_registers(event, "d@exemple.org").status == "waiting"

    # Confirmed within the hold, the seat is theirs; the late one goes to the end of the waiting list.
    assert registrations.confirm(registration=held, now=NOW + datetime.timedelta(minutes=29)).registration.status == (
        "confirmed"
    )
    seat = registrations.confirm(registration=late, now=NOW + datetime.timedelta(minutes=31))
    assert (seat.registration.status, seat.waiting_position) == ("waiting", 2)


def test_registrations_to_confirm_are_in_no_count_nor_at_the_door(client, django_user_model):
    event = EventFactory(capacity=5)
    visitor(event, "a@exemple.org")
    member_of_staff_registers(event, "b@exemple.org")
    attendance = activity_attendance(event)
    assert (attendance.confirmed, attendance.waiting, attendance.present) == (1, 0, 0)
    staff = django_user_model.objects.create_user("staff@exemple.org", "x", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_registration"))
    client.force_login(staff)
    door = client.get(reverse("activities:door", args=[event.pk])).content.decode()
    assert "b@exemple.org" in door and "a@exemple.org" not in door
    # The staff's export lists every registration with its status, as it does the cancelled ones.
    export = client.get(reverse("activities:export-csv", args=[event.pk])).content.decode()
    assert ",a@exemple.org,Organisme,non,,,à confirmer," in export


def test_a_hold_that_ran_out_gives_its_seat_to_the_waiting_list_and_the_link_still_works(committed):
    event = EventFactory(capacity=1)
    held = visitor(event, "a@exemple.org")
    waiting = member_of_staff_registers(event, "b@exemple.org")
    assert waiting.status == "waiting"
    mail.outbox.clear()

    # Before the end of the hold, the sweep releases nothing.
    assert registrations.release_expired_holds(now=NOW + datetime.timedelta(minutes=29)) == 0
    with committed():
        assert registrations.release_expired_holds(now=NOW + datetime.timedelta(minutes=31)) == 1
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    (promotion,) = mail.outbox
    assert promotion.to == ["b@exemple.org"] and promotion.subject.startswith("Une place pour vous")

    # The late visitor may still confirm: the event is full now, so the waiting list.
    seat = registrations.confirm(registration=held, now=NOW + datetime.timedelta(minutes=40))
    assert (seat.registration.status, seat.waiting_position) == ("waiting", 1)


def test_the_sweep_runs_as_a_command_for_cron(capsys):
    event = EventFactory(capacity=1)
    visitor(event, "a@exemple.org", now=NOW - datetime.timedelta(hours=1))
    call_command("release_held_seats")
    assert capsys.readouterr().out.strip() == "1 place réservée libérée."
    assert Registration.objects.get().seat_held_until is None


def test_confirming_late_gives_the_people_waiting_their_seats_first(committed):
    """Fair to those who waited: a seat freed while the hold was over goes to the waiting list first."""
    event = EventFactory(capacity=1)
    held = visitor(event, "a@exemple.org")
    waiting = member_of_staff_registers(event, "b@exemple.org")
    # The sweep has not run; the hold is over.
    seat = registrations.confirm(registration=held, now=NOW + datetime.timedelta(hours=1))
    waiting.refresh_from_db()
    assert (waiting.status, seat.registration.status) == ("confirmed", "waiting")


def test_registering_again_within_the_hold_points_to_the_e_mail_and_after_it_starts_again(client, committed):
    event = EventFactory(capacity=5)
    first = visitor(event, "marie@exemple.org")
    with pytest.raises(registrations.RegistrationError, match="attend sa confirmation"):
        visitor(event, "marie@exemple.org", now=NOW + datetime.timedelta(minutes=10))
    # Lost the e-mail? After the hold, registering again replaces the unconfirmed registration.
    second = visitor(event, "marie@exemple.org", now=NOW + datetime.timedelta(minutes=31))
    assert list(Registration.objects.values_list("pk", flat=True)) == [second.pk]
    assert second.pk != first.pk and second.status == "pending"


def test_i_did_not_ask_for_it_cancels_and_frees_the_held_seat(client, committed):
    event = EventFactory(capacity=1)
    with committed():
        client.post(reverse("activities:detail", args=[event.pk]), form_data(email="victime@exemple.org"))
    link = confirmation_link(mail.outbox[0])
    page = client.get(link).content.decode()
    cancel = reverse("activities:cancel", args=[Registration.objects.get().cancel_token])
    assert f'href="{cancel}"' in page and "Je n’ai pas demandé cette inscription" in page
    with committed():
        client.post(cancel)
    assert Registration.objects.get().status == "cancelled"
    assert "1 place libre sur 1" in seats_left(client, event)
    # The link of a cancelled registration confirms nothing.
    assert client.post(link).status_code == 302
    assert Registration.objects.get().status == "cancelled"
    assert len(mail.outbox) == 1  # no confirmation, no .ics


def test_one_registration_mails_one_message_and_nothing_more_until_confirmed(client, committed):
    event = EventFactory(capacity=1)
    with committed():
        client.post(reverse("activities:detail", args=[event.pk]), form_data(email="quelquun@exemple.org"))
        client.post(reverse("activities:detail", args=[event.pk]), form_data(email="autre@exemple.org"))
    assert [(m.to, m.subject.split("\u00a0")[0]) for m in mail.outbox] == [
        (["quelquun@exemple.org"], "Confirmez votre inscription"),
        (["autre@exemple.org"], "Confirmez votre inscription"),
    ]


def test_a_logged_in_representative_needs_no_link(client, committed):
    representative = RepresentativeFactory(email="lea@rucher.org")
    client.force_login(representative.user)
    event = EventFactory(capacity=3)
    with committed():
        client.post(reverse("activities:detail", args=[event.pk]), form_data(email="lea@rucher.org"))
    assert Registration.objects.get().status == "confirmed"
    (message,) = mail.outbox
    assert message.subject.startswith("Inscription confirmée")


def test_registration_closing_refuses_a_late_confirmation_without_a_held_seat(client):
    event = EventFactory(capacity=3)
    held = visitor(event, "a@exemple.org")
    event.registration_deadline = NOW + datetime.timedelta(minutes=45)
    event.save()
    with pytest.raises(registrations.RegistrationError):
        registrations.confirm(registration=held, now=NOW + datetime.timedelta(hours=1))
    assert Registration.objects.get().status == "pending"
    # Within the hold, the seat was promised: it stands even past the deadline.
    event.registration_deadline = NOW + datetime.timedelta(minutes=5)
    event.save()
    assert registrations.confirm(registration=held, now=NOW + datetime.timedelta(minutes=10)).registration.status == (
        "confirmed"
    )


def test_registrations_never_confirmed_are_deleted_after_two_days_and_no_figure_moves():
    event = EventFactory(capacity=3)
    old = visitor(event, "a@exemple.org", now=NOW - datetime.timedelta(days=3))
    recent = visitor(event, "b@exemple.org", now=NOW - datetime.timedelta(hours=5))
    kept = member_of_staff_registers(event, "c@exemple.org", now=NOW - datetime.timedelta(days=3))
    before = activity_attendance(event)
    for rule in retention_rules():
        rule.apply(now=NOW, dry_run=False)
    assert set(Registration.objects.values_list("pk", flat=True)) == {recent.pk, kept.pk}
    assert not Registration.objects.filter(pk=old.pk).exists()
    assert activity_attendance(event) == before


def test_staff_never_choose_to_confirm_in_the_admin_but_see_the_held_seat(admin_client):
    event = EventFactory(capacity=3)
    pending = visitor(event, "a@exemple.org")
    confirmed = member_of_staff_registers(event, "b@exemple.org")
    add = admin_client.get(reverse("admin:activities_registration_add")).content.decode()
    assert 'value="confirmed"' in add and 'value="pending"' not in add
    other = admin_client.get(reverse("admin:activities_registration_change", args=[confirmed.pk])).content.decode()
    assert 'value="pending"' not in other
    page = admin_client.get(reverse("admin:activities_registration_change", args=[pending.pk])).content.decode()
    assert 'value="pending" selected' in page and "Place réservée jusqu’à" in page
