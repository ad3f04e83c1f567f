"""Store every account's e-mail address as its key (pole.text.normalize_email_identifier).

Logging in now looks the account up by exact match on the key, so an address stored
otherwise would no longer log in. Earlier versions only lowercased it.

Two cases are left as they are and reported (a warning in the migration's output, and the
data check members.W001 until someone fixes them in the admin's Users):

- accounts whose keys collide (« direction@… » and « dırection@… »): renaming one would
  break the address's uniqueness, and only Direction can tell which account is the person's;
- an address whose key is another mailbox (« Straße@… » would become « strasse@… »): mail
  sent to the key could reach someone else.

Pending invitations keep their address as the key too (no uniqueness to break).
"""

import logging
import unicodedata
from collections import defaultdict

from django.db import migrations

log = logging.getLogger("members.migrations")


# Frozen copies of pole.text's functions as of this migration: history must not change with them.
def normalize_email_identifier(address):
    if not address:
        return ""
    text = unicodedata.normalize("NFKC", str(address))
    folded = unicodedata.normalize("NFKC", text.upper()).casefold()
    return unicodedata.normalize("NFKC", folded).strip()


def normalization_changes_only_case(address):
    return normalize_email_identifier(address) == unicodedata.normalize("NFC", str(address or "")).strip().lower()


def normalise_emails(apps, schema_editor):
    User = apps.get_model("members", "User")
    Invitation = apps.get_model("members", "Invitation")

    by_key = defaultdict(list)
    for pk, email in User.objects.order_by("pk").values_list("pk", "email"):
        by_key[normalize_email_identifier(email)].append((pk, email))
    for key, accounts in sorted(by_key.items()):
        if len(accounts) > 1:
            addresses = ", ".join(f"{email} (#{pk})" for pk, email in accounts)
            log.warning("Accounts left as they are, their addresses are one key (%s): %s", key, addresses)
            continue
        ((pk, email),) = accounts
        if email == key:
            continue
        if not normalization_changes_only_case(email):
            log.warning("Account left as it is, its key %s would be another mailbox: %s (#%s)", key, email, pk)
            continue
        User.objects.filter(pk=pk).update(email=key)

    for pk, email in Invitation.objects.values_list("pk", "email"):
        key = normalize_email_identifier(email)
        if key != email:
            Invitation.objects.filter(pk=pk).update(email=key)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_phone_numbers_and_contact_position"),
    ]

    operations = [
        migrations.RunPython(normalise_emails, migrations.RunPython.noop),
    ]
