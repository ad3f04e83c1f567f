"""The outbox: written with the action, sent after the commit, once; kept and retried when the server fails."""

import datetime
import io
import logging

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pole import outbox
from pole.models import OutboxMessage
from pole.tasks import run_daily_command, send_due_emails, send_email

pytestmark = pytest.mark.django_db


def message(to="marie@exemple.org", subject="Inscription confirmée", body="Bonjour Marie,", **kwargs):
    return EmailMessage(subject, body, "Pôle <no-reply@exemple.org>", to=[to], **kwargs)


def later(minutes):
    return timezone.now() + datetime.timedelta(minutes=minutes, seconds=1)


# --- Written with the action, sent after its commit --------------------------------------------


def test_a_rolled_back_action_leaves_no_message_and_sends_nothing(committed):
    with committed(), pytest.raises(RuntimeError):
        with transaction.atomic():
            outbox.enqueue(message(), kind="test")
            raise RuntimeError("the action failed")
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_the_message_is_sent_after_the_commit_with_its_attachment(committed):
    with committed() as callbacks:
        email = message(subject="Confirmé : l’atelier")
        email.attach("evenement.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
        stored = outbox.enqueue(email, kind="activities.registration_confirmed")
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    (sent,) = mail.outbox
    assert (sent.subject, sent.to) == ("Confirmé : l’atelier", ["marie@exemple.org"])
    assert sent.body.startswith("Bonjour Marie,\n\n-- \n")  # then the sender's foot (test_email_footer.py)
    assert sent.attachments[0] == ("evenement.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    assert sent.extra_headers["Message-ID"] == stored.message_id
    stored.refresh_from_db()
    assert (stored.status, stored.attempts, stored.last_error) == ("sent", 1, "")
    assert stored.sent_at is not None and stored.body.startswith("Bonjour Marie,\n\n-- \n")


def test_a_task_run_twice_sends_the_message_once(committed):
    with committed():
        stored = outbox.enqueue(message(), kind="test")
    assert send_email(stored.pk) is None  # the second run finds nothing to claim
    assert send_email.delay(stored.pk).get() is None
    assert len(mail.outbox) == 1
    stored.refresh_from_db()
    assert stored.attempts == 1


def test_a_message_another_task_is_sending_is_left_to_it():
    stored = outbox.enqueue(message(), kind="test")
    OutboxMessage.objects.filter(pk=stored.pk).update(status=OutboxMessage.Status.SENDING)
    assert outbox.deliver(stored.pk).outcome is None
    assert mail.outbox == []


def test_the_outbox_refuses_what_it_cannot_send_as_asked():
    with pytest.raises(ValueError):
        outbox.enqueue(message(cc=["autre@exemple.org"]))
    with pytest.raises(ValueError):
        outbox.enqueue(EmailMessage("Sujet", "Corps", to=[]))
    assert not OutboxMessage.objects.exists()


# --- A mail server that fails -----------------------------------------------------------------


def test_a_server_refusing_for_now_keeps_the_message_then_delivers_it_once_back(smtp_server, committed):
    smtp_server.mode = "refuse"
    with committed():
        stored = outbox.enqueue(message(subject="Déjeuner d’affaires"), kind="test")
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == ("pending", 1)
    assert "451" in stored.last_error and "SMTPRecipientsRefused" in stored.last_error
    # The first retry waits a minute (POLE_EMAIL_RETRY_MINUTES): not before.
    assert abs(stored.next_attempt_at - (stored.last_attempt_at + datetime.timedelta(minutes=1))) < datetime.timedelta(
        seconds=1
    )
    assert outbox.send_due().sent == 0
    assert smtp_server.refusals == 1 and smtp_server.messages == []

    smtp_server.mode = "accept"
    sweep = outbox.send_due(now=later(1))
    assert (sweep.sent, sweep.failed) == (1, 0)
    (delivered,) = smtp_server.messages
    assert delivered["Subject"] == "Déjeuner d’affaires" and delivered["To"] == "marie@exemple.org"
    assert delivered["Message-ID"].strip() == stored.message_id
    stored.refresh_from_db()
    assert (stored.status, stored.attempts, stored.last_error) == ("sent", 2, "")
    assert outbox.send_due(now=later(60)).sent == 0  # sent once


def test_the_waits_grow_then_the_message_is_marked_failed(smtp_server, settings):
    settings.POLE_EMAIL_RETRY_MINUTES = [1, 5]
    smtp_server.mode = "refuse"
    stored = outbox.enqueue(message(), kind="test")
    start = timezone.now()
    outbox.deliver(stored.pk, now=start)
    stored.refresh_from_db()
    assert stored.next_attempt_at == start + datetime.timedelta(minutes=1)
    outbox.deliver(stored.pk, now=start + datetime.timedelta(minutes=1))
    stored.refresh_from_db()
    assert (stored.status, stored.next_attempt_at) == ("pending", start + datetime.timedelta(minutes=6))
    outbox.deliver(stored.pk, now=start + datetime.timedelta(minutes=6))
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == ("failed", 3)
    assert outbox.send_due(now=start + datetime.timedelta(days=1)).sent == 0
    assert smtp_server.refusals == 3


def test_a_server_refusing_for_good_fails_the_message_at_once(smtp_server):
    smtp_server.mode = "reject"
    stored = outbox.enqueue(message(to="inconnu@exemple.org"), kind="test")
    outbox.deliver(stored.pk)
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == ("failed", 1)
    assert "550" in stored.last_error


def test_a_closed_port_is_tried_once_per_sweep_and_the_others_wait(closed_smtp_port):
    first, second, third = (outbox.enqueue(message(to=f"p{i}@exemple.org"), kind="test") for i in range(3))
    sweep = outbox.send_due()
    assert (sweep.sent, sweep.failed, sweep.left) == (0, 1, 2)
    attempts = dict(OutboxMessage.objects.values_list("pk", "attempts"))
    assert attempts == {first.pk: 1, second.pk: 0, third.pk: 0}
    assert "ConnectionRefusedError" in OutboxMessage.objects.get(pk=first.pk).last_error


def test_a_sending_cut_short_is_marked_failed_not_sent_again():
    stored = outbox.enqueue(message(), kind="test")
    OutboxMessage.objects.filter(pk=stored.pk).update(
        status=OutboxMessage.Status.SENDING, attempts=1, last_attempt_at=timezone.now() - datetime.timedelta(hours=1)
    )
    sweep = outbox.send_due()
    assert (sweep.stale, sweep.sent) == (1, 0)
    stored.refresh_from_db()
    assert stored.status == "failed" and "may have been sent" in stored.last_error
    assert mail.outbox == []


def test_the_periodic_task_and_the_cron_command_send_what_is_due(closed_smtp_port, settings):
    stored = outbox.enqueue(message(), kind="test")
    assert send_due_emails() == {"sent": 0, "failed": 1, "stale": 0, "left": 0}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboxMessage.objects.filter(pk=stored.pk).update(next_attempt_at=timezone.now())
    out = io.StringIO()
    call_command("send_queued_emails", stdout=out)
    assert "1 envoyé" in out.getvalue()
    assert len(mail.outbox) == 1


# --- What staff may read ----------------------------------------------------------------------


def test_a_message_carrying_a_personal_link_is_hidden_and_erased_once_sent(committed, personnel_client):
    with committed():
        stored = outbox.enqueue(message(body="Votre lien : https://pole/invitation/secret/"), sensitive=True)
    assert "secret" in mail.outbox[0].body
    stored.refresh_from_db()
    assert stored.status == "sent" and stored.body == "" and stored.attachments == []
    pending = outbox.enqueue(message(body="Votre lien : https://pole/invitation/autre-secret/"), sensitive=True)
    page = personnel_client.get(reverse("admin:pole_outboxmessage_change", args=[pending.pk])).content.decode()
    assert "autre-secret" not in page
    assert "lien personnel" in page


# --- Periodic commands ------------------------------------------------------------------------


def test_a_daily_command_scheduled_by_name_is_skipped_until_it_exists(caplog):
    with caplog.at_level("INFO", logger="pole.tasks"):
        assert run_daily_command("apply_retention_does_not_exist") == "skipped"
    assert "skipped" in caplog.text
    assert run_daily_command("send_queued_emails") == "done"


def test_the_beat_schedule_names_the_daily_jobs():
    from pole.celery import app

    schedule = app.conf.beat_schedule
    tasks = {entry["task"] for entry in schedule.values()}
    assert {
        "pole.tasks.send_due_emails",
        "members.tasks.send_dues_reminders",
        "reports.tasks.resume_publications",
    } <= tasks
    assert schedule["pole-apply-retention"]["args"] == ["apply_retention"]
    app.loader.import_default_modules()
    assert tasks <= set(app.tasks) | {"pole.tasks.run_daily_command"}


# --- The admin: what is pending or failed, and « send again » ---------------------------------


def failed_message(to="marie@exemple.org", error="SMTPRecipientsRefused: 451 indisponible"):
    stored = outbox.enqueue(message(to=to), kind="test")
    OutboxMessage.objects.filter(pk=stored.pk).update(
        status=OutboxMessage.Status.FAILED, attempts=8, last_error=error, last_attempt_at=timezone.now()
    )
    return stored


@pytest.mark.parametrize("staff_client", ["personnel_client", "direction_client"])
def test_staff_see_failed_e_mails_and_send_them_again(request, staff_client, committed):
    client = request.getfixturevalue(staff_client)
    failed = failed_message()
    with committed():
        sent = outbox.enqueue(message(to="paul@exemple.org", subject="Déjà parti"), kind="test")
    mail.outbox.clear()
    changelist = reverse("admin:pole_outboxmessage_changelist")
    page = client.get(changelist, {"status__exact": "failed"}).content.decode()
    assert "marie@exemple.org" in page and "en échec" in page and "paul@exemple.org" not in page
    detail = client.get(reverse("admin:pole_outboxmessage_change", args=[failed.pk])).content.decode()
    assert "451 indisponible" in detail and "Bonjour Marie," in detail

    with committed():
        response = client.post(
            changelist, {"action": "send_again", "_selected_action": [failed.pk, sent.pk]}, follow=True
        )
    texts = [str(m) for m in response.context["messages"]]
    assert texts == [
        "1 courriel sera envoyé de nouveau maintenant\u00a0; son statut s’affiche ici.",
        "1 courriel n’a pas été touché\u00a0: il est envoyé ou en cours d’envoi.",
    ]
    assert [m.to for m in mail.outbox] == [["marie@exemple.org"]]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 9)


def test_sending_again_on_a_server_still_down_leaves_it_failed(personnel_client, committed, closed_smtp_port):
    failed = failed_message()
    with committed():
        personnel_client.post(
            reverse("admin:pole_outboxmessage_changelist"), {"action": "send_again", "_selected_action": [failed.pk]}
        )
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", 9)
    assert "ConnectionRefusedError" in failed.last_error


def test_a_representative_cannot_read_the_outbox_nor_send_again(client, committed):
    from members.tests.factories import RepresentativeFactory

    failed = failed_message()
    client.force_login(RepresentativeFactory().user)
    changelist = reverse("admin:pole_outboxmessage_changelist")
    assert client.get(changelist).status_code == 302
    with committed():
        client.post(changelist, {"action": "send_again", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == "failed" and mail.outbox == []


def test_the_outbox_list_runs_as_many_queries_with_many_messages(personnel_client, assert_constant_queries):
    assert_constant_queries(
        personnel_client,
        reverse("admin:pole_outboxmessage_changelist"),
        lambda i: failed_message(to=f"p{i}@exemple.org"),
    )


@pytest.mark.django_db(transaction=True)
def test_with_redis_unreachable_the_registration_stands_and_the_sweep_sends_it_later():
    from activities import registrations
    from activities.tests.factories import EventFactory
    from pole.celery import tasks_queued_on
    from pole.tests.smtp_server import free_port

    event = EventFactory(capacity=5)
    # Django logs a robust on_commit hook's failure on its own logger (which « django » keeps from the root).
    logged = []
    handler = logging.Handler(level=logging.ERROR)
    handler.emit = logged.append
    hooks_logger = logging.getLogger("django.db.backends.base")
    hooks_logger.addHandler(handler)
    try:
        with tasks_queued_on(f"redis://127.0.0.1:{free_port()}/0"):
            seat = registrations.register(activity=event, name="Marie", email="marie@exemple.org", organisation="X")
    finally:
        hooks_logger.removeHandler(handler)
    assert seat.registration.pk is not None and seat.registration.status == "confirmed"
    stored = OutboxMessage.objects.get()
    assert (stored.status, stored.attempts) == ("pending", 0)  # queuing its task failed: logged, not raised
    assert any("on_commit" in record.getMessage() for record in logged)
    # Once Redis is back, the periodic sweep (here without a broker) sends it.
    assert send_due_emails()["sent"] == 1
    assert [m.to for m in mail.outbox] == [["marie@exemple.org"]]
