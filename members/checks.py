"""System checks on the data, run by `manage.py check --database default` (and by `migrate`).

They read the database, so they run only when a database is named: a plain `check` (and
`runserver`'s) stays static, as Django's own database checks do.
"""

from django.core.checks import Error, Tags, register
from django.db import connections
from django.db.models import Q

from .models import Contact


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
