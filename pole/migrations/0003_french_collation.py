"""The ICU collation ``pole_french`` on PostgreSQL: French alphabetical order (pole/collation.py).

SQLite gets a collation of the same name on every connection (pole/apps.py); nothing to do here.
"""

from django.db import migrations

# A copy of pole.collation.ICU_LOCALE: migrations never import live code.
ICU_LOCALE = "fr-CA-u-ka-shifted"


def create_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE COLLATION IF NOT EXISTS pole_french (provider = icu, locale = '{ICU_LOCALE}', deterministic = true)"
        )


def drop_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP COLLATION IF EXISTS pole_french")


class Migration(migrations.Migration):
    dependencies = [("pole", "0002_role_groups_identity")]

    operations = [migrations.RunPython(create_collation, drop_collation)]
