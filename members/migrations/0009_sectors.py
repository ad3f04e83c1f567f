"""Sectors become a list staff manage: the free-text ``Member.sector`` maps onto ``Sector`` rows.

Every distinct spelling is folded (no case, no accents, single spaces): « Tourisme » and
« tourisme » become one sector, named as most members spelled it. Past versions in the
members' history point at the same sectors. Words that differ (« Tourisme » and « Tourisme
et culture ») stay two sectors, for staff to merge if they mean one.
"""

import unicodedata
from collections import Counter, defaultdict

import django.db.models.deletion
from django.db import migrations, models


def fold(text):
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def sectors_from_text(apps, schema_editor):
    Sector = apps.get_model("members", "Sector")
    Member = apps.get_model("members", "Member")
    HistoricalMember = apps.get_model("members", "HistoricalMember")
    spellings = defaultdict(Counter)
    for model in (Member, HistoricalMember):
        for text in model.objects.exclude(sector_text="").values_list("sector_text", flat=True):
            name = " ".join(text.split())[:120]
            if fold(name):
                spellings[fold(name)][name] += 1
    sectors = {
        key: Sector.objects.create(name=counts.most_common(1)[0][0], key=key) for key, counts in spellings.items()
    }
    for model in (Member, HistoricalMember):
        changed = []
        for row in model.objects.exclude(sector_text="").only("pk", "sector_text"):
            sector = sectors.get(fold(" ".join(row.sector_text.split())[:120]))
            if sector is not None:
                row.sector_id = sector.pk
                changed.append(row)
        model.objects.bulk_update(changed, ["sector"], batch_size=500)


def text_from_sectors(apps, schema_editor):
    for name in ("Member", "HistoricalMember"):
        model = apps.get_model("members", name)
        changed = []
        for row in model.objects.exclude(sector=None).select_related("sector"):
            row.sector_text = row.sector.name
            changed.append(row)
        model.objects.bulk_update(changed, ["sector_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0008_clean_control_characters"),
    ]

    operations = [
        migrations.CreateModel(
            name="Sector",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                ("key", models.CharField(editable=False, max_length=120, unique=True)),
            ],
            options={
                "verbose_name": "sector",
                "verbose_name_plural": "sectors",
                "ordering": ["name"],
            },
        ),
        migrations.RenameField(model_name="member", old_name="sector", new_name="sector_text"),
        migrations.RenameField(model_name="historicalmember", old_name="sector", new_name="sector_text"),
        migrations.AddField(
            model_name="member",
            name="sector",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="members",
                to="members.sector",
                verbose_name="sector",
            ),
        ),
        migrations.AddField(
            model_name="historicalmember",
            name="sector",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="members.sector",
                verbose_name="sector",
            ),
        ),
        migrations.RunPython(sectors_from_text, text_from_sectors),
        migrations.RemoveField(model_name="member", name="sector_text"),
        migrations.RemoveField(model_name="historicalmember", name="sector_text"),
        # The Personnel and Direction groups are synced after every migrate (members/apps.py,
        # post_migrate): a migration never imports live code such as members.roles.
    ]
