"""Strip invisible control characters from the text of annual reports, their messages, signatories, introductions and declared figures (pole/control_characters.py).

The forms refuse them from now on; rows saved before may hold some (an address pasted
with U+000B), which broke the XLSX export. A one-line text gets its tabs and line
breaks as spaces; a multi-line text keeps them.
"""

import re

from django.db import IntegrityError, migrations, models, transaction

# A frozen copy of pole.control_characters as it stood when this migration was written:
# a migration never imports live code, which may change after it.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_control_characters(text):
    return CONTROL_CHARACTERS.sub("", text)


def single_line(text):
    return re.sub(r" *[\t\n\r]+ *", " ", strip_control_characters(text))


def clean_stored_text(apps, app_label):
    """Strip control characters from every text column of ``app_label``'s models (a data migration).

    A ``TextField`` keeps its tabs and line breaks; a single-line ``CharField`` gets them
    as spaces, as its form now requires. Rows are read in Python, so that SQLite and
    PostgreSQL clean alike; only the rows that change are written. Should a cleaned value
    collide with another row's (« Coop\\x0b » beside « Coop », unique names), its control
    characters become U+FFFD instead, visible for staff to sort out.
    """
    for model in apps.get_app_config(app_label).get_models():
        text_fields = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField)) and not field.primary_key
        ]
        if not text_fields:
            continue
        names = [field.attname for field in text_fields]
        manager = model._base_manager
        for pk, *values in list(manager.values_list("pk", *names)):
            changes = {}
            for field, value in zip(text_fields, values, strict=True):
                if not value:
                    continue
                cleaned = strip_control_characters(value) if isinstance(field, models.TextField) else single_line(value)
                if cleaned != value:
                    changes[field.attname] = cleaned
            if changes:
                try:
                    with transaction.atomic():
                        manager.filter(pk=pk).update(**changes)
                except IntegrityError:
                    visible = {
                        name: CONTROL_CHARACTERS.sub("\ufffd", value)
                        for name, value in zip(names, values, strict=True)
                        if name in changes
                    }
                    manager.filter(pk=pk).update(**visible)


def clean_control_characters(apps, schema_editor):
    clean_stored_text(apps, "reports")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_role_groups_login_lockouts"),
    ]

    operations = [
        migrations.RunPython(clean_control_characters, migrations.RunPython.noop),
    ]
