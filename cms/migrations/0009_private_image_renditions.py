"""Renditions of private images made while they were still written to public media: deleted (made again, privately,
when next asked for; cms.private_media.install_private_renditions)."""

from django.db import migrations


def forwards(apps, schema_editor):
    # Wagtail's real rendition model (migrated to its latest state first): the files go through the storage.
    from cms.private_media import delete_public_renditions_of_private_images

    delete_public_renditions_of_private_images()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0008_privacy"),
        ("wagtailimages", "__latest__"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
