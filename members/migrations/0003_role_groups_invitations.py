from django.db import migrations


def sync_groups(apps, schema_editor):
    from members.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Give the staff roles the invitations (members.roles)."""

    dependencies = [
        ("members", "0002_history_and_invitations"),
        ("reports", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
