"""Each registration gets a short code door staff can type (8 characters without look-alikes), unique per fair.

The column is added nullable, existing registrations are backfilled with codes unique within their fair, and
only then (0004, a separate transaction: PostgreSQL will not alter a table with pending trigger events) is it
made required and the (fair, short_code) unique constraint added.
"""

import secrets

from django.db import migrations, models

import events.models

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8


def backfill_short_codes(apps, schema_editor=None):
    """Give every registration without a short code (NULL or empty) one that no other registration of its fair
    has. Codes come from `secrets`; a collision is drawn again. Returns how many were filled in."""
    Registration = apps.get_model("events", "Registration")
    missing = Registration.objects.filter(models.Q(short_code__isnull=True) | models.Q(short_code=""))
    filled = 0
    taken = {}
    for pk, fair_id in missing.order_by("pk").values_list("pk", "fair_id").iterator():
        if fair_id not in taken:
            taken[fair_id] = set(
                Registration.objects.filter(fair_id=fair_id)
                .exclude(short_code__isnull=True)
                .exclude(short_code="")
                .values_list("short_code", flat=True)
            )
        while True:
            code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
            if code not in taken[fair_id]:
                break
        taken[fair_id].add(code)
        Registration.objects.filter(pk=pk).update(short_code=code)
        filled += 1
    return filled


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_registrations"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="short_code",
            field=models.CharField(editable=False, max_length=8, null=True, verbose_name="short code"),
        ),
        migrations.RunPython(backfill_short_codes, migrations.RunPython.noop, elidable=True),
    ]
