"""A mail server that refuses never turns a registration, a cancellation or a promotion into an error.

A real SMTP server (aiosmtpd, pole/tests/smtp_server.py) answers « 451 » to every recipient, or
no server listens at all: the visitor still gets the page that says they are registered, the
registration stands, the e-mail waits in the outbox and leaves once the server is back.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import registrations
from activities.models import Registration
from activities.tests.factories import EventFactory
from activities.tests.test_event_views import form_data
from pole import outbox
from pole.models import OutboxMessage

pytestmark = pytest.mark.django_db


def after_the_first_retry():
    return timezone.now() + datetime.timedelta(minutes=1, seconds=1)


def test_registering_while_the_mail_server_refuses_shows_success_and_sends_later(client, committed, smtp_server):
    event = EventFactory(title="Déjeuner d'affaires", capacity=10)
    smtp_server.mode = "refuse"
    with committed():
        response = client.post(reverse("activities:detail", args=[event.pk]), form_data())
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode().replace("\u00a0", " ")
    assert "Confirmez votre inscription" in text
    assert "Le courriel n’a pas encore pu partir" in text
    registration = Registration.objects.get()
    assert registration.status == "pending" and registration.seat_held_until is not None
    stored = OutboxMessage.objects.get()
    assert (stored.status, stored.attempts, stored.kind) == ("pending", 1, "activities.registration_to_confirm")
    assert "451" in stored.last_error and smtp_server.messages == []

    # Trying again says the registration waits for its link: it was saved the first time.
    again = client.post(reverse("activities:detail", args=[event.pk]), form_data())
    assert again.status_code == 400 and "attend sa confirmation" in again.content.decode()

    smtp_server.mode = "accept"
    assert outbox.send_due(now=after_the_first_retry()).sent == 1
    (request,) = smtp_server.messages
    assert request["To"] == "marie@exemple.org"
    assert request["Subject"].strip().replace("\u00a0", " ") == "Confirmez votre inscription : Déjeuner d’affaires"
    link = f"/activites/confirmation/{registration.cancel_token}/"
    assert link in request.get_body(preferencelist=("plain",)).get_content()

    with committed():
        confirmed = client.post(link)
    assert confirmed.status_code == 302
    (_, delivered) = smtp_server.messages
    assert delivered["Subject"].strip().replace("\u00a0", " ") == "Inscription confirmée : Déjeuner d’affaires"
    body = delivered.get_body(preferencelist=("plain",)).get_content()
    assert f"/activites/annulation/{registration.cancel_token}/" in body
    assert [part.get_filename() for part in delivered.iter_attachments()] == ["evenement.ics"]
    # The page now says it left.
    assert "Une confirmation a été envoyée à marie@exemple.org" in client.get(confirmed["Location"]).content.decode()


def test_registering_with_no_mail_server_listening_is_no_error(client, committed, closed_smtp_port):
    event = EventFactory(capacity=1)
    with committed():
        first = client.post(reverse("activities:detail", args=[event.pk]), form_data(email="a@exemple.org"))
        second = client.post(
            reverse("activities:detail", args=[event.pk]), form_data(email="b@exemple.org"), follow=True
        )
    assert first.status_code == 302 and second.status_code == 200
    # The first holds the one seat; the second will join the waiting list once confirmed.
    assert "liste d’attente" in second.content.decode()
    rows = Registration.objects.order_by("pk")
    assert [r.status for r in rows] == ["pending", "pending"]
    assert [r.seat_held_until is not None for r in rows] == [True, False]
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("pending", 1)}


def test_cancelling_while_the_mail_server_refuses_still_promotes_and_mails_later(committed, smtp_server):
    event = EventFactory(capacity=1)
    held = registrations.register(activity=event, name="A", email="a@exemple.org", organisation="X").registration
    registrations.register(activity=event, name="B", email="b@exemple.org", organisation="X")
    smtp_server.mode = "refuse"
    with committed():
        promoted = registrations.cancel(registration=held)
    assert promoted.email == "b@exemple.org"
    assert Registration.objects.get(pk=promoted.pk).status == "confirmed"
    promotion = OutboxMessage.objects.get(kind="activities.registration_promoted")
    assert (promotion.status, promotion.attempts) == ("pending", 1)
    smtp_server.mode = "accept"
    outbox.send_due(now=after_the_first_retry())
    promotion.refresh_from_db()
    assert promotion.status == "sent"
    delivered = next(m for m in smtp_server.messages if m["Message-ID"].strip() == promotion.message_id)
    assert delivered["To"] == "b@exemple.org"
