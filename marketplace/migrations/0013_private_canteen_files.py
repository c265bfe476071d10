"""Receipt photos and invoices stored before the private area: into private storage and the private collection."""

from django.db import migrations


def forwards(apps, schema_editor):
    # Ids from the historical VendorOrder; the move itself uses Wagtail's real image, document and collection
    # models (migrated to their latest state first), because it goes through the storage and the tree.
    from marketplace.canteen.services import make_files_private

    VendorOrder = apps.get_model("marketplace", "VendorOrder")
    parts = VendorOrder.objects.all()
    photo_ids = set(parts.exclude(inspection_photo=None).values_list("inspection_photo_id", flat=True))
    document_ids = set(parts.exclude(invoice_file=None).values_list("invoice_file_id", flat=True))
    make_files_private(photo_ids, document_ids)


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0012_chinese_vendor_group_names"),
        ("wagtailcore", "__latest__"),
        ("wagtailimages", "__latest__"),
        ("wagtaildocs", "__latest__"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
