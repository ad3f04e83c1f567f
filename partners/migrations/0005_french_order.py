# French alphabetical order for the names listed (pole/collation.py); the collation comes from pole 0003.

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pole', '0003_french_collation'),
        ('partners', '0004_clean_control_characters'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='affiliation',
            options={'ordering': ['-fiscal_year', 'order', models.OrderBy(django.db.models.functions.comparison.Collate(models.F('organisation__name'), 'pole_french'))], 'verbose_name': 'affiliation', 'verbose_name_plural': 'affiliations'},
        ),
        migrations.AlterModelOptions(
            name='committeeseat',
            options={'ordering': ['-fiscal_year', 'order', models.OrderBy(django.db.models.functions.comparison.Collate(models.F('name'), 'pole_french'))], 'verbose_name': 'committee seat', 'verbose_name_plural': 'committee seats'},
        ),
        migrations.AlterModelOptions(
            name='organisation',
            options={'ordering': [models.OrderBy(django.db.models.functions.comparison.Collate(models.F('name'), 'pole_french'))], 'verbose_name': 'organisation', 'verbose_name_plural': 'organisations'},
        ),
        migrations.AlterModelOptions(
            name='partnership',
            options={'ordering': ['-fiscal_year', 'category', 'order', models.OrderBy(django.db.models.functions.comparison.Collate(models.F('organisation__name'), 'pole_french'))], 'verbose_name': 'partnership', 'verbose_name_plural': 'partnerships'},
        ),
    ]
