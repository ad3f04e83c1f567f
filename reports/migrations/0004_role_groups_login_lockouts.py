from django.db import migrations


class Migration(migrations.Migration):
    """Let the Direction group see and unlock login lockouts (django-axes)."""

    dependencies = [
        ("reports", "0003_safe_images"),
        ("members", "0005_website_assumes_https"),
        ("partners", "0003_website_assumes_https"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        # The Personnel and Direction groups are synced after every migrate (members/apps.py,
        # post_migrate): a migration never imports live code such as members.roles.
    ]
