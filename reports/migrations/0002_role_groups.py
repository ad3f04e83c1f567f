from django.db import migrations


def create_role_groups(apps, schema_editor):
    from members.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Create the Personnel and Direction groups (DESIGN.md, Roles)."""

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("members", "0001_initial"),
        ("activities", "0001_initial"),
        ("partners", "0001_initial"),
        ("reports", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
