from django.db import migrations


def sync_role_groups(apps, schema_editor):
    from members.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Let the Direction edit the network's identity, and Personnel see it."""

    dependencies = [
        ("pole", "0001_network_identity"),
        ("reports", "0006_report_versions"),
        ("members", "0010_sector_keys_fold_apostrophes"),
        ("activities", "0006_project_years"),
        ("partners", "0004_clean_control_characters"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
