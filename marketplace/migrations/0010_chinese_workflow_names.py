"""Vendors read the workflow and task names in the admin ("提交给Moderators approval"): give the ones
Wagtail's migration 0048 created for the Moderators group their Chinese name."""

from django.db import migrations

OLD_NAME = "Moderators approval"
NEW_NAME = "审核员审批"


def rename(old, new):
    def run(apps, schema_editor):
        apps.get_model("wagtailcore", "Workflow").objects.filter(name=old).update(name=new)
        apps.get_model("wagtailcore", "Task").objects.filter(name=old).update(name=new)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0009_english_fields"),
        ("wagtailcore", "0048_add_default_workflows"),
    ]

    operations = [migrations.RunPython(rename(OLD_NAME, NEW_NAME), rename(NEW_NAME, OLD_NAME))]
