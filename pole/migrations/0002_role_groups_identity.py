from django.db import migrations


class Migration(migrations.Migration):
    """Let the Direction edit the network's identity, and Personnel see it."""

    dependencies = [
        ("pole", "0001_network_identity"),
        ("reports", "0006_report_versions"),
        ("members", "0010_sector_keys_fold_apostrophes"),
        ("activities", "0006_project_years"),
        ("partners", "0004_clean_control_characters"),
    ]

    operations = [
        # The Personnel and Direction groups are synced after every migrate (members/apps.py,
        # post_migrate): a migration never imports live code such as members.roles.
    ]
