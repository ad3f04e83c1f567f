"""Sectors' keys fold the typographic apostrophe too (« d’entraide » = « d'entraide »).

The spreadsheet import folded apostrophes while the admin did not, so one sector could get two
keys. Keys are computed again with the one folding; two sectors whose keys now agree are one:
the members (and their history) of the later move to the earlier, which keeps its name.
"""

import unicodedata

from django.db import migrations


def fold(text):
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("\u2019", "'").casefold().split())


def refold_keys(apps, schema_editor):
    Sector = apps.get_model("members", "Sector")
    Member = apps.get_model("members", "Member")
    HistoricalMember = apps.get_model("members", "HistoricalMember")
    kept = {}
    for sector in Sector.objects.order_by("pk"):
        key = fold(sector.name)
        if key in kept:
            Member.objects.filter(sector=sector).update(sector=kept[key])
            HistoricalMember.objects.filter(sector_id=sector.pk).update(sector_id=kept[key].pk)
            sector.delete()
        else:
            kept[key] = sector
    for key, sector in kept.items():
        if sector.key != key:
            Sector.objects.filter(pk=sector.pk).update(key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0009_sectors"),
    ]

    operations = [migrations.RunPython(refold_keys, migrations.RunPython.noop)]
