# French alphabetical order for the names listed (pole/collation.py); the collation comes from pole 0003.

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pole', '0003_french_collation'),
        ('members', '0011_dues_invoices_payments'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='boardmandate',
            options={'ordering': ['order', models.OrderBy(django.db.models.functions.comparison.Collate(models.F('name'), 'pole_french'))], 'verbose_name': 'board mandate', 'verbose_name_plural': 'board mandates'},
        ),
        migrations.AlterModelOptions(
            name='contact',
            options={'ordering': [models.OrderBy(django.db.models.functions.comparison.Collate(models.F('last_name'), 'pole_french')), models.OrderBy(django.db.models.functions.comparison.Collate(models.F('first_name'), 'pole_french'))], 'verbose_name': 'contact', 'verbose_name_plural': 'contacts'},
        ),
        migrations.AlterModelOptions(
            name='member',
            options={'ordering': [models.OrderBy(django.db.models.functions.comparison.Collate(models.F('name'), 'pole_french'))], 'verbose_name': 'member', 'verbose_name_plural': 'members'},
        ),
        migrations.AlterModelOptions(
            name='membership',
            options={'ordering': ['-fiscal_year', models.OrderBy(django.db.models.functions.comparison.Collate(models.F('member__name'), 'pole_french'))], 'permissions': [('print_good_standing', 'Can print the list of members in good standing')], 'verbose_name': 'membership', 'verbose_name_plural': 'memberships'},
        ),
        migrations.AlterModelOptions(
            name='sector',
            options={'ordering': [models.OrderBy(django.db.models.functions.comparison.Collate(models.F('name'), 'pole_french'))], 'verbose_name': 'sector', 'verbose_name_plural': 'sectors'},
        ),
        migrations.AlterModelOptions(
            name='staffmember',
            options={'ordering': ['order', models.OrderBy(django.db.models.functions.comparison.Collate(models.F('name'), 'pole_french'))], 'verbose_name': 'staff member', 'verbose_name_plural': 'staff'},
        ),
        migrations.AlterModelOptions(
            name='territory',
            options={'ordering': ['order', models.OrderBy(django.db.models.functions.comparison.Collate(models.F('name'), 'pole_french'))], 'verbose_name': 'territory', 'verbose_name_plural': 'territories'},
        ),
    ]
