"""Unsubscribing from a kind of e-mail (Canada's anti-spam law, s. 6 and 11), without logging in.

A message that is not a direct answer to the person (the dues reminders, the news) carries a
link signed for its kind and its recipients; the link's page lets each of them stop that kind
of e-mail with one button, at once. The senders ask ``unsubscribed(kind, addresses)`` before
every sending. The record (``pole.models.Unsubscription``) is what the law asks to be honoured
within ten business days; here it takes effect immediately.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from pole.models import Unsubscription
from pole.text import normalize_email_identifier

SALT = "pole.unsubscribe"


def unsubscribe_token(kind, addresses):
    return signing.dumps({"k": kind, "a": sorted({normalize_email_identifier(a) for a in addresses})}, salt=SALT, compress=True)


def read_token(token):
    """Return ``(kind, addresses)`` of a link's token, or None when it was not made here."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if data.get("k") not in Unsubscription.Kind.values or not isinstance(data.get("a"), list):
        return None
    return data["k"], data["a"]


def unsubscribe_url(kind, addresses):
    return settings.POLE_SITE_URL.rstrip("/") + reverse("unsubscribe", args=[unsubscribe_token(kind, addresses)])


def unsubscribed(kind, addresses):
    """Those of ``addresses`` that asked for no more e-mails of ``kind``. One query."""
    keys = {normalize_email_identifier(address): address for address in addresses}
    found = Unsubscription.objects.filter(kind=kind, email__in=list(keys)).values_list("email", flat=True)
    return {keys[email] for email in found}


def unsubscribe(kind, address, *, how="link"):
    """Record that ``address`` wants no more e-mails of ``kind`` (once; a second time changes nothing)."""
    from pole.models import ConsentRecord
    from pole.privacy import withdraw_consent

    record, _created = Unsubscription.objects.get_or_create(
        email=normalize_email_identifier(address), kind=kind, defaults={"how": how}
    )
    if kind == Unsubscription.Kind.NEWS:
        # Unsubscribing from the news is withdrawing the consent given for them.
        withdraw_consent(purpose=ConsentRecord.Purpose.NEWS, how=ConsentRecord.Channel.LINK, email=address)
    return record
