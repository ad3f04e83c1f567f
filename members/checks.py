"""System checks on the data, run by `manage.py check --database default` (and by `migrate`).

They read the database, so they run only when a database is named: a plain `check` (and
`runserver`'s) stays static, as Django's own database checks do.
"""

from django.core import checks
from django.core.checks import Error, Tags, register
from django.db import connections
from django.db.models import Q

from pole.text import normalize_email_identifier

from .models import Contact, User


@register(Tags.security, Tags.database)
def contacts_tied_to_staff_accounts(app_configs=None, databases=None, **kwargs):
    """A contact's account is a member representative's: never a staff or superuser account.

    Through the contact, an invitation would set that account's password and the contacts
    list would deactivate it. No form can create such a contact; this finds one made before
    the fix or by hand. Only columns of the first migration are read, so the check runs
    before `migrate` applies later ones.
    """
    errors = []
    for alias in databases or ():
        if Contact._meta.db_table not in connections[alias].introspection.table_names():
            continue  # a database not migrated yet
        rows = (
            Contact.objects.using(alias)
            .filter(Q(user__is_staff=True) | Q(user__is_superuser=True))
            .order_by("pk")
            .values_list("pk", "first_name", "last_name", "user__email")
        )
        for pk, first_name, last_name, email in rows:
            errors.append(
                Error(
                    f"The contact {first_name} {last_name} (#{pk}) is tied to the staff account {email}: "
                    "an invitation to that contact would set the account's password.",
                    hint=(
                        "Untie them: .venv/bin/python manage.py shell -c "
                        f'"from members.models import Contact; Contact.objects.filter(pk={pk}).update(user=None)"'
                    ),
                    id="members.E001",
                )
            )
    return errors


@register(Tags.security, Tags.database)
def user_addresses_not_normalised(app_configs=None, databases=None, **kwargs):
    """Every account's address is stored as its key (pole.text.normalize_email_identifier).

    Logging in matches the key exactly, so another spelling cannot log in. The migration
    0007_normalise_user_emails leaves such addresses when two accounts share a key or when
    the key would be another mailbox; they are listed here until fixed.
    """
    warnings = []
    for alias in databases or ():
        if User._meta.db_table not in connections[alias].introspection.table_names():
            continue
        keys = {}
        rows = list(User.objects.using(alias).order_by("pk").values_list("pk", "email"))
        for _pk, email in rows:
            keys.setdefault(normalize_email_identifier(email), []).append(email)
        for pk, email in rows:
            key = normalize_email_identifier(email)
            if email == key:
                continue
            others = [other for other in keys[key] if other != email]
            clash = f" It shares its key with {', '.join(others)}." if others else ""
            warnings.append(
                checks.Warning(
                    f"The account {email} (#{pk}) is not stored under its key {key}: it cannot log in.{clash}",
                    hint="In the admin's Users, change its address, or merge it with the other account and delete it.",
                    id="members.W001",
                )
            )
    return warnings
