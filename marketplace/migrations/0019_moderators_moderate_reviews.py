"""Moderators (Wagtail's group of content approvers) moderate reviews too: view and change (approve, reject)."""

from django.db import migrations

GROUP = "Moderators"
CODENAMES = ["view_review", "change_review"]


def grant(apps, schema_editor):
    # Django makes permissions after all migrations; make the two needed here now (the same rows it would make).
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    review_type, _created = ContentType.objects.get_or_create(app_label="marketplace", model="review")
    for codename, name in (("view_review", "Can view review"), ("change_review", "Can change review")):
        Permission.objects.get_or_create(content_type=review_type, codename=codename, defaults={"name": name})
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.add(*Permission.objects.filter(content_type__app_label="marketplace", codename__in=CODENAMES))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        granted = group.permissions.filter(content_type__app_label="marketplace", codename__in=CODENAMES)
        group.permissions.remove(*granted)


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0018_product_reviews"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
