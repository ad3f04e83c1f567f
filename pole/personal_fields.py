"""The personal fields of the base and of the frameworks (accounts' sessions, login throttling,
the admin's log, the outbox, the privacy records), their retention and their part of a person's data.

Imported by ``PoleConfig.ready``; each app registers its own models in its ``privacy`` module.
"""

import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pole.models import ConsentRecord, OutboxMessage, PrivacyRequest, Unsubscription
from pole.privacy import not_personal, person_data, person_eraser, register, retention_rule

UNTIL_ANSWERED = _("five years after the answer")
LOGIN_RETENTION = _("deleted after the period of login records (one year by default)")

register(
    "axes.accessattempt",
    ["username", "ip_address", "user_agent", "http_accept", "path_info", "get_data", "post_data"],
    category="connection",
    purpose=_("stop password guessing: failed logins lock an account and an address for a while"),
    seen_by="system",
    retention=LOGIN_RETENTION,
    what=_("failed logins: the e-mail typed, the IP address, the browser and the page"),
)
register(
    "axes.accesslog",
    ["username", "ip_address", "user_agent", "http_accept", "path_info", "session_hash"],
    category="connection",
    purpose=_("trace logins to the site and the administration, should an account be misused"),
    seen_by="direction",
    retention=LOGIN_RETENTION,
    what=_("logins: the e-mail, the IP address, the browser and the time"),
)
register(
    "axes.accessfailurelog",
    ["username", "ip_address", "user_agent", "http_accept", "path_info"],
    category="connection",
    purpose=_("stop password guessing: failed logins lock an account and an address for a while"),
    seen_by="system",
    retention=LOGIN_RETENTION,
    what=_("failed logins: the e-mail typed, the IP address, the browser and the page"),
)
register(
    "sessions.session",
    ["session_data"],
    category="connection",
    purpose=_("keep a person logged in (the session cookie)"),
    seen_by="system",
    retention=_("until the session expires (two weeks at most) or the person logs out"),
    what=_("the session of a logged-in person"),
)
register(
    "admin.logentry",
    ["object_repr", "change_message"],
    category="connection",
    purpose=_("trace who changed what in the administration"),
    seen_by="staff",
    retention=_("kept with the record it describes"),
    what=_("the administration's log of changes (the name of the record changed)"),
)
register(
    "pole.outboxmessage",
    ["recipients", "body", "subject", "attachments", "last_error"],
    category="correspondence",
    purpose=_("send e-mails reliably and let staff see those that failed"),
    seen_by="staff",
    retention=_("deleted one year after sending (messages carrying a personal link: their text at once)"),
)
register(
    "pole.consentrecord",
    ["email", "name", "wording"],
    category="privacy",
    purpose=_("prove which consent was given or withdrawn, when and how"),
    seen_by="staff",
    retention=_("as long as the consent is used, then five years"),
)
register(
    "pole.unsubscription",
    ["email"],
    category="privacy",
    purpose=_("honour a request to receive no more e-mails of a kind"),
    seen_by="staff",
    retention=_("as long as the network sends such e-mails"),
)
register(
    "pole.privacyrequest",
    ["name", "email", "details", "answer"],
    category="privacy",
    purpose=_("answer a person's request about their information within 30 days"),
    seen_by="direction",
    retention=UNTIL_ANSWERED,
)
register(
    "pole.confidentialityincident",
    ["information", "circumstances", "injury_assessment", "measures"],
    category="privacy",
    purpose=_("keep the register of confidentiality incidents the law requires"),
    seen_by="direction",
    retention=_("at least five years after the incident is known"),
)
register(
    "pole.networkidentity",
    ["privacy_officer_name", "privacy_officer_email", "privacy_officer_phone"],
    category="role",
    purpose=_("publish who is in charge of personal information and how to reach them"),
    seen_by="public",
    retention=_("while the person holds the duty"),
)
not_personal(
    "pole.networkidentity",
    ["name", "short_name", "address", "phone", "email", "logo"],
    reason="The network's own name and contact details, published.",
)
not_personal("pole.personaldataaccess", ["what"], reason="What was exported (a list's name, a person's record id).")
not_personal("pole.confidentialityincident", ["title"], reason="A short title; details are registered above.")
not_personal("pole.outboxmessage", ["message_id", "sender"], reason="The network's own address and a random id.")
not_personal("auth.group", ["name"], reason="A role's name.")
not_personal("auth.permission", ["name"], reason="A permission's name.")
not_personal("contenttypes.contenttype", ["app_label"], reason="A model's name.")


# --- Retention --------------------------------------------------------------------------------


@retention_rule("login-records", _("login records older than the period are deleted"))
def delete_old_login_records(*, now, dry_run):
    limit = now - datetime.timedelta(days=settings.POLE_RETENTION_LOGIN_DAYS)
    querysets = [
        AccessAttempt.objects.filter(attempt_time__lt=limit),
        AccessLog.objects.filter(attempt_time__lt=limit),
        AccessFailureLog.objects.filter(attempt_time__lt=limit),
    ]
    count = sum(queryset.count() for queryset in querysets)
    if not dry_run:
        for queryset in querysets:
            queryset.delete()
    return count


@retention_rule("sent-emails", _("e-mails sent or failed longer ago than the period are deleted from the outbox"))
def delete_old_emails(*, now, dry_run):
    limit = now - datetime.timedelta(days=settings.POLE_RETENTION_EMAIL_DAYS)
    queryset = OutboxMessage.objects.filter(status__in=["sent", "failed"], created_at__lt=limit)
    count = queryset.count()
    if not dry_run:
        queryset.delete()
    return count


# --- A person's data --------------------------------------------------------------------------


def _recipient_condition(emails):
    condition = Q(pk__in=[])
    for email in emails:
        condition |= Q(recipients__icontains=email)
    return condition


def _exactly_to(message, emails):
    return {address.lower() for address in message.recipient_list} & emails


@person_data("emails", _("E-mails sent to the person"))
def emails_sent(person):
    rows = []
    for message in OutboxMessage.objects.filter(_recipient_condition(person.emails)).order_by("created_at", "pk"):
        if not _exactly_to(message, person.emails):
            continue  # « ann@x.org » is inside « joann@x.org »: only exact addresses count
        rows.append(
            {
                "created_at": message.created_at.isoformat(),
                "kind": message.kind,
                "to": message.recipient_list,
                "subject": message.subject,
                "body": "" if message.sensitive else message.body,
                "status": message.status,
            }
        )
    return rows


@person_data("consents", _("Consents"))
def consents(person):
    return [
        {
            "purpose": record.purpose,
            "about": record.subject,
            "wording": record.wording,
            "given_at": record.given_at.isoformat(),
            "given_how": record.given_how,
            "withdrawn_at": record.withdrawn_at.isoformat() if record.withdrawn_at else None,
            "withdrawn_how": record.withdrawn_how,
        }
        for record in ConsentRecord.objects.filter(email__in=person.emails).order_by("given_at", "pk")
    ]


@person_data("unsubscriptions", _("Unsubscriptions"))
def unsubscriptions(person):
    return [
        {"kind": row.kind, "at": row.created_at.isoformat()}
        for row in Unsubscription.objects.filter(email__in=person.emails).order_by("created_at")
    ]


@person_data("requests", _("Requests about personal information"))
def requests(person):
    return [
        {
            "kind": row.kind,
            "received_on": row.received_on.isoformat(),
            "due_on": row.due_on.isoformat(),
            "status": row.status,
            "details": row.details,
            "answer": row.answer,
        }
        for row in PrivacyRequest.objects.filter(email__in=person.emails).order_by("received_on", "pk")
    ]


@person_data("logins", _("Logins"))
def logins(person):
    return [
        {"at": row.attempt_time.isoformat(), "ip_address": row.ip_address, "user_agent": row.user_agent}
        for row in AccessLog.objects.filter(username__in=person.emails).order_by("attempt_time")
    ]


@person_eraser("emails")
def erase_emails(person, *, now):
    doomed = [
        message.pk
        for message in OutboxMessage.objects.filter(_recipient_condition(person.emails))
        if _exactly_to(message, person.emails) and message.status in ("sent", "failed")
    ]
    return OutboxMessage.objects.filter(pk__in=doomed).delete()[0]


@person_eraser("logins")
def erase_logins(person, *, now):
    count = 0
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        count += model.objects.filter(username__in=person.emails).delete()[0]
    return count


@person_eraser("consents")
def withdraw_consents(person, *, now):
    return ConsentRecord.objects.filter(email__in=person.emails, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_how=ConsentRecord.Channel.STAFF
    )


# Kept on erasure, on purpose: the requests (the answer must be proven), the incidents, the
# exports' log, and the unsubscriptions (erasing one would start the e-mails again).
