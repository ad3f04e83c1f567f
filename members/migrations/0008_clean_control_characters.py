"""Strip invisible control characters from the text of members, their history, contacts, users, territories, board and staff (pole/control_characters.py).

The forms refuse them from now on; rows saved before may hold some (an address pasted
with U+000B), which broke the XLSX export. A one-line text gets its tabs and line
breaks as spaces; a multi-line text keeps them.
"""

from django.db import migrations

from pole.control_characters import clean_stored_text


def clean_control_characters(apps, schema_editor):
    clean_stored_text(apps, "members")


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_normalise_user_emails"),
    ]

    operations = [
        migrations.RunPython(clean_control_characters, migrations.RunPython.noop),
    ]
