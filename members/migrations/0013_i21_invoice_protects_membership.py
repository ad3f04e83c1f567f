# An invoice points at the membership it bills, PROTECT: the database refuses to delete a membership
# that carries money. Existing invoices are linked by member and fiscal year (credit notes and
# cancelled invoices stay without one, as cancel_invoice leaves them).

import django.db.models.deletion
from django.db import migrations, models


def link_invoices(apps, schema_editor):
    Invoice = apps.get_model("members", "Invoice")
    Membership = apps.get_model("members", "Membership")
    memberships = {(m.member_id, m.fiscal_year): m.pk for m in Membership.objects.all()}
    cancelled = set(Invoice.objects.filter(cancels__isnull=False).values_list("cancels_id", flat=True))
    linked = []
    for invoice in Invoice.objects.filter(kind="invoice"):
        pk = memberships.get((invoice.member_id, invoice.fiscal_year))
        if pk is not None and invoice.pk not in cancelled:
            invoice.membership_id = pk
            linked.append(invoice)
    Invoice.objects.bulk_update(linked, ["membership"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0012_french_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="membership",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="invoices",
                to="members.membership",
                verbose_name="membership",
            ),
        ),
        migrations.RunPython(link_invoices, migrations.RunPython.noop),
    ]
