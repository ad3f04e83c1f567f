# French alphabetical order for the names listed (pole/collation.py); the collation comes from pole 0003.

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pole', '0003_french_collation'),
        ('activities', '0007_event_registration'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='activity',
            options={'ordering': ['start_date', models.OrderBy(django.db.models.functions.comparison.Collate(models.F('title'), 'pole_french'))], 'verbose_name': 'activity', 'verbose_name_plural': 'activities'},
        ),
        migrations.AlterModelOptions(
            name='campaign',
            options={'ordering': ['-fiscal_year', models.OrderBy(django.db.models.functions.comparison.Collate(models.F('name'), 'pole_french'))], 'verbose_name': 'communication campaign', 'verbose_name_plural': 'communication campaigns'},
        ),
        migrations.AlterModelOptions(
            name='objective',
            options={'ordering': ['order', models.OrderBy(django.db.models.functions.comparison.Collate(models.F('name'), 'pole_french'))], 'verbose_name': 'strategic objective', 'verbose_name_plural': 'strategic objectives'},
        ),
        migrations.AlterModelOptions(
            name='project',
            options={'ordering': ['objective__order', 'order', models.OrderBy(django.db.models.functions.comparison.Collate(models.F('title'), 'pole_french'))], 'verbose_name': 'project', 'verbose_name_plural': 'projects'},
        ),
    ]
