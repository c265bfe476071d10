"""Vendor groups and image collections were named "Vendor #12: 常山胡柚合作社"; vendors see the collection's
name when they upload images. Now "商家 #12：常山胡柚合作社" (marketplace.services.vendors.vendor_key)."""

import re

from django.db import migrations

OLD = re.compile(r"^Vendor #(\d+): ")
NEW = re.compile(r"^商家 #(\d+)：")


def rename(pattern, replacement):
    def run(apps, schema_editor):
        for model in (apps.get_model("auth", "Group"), apps.get_model("wagtailcore", "Collection")):
            for row in model.objects.filter(name__regex=pattern.pattern):
                model.objects.filter(pk=row.pk).update(name=pattern.sub(replacement, row.name))

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0011_verbose_name_plural"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(rename(OLD, r"商家 #\1："), rename(NEW, r"Vendor #\1: "))]
