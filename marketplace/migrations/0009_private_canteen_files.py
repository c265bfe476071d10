"""Receipt photos and invoices stored before the private area: into private storage and the private collection."""

from django.db import migrations


def forwards(apps, schema_editor):
    # The real models: the move goes through the storage (files) and Wagtail's collection tree.
    from marketplace.canteen.services import make_files_private

    make_files_private()


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0008_order_guest_buyer"),
        ("wagtailcore", "__latest__"),
        ("wagtailimages", "__latest__"),
        ("wagtaildocs", "__latest__"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
