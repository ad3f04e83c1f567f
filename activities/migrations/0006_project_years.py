"""A project's text belongs to a fiscal year (ProjectYear); the single text of each project moves there.

The text was written for one report: it goes to the fiscal year of the latest annual report
within the project's years (the demo's texts become 2016-2017's), or to the project's first
fiscal year when no report covers it. Its photo and caption go with it.
"""

import django.db.models.deletion
from django.db import migrations, models

import pole.fiscal_years
import pole.images


def texts_to_years(apps, schema_editor):
    Project = apps.get_model("activities", "Project")
    ProjectYear = apps.get_model("activities", "ProjectYear")
    AnnualReport = apps.get_model("reports", "AnnualReport")
    report_years = sorted(year.start_year for year in AnnualReport.objects.values_list("fiscal_year", flat=True))
    for project in Project.objects.all():
        if not (project.body or project.photo):
            continue
        first = project.first_fiscal_year.start_year
        last = project.last_fiscal_year.start_year if project.last_fiscal_year else None
        covered = [year for year in report_years if year >= first and (last is None or year <= last)]
        ProjectYear.objects.create(
            project=project,
            fiscal_year=covered[-1] if covered else first,
            body=project.body,
            photo=project.photo,
            photo_caption=project.photo_caption,
        )


def years_to_texts(apps, schema_editor):
    Project = apps.get_model("activities", "Project")
    for project in Project.objects.all():
        latest = project.years.order_by("-fiscal_year").first()
        if latest is not None:
            project.body, project.photo, project.photo_caption = latest.body, latest.photo, latest.photo_caption
            project.save(update_fields=["body", "photo", "photo_caption"])


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_clean_control_characters"),
        ("reports", "0005_clean_control_characters"),
        ("members", "0009_sectors"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProjectYear",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("fiscal_year", pole.fiscal_years.FiscalYearField(verbose_name="fiscal year")),
                (
                    "body",
                    models.TextField(
                        help_text="What the project did this fiscal year. Separate paragraphs with an empty line.",
                        verbose_name="text",
                    ),
                ),
                (
                    "photo",
                    pole.images.SafeImageField(blank=True, upload_to="projects/", verbose_name="photo"),
                ),
                ("photo_caption", models.CharField(blank=True, max_length=300, verbose_name="photo caption")),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="years",
                        to="activities.project",
                        verbose_name="project",
                    ),
                ),
            ],
            options={
                "verbose_name": "project text for a fiscal year",
                "verbose_name_plural": "project texts by fiscal year",
                "ordering": ["project", "-fiscal_year"],
                "constraints": [
                    models.UniqueConstraint(fields=("project", "fiscal_year"), name="activities_projectyear_unique_year")
                ],
            },
        ),
        migrations.RunPython(texts_to_years, years_to_texts),
        migrations.RemoveField(model_name="project", name="body"),
        migrations.RemoveField(model_name="project", name="photo"),
        migrations.RemoveField(model_name="project", name="photo_caption"),
        # The Personnel and Direction groups are synced after every migrate (members/apps.py,
        # post_migrate): a migration never imports live code such as members.roles.
    ]
