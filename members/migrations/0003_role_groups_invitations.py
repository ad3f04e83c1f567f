from django.db import migrations


class Migration(migrations.Migration):
    """Give the staff roles the invitations (members.roles)."""

    dependencies = [
        ("members", "0002_history_and_invitations"),
        ("reports", "0002_role_groups"),
    ]

    operations = [
        # The Personnel and Direction groups are synced after every migrate (members/apps.py,
        # post_migrate): a migration never imports live code such as members.roles.
    ]
