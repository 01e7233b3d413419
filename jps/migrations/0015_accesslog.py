"""Access-log channels csv, admin and sar. Choices only (no SQL): rows logged as ``export`` stay valid."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('jps', '0014_public_export_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='problemview',
            name='channel',
            field=models.CharField(choices=[('web', 'Web'), ('api', 'API'), ('csv', 'CSV export'), ('admin', 'Admin'), ('sar', 'Subject-access export'), ('export', 'Export (before CSV and subject-access were told apart)')], max_length=8),
        ),
    ]
