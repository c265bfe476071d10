"""Checkout and canteen become apps of their own (issue #15); marketplace keeps vendors, products and reviews.

Nothing in the database is renamed: the moved models keep their tables (marketplace_order …), so marketplace
only forgets its picture of them (state only) once checkout 0001 and canteen 0001 hold it. Their rows in
django_content_type move from app_label "marketplace" to "checkout"/"canteen" with their ids, so permissions,
group grants, Wagtail log entries, revisions and admin history keep pointing at the same models.
"""

import django.db.models.deletion
from django.db import migrations, models

CHECKOUT_MODELS = [
    "deliveryaddress",
    "cartitem",
    "order",
    "vendororder",
    "orderline",
    "payment",
    "refund",
    "aftersalerequest",
    "aftersaleline",
    "aftersalephoto",
    "orderevent",
    "stripeevent",
    "shippingrule",
    "shippingregion",
]
CANTEEN_MODELS = ["buyerunit", "unitmember", "canteenaddress", "annualbudget"]
MOVES = [("checkout", CHECKOUT_MODELS), ("canteen", CANTEEN_MODELS)]


def _move_content_types(apps, source_of, target_of):
    from django.contrib.contenttypes.models import ContentType as CachedContentType

    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, models_ in MOVES:
        source, target = source_of(app_label), target_of(app_label)
        for model in models_:
            old = ContentType.objects.filter(app_label=source, model=model).first()
            if old is None:
                continue  # a fresh database: Django makes the content types after migrating
            # A row under the new label can only be one Django made after a partial migrate (with its own
            # default permissions, never granted to anyone yet); the old row carries the history, so it wins.
            ContentType.objects.filter(app_label=target, model=model).delete()
            old.app_label = target
            old.save(update_fields=["app_label"])
    CachedContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _move_content_types(apps, source_of=lambda label: "marketplace", target_of=lambda label: label)


def backwards(apps, schema_editor):
    _move_content_types(apps, source_of=lambda label: label, target_of=lambda label: "marketplace")


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0019_moderators_moderate_reviews"),
        ("canteen", "0001_initial"),
        ("checkout", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        # events 0013 (its foreign keys to the moved models) runs before this one: see its run_before.
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # State only: the tables now belong to the checkout and canteen apps under the same names.
            state_operations=[
                migrations.RemoveField(
                    model_name="aftersaleline",
                    name="order_line",
                ),
                migrations.RemoveField(
                    model_name="aftersaleline",
                    name="request",
                ),
                migrations.RemoveField(
                    model_name="aftersalephoto",
                    name="image",
                ),
                migrations.RemoveField(
                    model_name="aftersalephoto",
                    name="request",
                ),
                migrations.RemoveField(
                    model_name="aftersalerequest",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="aftersalerequest",
                    name="order",
                ),
                migrations.RemoveField(
                    model_name="aftersalerequest",
                    name="vendor_order",
                ),
                migrations.RemoveField(
                    model_name="refund",
                    name="after_sale",
                ),
                migrations.RemoveField(
                    model_name="annualbudget",
                    name="unit",
                ),
                migrations.RemoveField(
                    model_name="buyerunit",
                    name="applied_by",
                ),
                migrations.RemoveField(
                    model_name="buyerunit",
                    name="verified_by",
                ),
                migrations.RemoveField(
                    model_name="order",
                    name="buyer_unit",
                ),
                migrations.RemoveField(
                    model_name="canteenaddress",
                    name="unit",
                ),
                migrations.RemoveField(
                    model_name="unitmember",
                    name="unit",
                ),
                migrations.RemoveField(
                    model_name="cartitem",
                    name="product",
                ),
                migrations.RemoveField(
                    model_name="cartitem",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="deliveryaddress",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="order",
                    name="approved_by",
                ),
                migrations.RemoveField(
                    model_name="order",
                    name="buyer",
                ),
                migrations.RemoveField(
                    model_name="payment",
                    name="order",
                ),
                migrations.RemoveField(
                    model_name="orderline",
                    name="order",
                ),
                migrations.RemoveField(
                    model_name="vendororder",
                    name="order",
                ),
                migrations.RemoveField(
                    model_name="orderevent",
                    name="order",
                ),
                migrations.RemoveField(
                    model_name="orderevent",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="orderline",
                    name="origin_county",
                ),
                migrations.RemoveField(
                    model_name="orderline",
                    name="product",
                ),
                migrations.RemoveField(
                    model_name="orderline",
                    name="vendor_order",
                ),
                migrations.AlterField(
                    model_name="review",
                    name="line",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="review",
                        to="checkout.orderline",
                        verbose_name="order line",
                    ),
                ),
                migrations.RemoveField(
                    model_name="payment",
                    name="recorded_by",
                ),
                migrations.RemoveField(
                    model_name="refund",
                    name="payment",
                ),
                migrations.RemoveField(
                    model_name="refund",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="shippingregion",
                    name="rule",
                ),
                migrations.RemoveField(
                    model_name="shippingrule",
                    name="vendor",
                ),
                migrations.DeleteModel(
                    name="StripeEvent",
                ),
                migrations.RemoveField(
                    model_name="unitmember",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="vendororder",
                    name="inspection_photo",
                ),
                migrations.RemoveField(
                    model_name="vendororder",
                    name="invoice_file",
                ),
                migrations.RemoveField(
                    model_name="vendororder",
                    name="received_by",
                ),
                migrations.RemoveField(
                    model_name="vendororder",
                    name="vendor",
                ),
                migrations.DeleteModel(
                    name="AfterSaleLine",
                ),
                migrations.DeleteModel(
                    name="AfterSalePhoto",
                ),
                migrations.DeleteModel(
                    name="AfterSaleRequest",
                ),
                migrations.DeleteModel(
                    name="AnnualBudget",
                ),
                migrations.DeleteModel(
                    name="CanteenAddress",
                ),
                migrations.DeleteModel(
                    name="BuyerUnit",
                ),
                migrations.DeleteModel(
                    name="CartItem",
                ),
                migrations.DeleteModel(
                    name="DeliveryAddress",
                ),
                migrations.DeleteModel(
                    name="Order",
                ),
                migrations.DeleteModel(
                    name="OrderEvent",
                ),
                migrations.DeleteModel(
                    name="OrderLine",
                ),
                migrations.DeleteModel(
                    name="Payment",
                ),
                migrations.DeleteModel(
                    name="Refund",
                ),
                migrations.DeleteModel(
                    name="ShippingRegion",
                ),
                migrations.DeleteModel(
                    name="ShippingRule",
                ),
                migrations.DeleteModel(
                    name="UnitMember",
                ),
                migrations.DeleteModel(
                    name="VendorOrder",
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
