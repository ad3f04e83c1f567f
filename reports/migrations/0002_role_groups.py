from django.db import migrations


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

    operations = [
        # The Personnel and Direction groups are synced after every migrate (members/apps.py,
        # post_migrate): a migration never imports live code such as members.roles.
    ]
