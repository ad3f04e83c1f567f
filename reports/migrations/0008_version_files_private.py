from django.db import migrations, models

import pole.storage
import reports.models


def move_version_files_to_private_storage(apps, schema_editor):
    """Move the archived versions' files from the public storage (under MEDIA_ROOT, reachable at
    /media/…) to the private one, keeping their names. Safe to run again: a file already in the
    private storage is left there. Uses Django's storages only, not the app's code.
    """
    from django.core.files.storage import storages

    ReportVersion = apps.get_model("reports", "ReportVersion")
    public, private = storages["default"], storages["private"]
    moved = []
    for name in ReportVersion.objects.values_list("pdf", "html"):
        for file_name in name:
            if not file_name or private.exists(file_name) or not public.exists(file_name):
                continue
            with public.open(file_name, "rb") as source:
                stored = private.save(file_name, source)
            if stored != file_name:
                raise RuntimeError(f"The private storage renamed {file_name} to {stored}")
            moved.append(file_name)
    # Deleted once every copy is made: an interrupted run leaves the public copies, and runs again.
    for file_name in moved:
        public.delete(file_name)


def move_back(apps, schema_editor):
    from django.core.files.storage import storages

    ReportVersion = apps.get_model("reports", "ReportVersion")
    public, private = storages["default"], storages["private"]
    for name in ReportVersion.objects.values_list("pdf", "html"):
        for file_name in name:
            if file_name and private.exists(file_name) and not public.exists(file_name):
                with private.open(file_name, "rb") as source:
                    public.save(file_name, source)
                private.delete(file_name)


class Migration(migrations.Migration):
    """Archived report versions become private files: never under MEDIA_ROOT's public URL (issue 21)."""

    dependencies = [
        ("reports", "0007_report_cover_photo"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reportversion",
            name="html",
            field=models.FileField(
                storage=pole.storage.private_storage, upload_to=reports.models.version_upload_to, verbose_name="HTML"
            ),
        ),
        migrations.AlterField(
            model_name="reportversion",
            name="pdf",
            field=models.FileField(
                storage=pole.storage.private_storage, upload_to=reports.models.version_upload_to, verbose_name="PDF"
            ),
        ),
        migrations.RunPython(move_version_files_to_private_storage, move_back, elidable=True),
    ]
