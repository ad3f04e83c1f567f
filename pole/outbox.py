"""The outbox: every e-mail the app sends is written here first, then sent by a task.

``enqueue(message)`` stores an ``EmailMessage`` as an ``OutboxMessage`` inside the caller's
transaction and queues its sending for after the commit: the action and its e-mail are saved
together or not at all, and no SMTP failure can turn the saved action into an error.

``deliver`` makes one attempt. It first claims the message with one conditional UPDATE
(pending and due → sending), so two tasks running at once for one message send it once: the
second finds nothing to claim. A failed attempt leaves the message pending until its next
attempt (``POLE_EMAIL_RETRY_MINUTES``: 1, 5, 15, 60, 180, 360, 720 minutes), when
``send_due`` (the periodic task, or ``manage.py send_queued_emails`` from cron) tries again;
after the last one, or at once when the server refuses the message for good (a 5xx answer to
its recipients or its content), it is marked failed, for staff to see and send again.

The retries' schedule lives in the row, not in the broker: it survives a Redis restart or a
worker's death, and works the same without any broker.

Subjects and plain-text bodies are rendered by ``render_email`` with autoescaping off: an
e-mail is not HTML, so « Déjeuner d'affaires & co » must not read « d&#x27;affaires &amp; co ».
"""

import base64
import datetime
import logging
import re
import smtplib
import uuid
from dataclasses import dataclass
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.template import Context, engines
from django.urls import reverse
from django.utils import timezone

from pole.celery import enqueue_after_commit
from pole.models import OutboxMessage

logger = logging.getLogger(__name__)

# A sending claimed longer ago than this was cut short (the worker died): it is not sent again by
# itself, since the server may have taken it; it is marked failed for staff to decide.
STALE_SENDING = datetime.timedelta(minutes=15)
# Messages one sweep sends at most; the next sweep takes the rest.
SWEEP_BATCH = 200


# --- Rendering -------------------------------------------------------------------------------


# An apostrophe between two letters is the French typographic one in what the app writes.
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def typographic_apostrophes(text):
    """Write ' between letters as ’, leaving addresses and links (any word with @ or ://) as typed."""
    return "".join(
        part if ("@" in part or "://" in part) else _APOSTROPHE.sub("\u2019", part) for part in re.split(r"(\s+)", text)
    )


def render_text(template_name, context):
    """Render a plain-text template of the project's engine with autoescaping off, includes too."""
    template = engines["django"].engine.get_template(template_name)
    return template.render(Context(context, autoescape=False))


def render_email(subject_template, body_template, context):
    """Return ``(subject, body)``: the subject on one line, apostrophes typographic in both.

    The no-break spaces of French typography (before « : », inside « ») stay: only plain
    spaces, tabs and line breaks are folded (``str.split()`` would take U+00A0 for a space).
    """
    subject = re.sub(r"[ \t\r\n]+", " ", render_text(subject_template, context)).strip()
    body = render_text(body_template, context)
    return typographic_apostrophes(subject), typographic_apostrophes(body)


# --- Queueing --------------------------------------------------------------------------------


def _encode_attachment(attachment):
    filename, content, mimetype = attachment
    if isinstance(content, str):
        content = content.encode("utf-8")
    return {
        "filename": filename,
        "mimetype": mimetype or "application/octet-stream",
        "content": base64.b64encode(content).decode("ascii"),
    }


def email_footer(*, recipients, unsubscribe=None):
    """The foot of every e-mail: who sends it (name, postal address, contact), the privacy page,
    and for a message that is not transactional (``unsubscribe``: its kind) the link to stop them.

    Canada's anti-spam law asks every commercial message to identify its sender and to offer a
    way to unsubscribe; Québec's act, to say where the privacy policy is. Added here, to every
    message, so that no template can forget it.
    """
    from pole.identity import get_identity
    from pole.unsubscribe import unsubscribe_url

    context = {
        "network": get_identity(),
        "privacy_url": settings.POLE_SITE_URL.rstrip("/") + reverse("privacy"),
        "unsubscribe_url": unsubscribe_url(unsubscribe, recipients) if unsubscribe else "",
    }
    return typographic_apostrophes(render_text("includes/email_signature.txt", context)).strip() + "\n"


def enqueue(message, *, kind="", sensitive=False, unsubscribe=None):
    """Store ``message`` (an ``EmailMessage``) in the outbox and send it after the commit.

    Call it inside the transaction of the action that causes the e-mail. ``kind`` names what the
    message is about (``activities.registration_confirmed``); ``sensitive`` marks a message
    carrying a personal link, whose body staff never see and which is erased once sent;
    ``unsubscribe`` (``dues``, ``news``) marks a message that is not transactional, whose foot
    carries an unsubscribe link. Every message gets the sender's identification and the
    privacy page's address at its foot (``email_footer``). Return the ``OutboxMessage``.
    """
    if message.cc or message.bcc:
        raise ValueError("The outbox sends to the « to » addresses only; send one message per person.")
    if not message.to:
        raise ValueError("An e-mail needs at least one recipient.")
    if getattr(message, "alternatives", None):
        raise ValueError("The outbox sends plain-text e-mails only.")
    if message.body is None:
        raise ValueError("An e-mail needs a body.")
    message.body = message.body.rstrip() + "\n\n" + email_footer(recipients=message.to, unsubscribe=unsubscribe)
    domain = (message.from_email or settings.DEFAULT_FROM_EMAIL).rpartition("@")[2].strip(">") or None
    stored = OutboxMessage.objects.create(
        kind=kind,
        sender=message.from_email or settings.DEFAULT_FROM_EMAIL,
        recipients=", ".join(message.to),
        subject=message.subject,
        body=message.body,
        attachments=[_encode_attachment(attachment) for attachment in message.attachments],
        sensitive=sensitive,
        # One Message-ID for every attempt: a server or a mail client that sees it twice knows it.
        message_id=make_msgid(idstring=uuid.uuid4().hex, domain=domain),
    )
    enqueue_after_commit("pole.tasks.send_email", stored.pk)
    return stored


# --- Delivering ------------------------------------------------------------------------------


def as_email(stored):
    """The ``EmailMessage`` an ``OutboxMessage`` stands for, with its fixed Message-ID."""
    message = EmailMessage(
        stored.subject,
        stored.body,
        stored.sender,
        to=stored.recipient_list,
        headers={"Message-ID": stored.message_id},
    )
    for attachment in stored.attachments:
        content = base64.b64decode(attachment["content"])
        if attachment["mimetype"].startswith("text/"):
            content = content.decode("utf-8")
        message.attach(attachment["filename"], content, attachment["mimetype"])
    return message


def retry_delay(attempts):
    """The wait before the next attempt after ``attempts`` failed ones, or None when they are spent."""
    delays = settings.POLE_EMAIL_RETRY_MINUTES
    if attempts > len(delays):
        return None
    return datetime.timedelta(minutes=delays[attempts - 1])


def refused_for_good(error):
    """Whether the server refused the message itself (5xx to every recipient, or to its content).

    Trying again would get the same answer; anything else (no connection, a timeout, a 4xx
    « try later », a refused login) may pass later.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def unreachable(error):
    """Whether the error says the server could not be reached at all (then no other message can be)."""
    return isinstance(error, (OSError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)) and not isinstance(
        error, smtplib.SMTPResponseException
    )


def describe(error):
    text = str(error) or error.__class__.__name__
    return f"{error.__class__.__name__}: {text}"[:2000]


@dataclass
class Attempt:
    """What ``deliver`` did: ``sent``, ``failed`` (for now or for good), or None when nothing was due."""

    message: OutboxMessage | None
    outcome: str | None
    error: Exception | None = None


def deliver(pk, *, connection=None, now=None):
    """Make one attempt at sending the outbox message ``pk``, if it is pending and due.

    Return an ``Attempt``. A message already sent, being sent by another task, failed or not
    yet due is left alone: running this twice sends the message once.
    """
    now = now or timezone.now()
    claimed = OutboxMessage.objects.filter(pk=pk, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now).update(
        status=OutboxMessage.Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now
    )
    if not claimed:
        return Attempt(None, None)
    stored = OutboxMessage.objects.get(pk=pk)
    try:
        email = as_email(stored)
        email.connection = connection or get_connection()
        email.send()
    except Exception as error:  # noqa: BLE001 — any failure is recorded on the message, never raised
        delay = None if refused_for_good(error) else retry_delay(stored.attempts)
        if delay is None:
            status, next_attempt = OutboxMessage.Status.FAILED, stored.next_attempt_at
        else:
            status, next_attempt = OutboxMessage.Status.PENDING, now + delay
        OutboxMessage.objects.filter(pk=pk, status=OutboxMessage.Status.SENDING).update(
            status=status, next_attempt_at=next_attempt, last_error=describe(error)
        )
        logger.warning(
            "E-mail %s (%s) not sent, attempt %s: %s; %s",
            pk,
            stored.kind or "-",
            stored.attempts,
            describe(error),
            "failed" if delay is None else f"next attempt at {next_attempt.isoformat()}",
        )
        stored.refresh_from_db()
        return Attempt(stored, "failed", error)
    changes = {"status": OutboxMessage.Status.SENT, "sent_at": timezone.now(), "last_error": ""}
    if stored.sensitive:
        # The link it carried is the recipient's alone: once sent, nobody needs it here.
        changes.update(body="", attachments=[])
    OutboxMessage.objects.filter(pk=pk, status=OutboxMessage.Status.SENDING).update(**changes)
    stored.refresh_from_db()
    return Attempt(stored, "sent")


def give_up_stale_sendings(*, now=None):
    """Mark failed the sendings cut short long ago (a worker died mid-attempt). Return their number.

    They are not sent again by themselves: the server may have taken the message already.
    """
    now = now or timezone.now()
    return OutboxMessage.objects.filter(
        status=OutboxMessage.Status.SENDING, last_attempt_at__lt=now - STALE_SENDING
    ).update(
        status=OutboxMessage.Status.FAILED,
        last_error="Interrupted: the attempt did not finish (the worker stopped); the message may have been sent.",
    )


@dataclass
class Sweep:
    sent: int = 0
    failed: int = 0
    stale: int = 0
    left: int = 0  # due but not tried: the server could not be reached


def send_due(*, now=None, limit=SWEEP_BATCH):
    """Try every pending message whose next attempt is due, oldest first, over one connection.

    Stop at the first server that cannot be reached: the others keep their place (no attempt
    counted) for the next sweep. Return a ``Sweep``.
    """
    now = now or timezone.now()
    sweep = Sweep(stale=give_up_stale_sendings(now=now))
    due = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    connection = get_connection()
    try:
        for index, pk in enumerate(due):
            attempt = deliver(pk, connection=connection, now=now)
            if attempt.outcome == "sent":
                sweep.sent += 1
            elif attempt.outcome == "failed":
                sweep.failed += 1
                if unreachable(attempt.error):
                    sweep.left = len(due) - index - 1
                    break
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 — closing a broken connection may fail too
            pass
    return sweep


def send_again(messages, *, now=None):
    """Queue ``messages`` (failed or pending) for an attempt now; return those queued.

    A message sent already, or being sent, is left alone. Each is sent by a task after the
    commit, whatever the attempts it has spent: a failure leaves it failed again.
    """
    now = now or timezone.now()
    queued = []
    with transaction.atomic():
        for stored in messages:
            updated = OutboxMessage.objects.filter(
                pk=stored.pk, status__in=[OutboxMessage.Status.FAILED, OutboxMessage.Status.PENDING]
            ).update(status=OutboxMessage.Status.PENDING, next_attempt_at=now)
            if updated:
                queued.append(stored)
                enqueue_after_commit("pole.tasks.send_email", stored.pk)
    return queued
