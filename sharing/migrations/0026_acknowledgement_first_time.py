# The first time a state acknowledged a version, kept when it raises the level later.
# Rows that exist have only the time of their latest level: it is the best there is.

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def from_the_latest_level(apps, schema_editor):
    Acknowledgement = apps.get_model("sharing", "Acknowledgement")
    Acknowledgement.objects.update(first_acknowledged_at=F("acknowledged_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0025_questionnaire"),
    ]

    operations = [
        migrations.AddField(
            model_name="acknowledgement",
            name="first_acknowledged_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="first acknowledged",
            ),
        ),
        migrations.RunPython(from_the_latest_level, migrations.RunPython.noop),
    ]
