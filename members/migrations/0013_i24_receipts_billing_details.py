# Receipts get a number of their own, per fiscal year of the payment's date; the payments
# recorded before are numbered in the order they were paid. Invoices keep the member's billing
# contact of the day, and credit notes their reason.

from django.conf import settings
from django.db import migrations, models

import pole.fiscal_years


def number_past_receipts(apps, schema_editor):
    """Number every payment's receipt by (paid on, id), per fiscal year; the counters follow."""
    Payment = apps.get_model("members", "Payment")
    DocumentCounter = apps.get_model("members", "DocumentCounter")
    start_month = settings.POLE_FISCAL_YEAR_START_MONTH  # frozen rule: pole.fiscal_years.FiscalYear.containing
    last = {}
    payments = list(Payment.objects.order_by("paid_on", "pk"))
    for payment in payments:
        day = payment.paid_on
        year = day.year if day.month >= start_month else day.year - 1
        last[year] = last.get(year, 0) + 1
        payment.receipt_year, payment.receipt_number = year, last[year]
    Payment.objects.bulk_update(payments, ["receipt_year", "receipt_number"], batch_size=500)
    for year, number in last.items():
        DocumentCounter.objects.update_or_create(kind="receipt", fiscal_year=year, defaults={"last_number": number})


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0013_i23_photo_consent'),
    ]

    operations = [
        migrations.AddField(
            model_name='invoice',
            name='member_contact',
            field=models.TextField(blank=True, help_text='The person, e-mail and phone the invoice is sent to.', verbose_name="member's billing contact"),
        ),
        migrations.AddField(
            model_name='invoice',
            name='reason',
            field=models.CharField(blank=True, help_text='Why the credit note cancels the invoice.', max_length=255, verbose_name='reason'),
        ),
        migrations.AddField(
            model_name='payment',
            name='receipt_number',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='receipt number'),
        ),
        migrations.AddField(
            model_name='payment',
            name='receipt_year',
            field=pole.fiscal_years.FiscalYearField(blank=True, editable=False, null=True, verbose_name="receipt's fiscal year"),
        ),
        migrations.RunPython(number_past_receipts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.UniqueConstraint(fields=('receipt_year', 'receipt_number'), name='members_payment_unique_receipt_number'),
        ),
    ]
