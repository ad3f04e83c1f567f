"""Strip invisible control characters from the text of objectives, activities, measures, projects and campaigns (pole/control_characters.py).

The forms refuse them from now on; rows saved before may hold some (an address pasted
with U+000B), which broke the XLSX export. A one-line text gets its tabs and line
breaks as spaces; a multi-line text keeps them.
"""

from django.db import migrations

from pole.control_characters import clean_stored_text


def clean_control_characters(apps, schema_editor):
    clean_stored_text(apps, "activities")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_safe_images"),
    ]

    operations = [
        migrations.RunPython(clean_control_characters, migrations.RunPython.noop),
    ]
