from django.db import migrations


def sync_role_groups(apps, schema_editor):
    from members.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Let the Direction group see and unlock login lockouts (django-axes)."""

    dependencies = [
        ("reports", "0003_safe_images"),
        ("members", "0005_website_assumes_https"),
        ("partners", "0003_website_assumes_https"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
