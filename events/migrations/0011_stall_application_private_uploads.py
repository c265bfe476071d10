"""Stall application uploads (food licences) into private storage: new ones by upload_to, old ones moved."""

from django.db import migrations, models

import events.models


def forwards(apps, schema_editor):
    from events.stalls.services import make_application_files_private

    make_application_files_private(apps.get_model("events", "StallApplication"))


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0010_registration_idempotency_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="stallapplication",
            name="food_licence",
            field=models.FileField(
                blank=True, upload_to=events.models.application_upload_to, verbose_name="food licence"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
