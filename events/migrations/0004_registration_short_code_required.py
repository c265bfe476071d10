"""The short code is required and unique within its fair (backfilled by 0003)."""

from django.db import migrations, models

import events.models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_registration_short_code"),
    ]

    operations = [
        migrations.AlterField(
            model_name="registration",
            name="short_code",
            field=models.CharField(
                default=events.models.new_short_code, editable=False, max_length=8, verbose_name="short code"
            ),
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(
                fields=("fair", "short_code"), name="events_registration_short_code_per_fair"
            ),
        ),
    ]
