"""Checkout becomes its own app (issue #15). Its tables were made by marketplace's migrations and keep their
names (marketplace_order …): this migration moves only Django's picture of the models, no table changes."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import marketplace.checkout.models
import modelcluster.fields
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("canteen", "0001_initial"),
        ("cms", "0009_private_image_renditions"),
        ("marketplace", "0019_moderators_moderate_reviews"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # State only: the tables exist already (made by marketplace 0002 … 0017).
            state_operations=[
                migrations.CreateModel(
                    name="StripeEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("event_id", models.CharField(max_length=255, unique=True)),
                        ("type", models.CharField(max_length=80)),
                        ("payload", models.JSONField()),
                        ("received_at", models.DateTimeField(auto_now_add=True)),
                        ("processed_at", models.DateTimeField(blank=True, null=True)),
                        ("result", models.CharField(blank=True, max_length=255)),
                    ],
                    options={
                        "db_table": "marketplace_stripeevent",
                        "ordering": ["-received_at"],
                    },
                ),
                migrations.CreateModel(
                    name="AfterSaleRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("refund", "Refund only"), ("return", "Return and refund")],
                                max_length=10,
                                verbose_name="after-sale type",
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(
                                choices=[
                                    ("quality", "Quality problem"),
                                    ("damaged", "Damaged in transit"),
                                    ("wrong_item", "Wrong item"),
                                    ("not_as_described", "Not as described"),
                                    ("not_received", "Not received"),
                                    ("other", "Other"),
                                ],
                                max_length=20,
                                verbose_name="reason",
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=500, verbose_name="note")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("requested", "Waiting for the vendor"),
                                    ("accepted", "Accepted: return the goods"),
                                    ("return_shipped", "Goods on their way back"),
                                    ("refused", "Refused by the vendor"),
                                    ("escalated", "With the platform"),
                                    ("refunding", "Refund under way"),
                                    ("refunded", "Refunded"),
                                    ("closed", "Closed"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                db_index=True,
                                default="requested",
                                max_length=20,
                                verbose_name="status",
                            ),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="amount")),
                        ("includes_shipping", models.BooleanField(default=False)),
                        (
                            "refunded_amount",
                            models.DecimalField(
                                decimal_places=2, default=Decimal("0.00"), max_digits=12, verbose_name="refunded"
                            ),
                        ),
                        ("vendor_note", models.CharField(blank=True, max_length=500, verbose_name="vendor's answer")),
                        ("return_address", models.CharField(blank=True, max_length=300, verbose_name="return address")),
                        ("return_carrier", models.CharField(blank=True, max_length=40, verbose_name="return carrier")),
                        (
                            "return_tracking_number",
                            models.CharField(blank=True, max_length=60, verbose_name="return tracking number"),
                        ),
                        (
                            "staff_note",
                            models.CharField(blank=True, max_length=500, verbose_name="platform's decision"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True, default=django.utils.timezone.now, verbose_name="requested"
                            ),
                        ),
                        ("answered_at", models.DateTimeField(blank=True, null=True, verbose_name="answered")),
                        ("escalated_at", models.DateTimeField(blank=True, null=True, verbose_name="escalated")),
                        ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed on")),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "after-sale request",
                        "verbose_name_plural": "after-sale requests",
                        "db_table": "marketplace_aftersalerequest",
                        "ordering": ["-created_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="AfterSalePhoto",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "image",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="wagtailimages.image"
                            ),
                        ),
                        (
                            "request",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="photos",
                                to="checkout.aftersalerequest",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "marketplace_aftersalephoto",
                        "ordering": ["pk"],
                    },
                ),
                migrations.CreateModel(
                    name="DeliveryAddress",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("recipient", models.CharField(max_length=40, verbose_name="recipient")),
                        ("phone", models.CharField(max_length=20, verbose_name="phone")),
                        ("province", models.CharField(default="浙江省", max_length=20, verbose_name="province")),
                        ("city", models.CharField(max_length=20, verbose_name="city")),
                        ("district", models.CharField(max_length=20, verbose_name="district")),
                        ("street", models.CharField(max_length=200, verbose_name="street address")),
                        ("is_default", models.BooleanField(default=False, verbose_name="default address")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="delivery_addresses",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "delivery address",
                        "verbose_name_plural": "delivery addresses",
                        "db_table": "marketplace_deliveryaddress",
                        "ordering": ["-is_default", "-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Order",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "number",
                            models.CharField(
                                default=marketplace.checkout.models.new_order_number,
                                max_length=20,
                                unique=True,
                                verbose_name="order number",
                            ),
                        ),
                        ("guest_name", models.CharField(blank=True, max_length=60, verbose_name="guest's name")),
                        (
                            "guest_phone",
                            models.CharField(blank=True, max_length=20, verbose_name="guest's mobile number"),
                        ),
                        ("guest_email", models.EmailField(blank=True, max_length=254, verbose_name="guest's e-mail")),
                        (
                            "access_token",
                            models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("awaiting_approval", "Awaiting approval"),
                                    ("pending_payment", "Pending payment"),
                                    ("paid", "Paid"),
                                    ("partly_shipped", "Partly shipped"),
                                    ("shipped", "Shipped"),
                                    ("completed", "Completed"),
                                    ("cancelled", "Cancelled"),
                                    ("refunded", "Refunded"),
                                ],
                                db_index=True,
                                default="pending_payment",
                                max_length=20,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "payment_method",
                            models.CharField(
                                choices=[
                                    ("card", "Bank card"),
                                    ("alipay", "Alipay"),
                                    ("wechat_pay", "WeChat Pay"),
                                    ("bank_transfer", "Bank transfer (对公转账)"),
                                ],
                                max_length=20,
                                verbose_name="payment method",
                            ),
                        ),
                        ("currency", models.CharField(default="CNY", max_length=3)),
                        ("total", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="total")),
                        (
                            "refunded_total",
                            models.DecimalField(
                                decimal_places=2, default=Decimal("0.00"), max_digits=12, verbose_name="refunded"
                            ),
                        ),
                        ("recipient", models.CharField(blank=True, max_length=40, verbose_name="recipient")),
                        ("phone", models.CharField(blank=True, max_length=20, verbose_name="phone")),
                        ("province", models.CharField(blank=True, max_length=20, verbose_name="province")),
                        ("city", models.CharField(blank=True, max_length=20, verbose_name="city")),
                        ("district", models.CharField(blank=True, max_length=20, verbose_name="district")),
                        ("street", models.CharField(blank=True, max_length=200, verbose_name="street address")),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="note to the vendors")),
                        (
                            "placed_at",
                            models.DateTimeField(
                                db_index=True, default=django.utils.timezone.now, verbose_name="placed"
                            ),
                        ),
                        (
                            "payment_due_at",
                            models.DateTimeField(blank=True, db_index=True, null=True, verbose_name="pay by"),
                        ),
                        ("paid_at", models.DateTimeField(blank=True, null=True, verbose_name="paid")),
                        ("cancelled_at", models.DateTimeField(blank=True, null=True, verbose_name="cancelled")),
                        ("idempotency_key", models.CharField(blank=True, max_length=80)),
                        ("idempotency_fingerprint", models.CharField(blank=True, editable=False, max_length=64)),
                        (
                            "payment_reference",
                            models.CharField(
                                blank=True, max_length=20, null=True, unique=True, verbose_name="payment reference"
                            ),
                        ),
                        ("canteen_name", models.CharField(blank=True, max_length=80, verbose_name="canteen")),
                        (
                            "requested_delivery_date",
                            models.DateField(blank=True, null=True, verbose_name="requested delivery date"),
                        ),
                        (
                            "delivery_window",
                            models.CharField(blank=True, max_length=20, verbose_name="delivery time window"),
                        ),
                        (
                            "purchase_order_number",
                            models.CharField(blank=True, max_length=40, verbose_name="purchase order number"),
                        ),
                        (
                            "invoice_snapshot",
                            models.JSONField(blank=True, default=dict, verbose_name="invoice details"),
                        ),
                        ("approved_at", models.DateTimeField(blank=True, null=True, verbose_name="approved")),
                        (
                            "approved_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="approved by",
                            ),
                        ),
                        (
                            "buyer",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="orders",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="buyer",
                            ),
                        ),
                        (
                            "buyer_unit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="orders",
                                to="canteen.buyerunit",
                                verbose_name="on behalf of unit",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "order",
                        "verbose_name_plural": "orders",
                        "db_table": "marketplace_order",
                        "ordering": ["-placed_at"],
                    },
                ),
                migrations.AddField(
                    model_name="aftersalerequest",
                    name="order",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="after_sales", to="checkout.order"
                    ),
                ),
                migrations.CreateModel(
                    name="OrderEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("action", models.CharField(max_length=40)),
                        ("from_status", models.CharField(blank=True, max_length=20)),
                        ("to_status", models.CharField(blank=True, max_length=20)),
                        ("note", models.CharField(blank=True, max_length=255)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="events", to="checkout.order"
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "marketplace_orderevent",
                        "ordering": ["created_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="OrderLine",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("product", "Product"), ("ticket", "Ticket"), ("stall_fee", "Stall fee")],
                                default="product",
                                max_length=20,
                            ),
                        ),
                        ("name", models.CharField(max_length=255, verbose_name="item")),
                        ("vendor_name", models.CharField(blank=True, max_length=255, verbose_name="vendor")),
                        ("unit", models.CharField(blank=True, max_length=8, verbose_name="unit")),
                        ("unit_price", models.DecimalField(decimal_places=2, max_digits=10, verbose_name="unit price")),
                        ("quantity", models.PositiveIntegerField(verbose_name="quantity")),
                        ("line_total", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="line total")),
                        ("refunded_quantity", models.PositiveIntegerField(default=0, verbose_name="refunded quantity")),
                        ("reserved_quantity", models.PositiveIntegerField(default=0)),
                        ("reference", models.CharField(blank=True, db_index=True, max_length=80)),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="lines", to="checkout.order"
                            ),
                        ),
                        (
                            "origin_county",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="cms.county",
                                verbose_name="origin county",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="order_lines",
                                to="marketplace.productpage",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "order line",
                        "verbose_name_plural": "order lines",
                        "db_table": "marketplace_orderline",
                        "ordering": ["pk"],
                    },
                ),
                migrations.CreateModel(
                    name="AfterSaleLine",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("quantity", models.PositiveIntegerField(verbose_name="quantity")),
                        (
                            "request",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="lines",
                                to="checkout.aftersalerequest",
                            ),
                        ),
                        (
                            "order_line",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="after_sale_lines",
                                to="checkout.orderline",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "marketplace_aftersaleline",
                        "ordering": ["pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Payment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "method",
                            models.CharField(
                                choices=[
                                    ("card", "Bank card"),
                                    ("alipay", "Alipay"),
                                    ("wechat_pay", "WeChat Pay"),
                                    ("bank_transfer", "Bank transfer (对公转账)"),
                                ],
                                max_length=20,
                                verbose_name="method",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending"),
                                    ("succeeded", "Succeeded"),
                                    ("failed", "Failed"),
                                    ("cancelled", "Cancelled"),
                                    ("flagged", "Flagged for review"),
                                    ("disputed", "Disputed"),
                                ],
                                default="pending",
                                max_length=20,
                                verbose_name="status",
                            ),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="amount")),
                        ("currency", models.CharField(default="CNY", max_length=3)),
                        ("stripe_payment_intent", models.CharField(blank=True, max_length=255, null=True, unique=True)),
                        ("stripe_client_secret", models.CharField(blank=True, max_length=255)),
                        ("bank_reference", models.CharField(blank=True, max_length=80, verbose_name="bank reference")),
                        ("received_on", models.DateField(blank=True, null=True, verbose_name="received on")),
                        ("flag_reason", models.CharField(blank=True, max_length=255)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="payments",
                                to="checkout.order",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "payment",
                        "verbose_name_plural": "payments",
                        "db_table": "marketplace_payment",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Refund",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "amount",
                            models.DecimalField(
                                decimal_places=2,
                                max_digits=12,
                                validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                                verbose_name="amount",
                            ),
                        ),
                        ("reason", models.CharField(blank=True, max_length=255, verbose_name="reason")),
                        (
                            "status",
                            models.CharField(
                                choices=[("pending", "Pending at the payment service"), ("succeeded", "Refunded")],
                                default="succeeded",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        ("stripe_refund", models.CharField(blank=True, max_length=255, null=True, unique=True)),
                        ("last_error", models.CharField(blank=True, max_length=255)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("completed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "after_sale",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="refund",
                                to="checkout.aftersalerequest",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "payment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="refunds",
                                to="checkout.payment",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "refund",
                        "verbose_name_plural": "refunds",
                        "db_table": "marketplace_refund",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="ShippingRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(default="运费模板", max_length=60, verbose_name="name")),
                        ("name_en", models.CharField(blank=True, max_length=80, verbose_name="name (English)")),
                        (
                            "charge_by",
                            models.CharField(
                                choices=[
                                    ("flat", "Flat fee per order"),
                                    ("count", "By count (first item, each additional item)"),
                                    ("weight", "By weight (first kg, each additional kg)"),
                                ],
                                default="count",
                                max_length=10,
                                verbose_name="charge by",
                            ),
                        ),
                        (
                            "first_units",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("1"),
                                help_text="Items or kg the first fee covers.",
                                max_digits=8,
                                validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                                verbose_name="first units",
                            ),
                        ),
                        (
                            "first_fee",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("0.00"),
                                max_digits=8,
                                validators=[django.core.validators.MinValueValidator(Decimal("0.00"))],
                                verbose_name="first fee (CNY)",
                            ),
                        ),
                        (
                            "additional_units",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("1"),
                                help_text="Items or kg each additional fee covers.",
                                max_digits=8,
                                validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                                verbose_name="additional units",
                            ),
                        ),
                        (
                            "additional_fee",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("0.00"),
                                max_digits=8,
                                validators=[django.core.validators.MinValueValidator(Decimal("0.00"))],
                                verbose_name="additional fee (CNY)",
                            ),
                        ),
                        (
                            "free_above",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                help_text="包邮门槛: an order part of at least this amount ships free. Leave empty for none.",
                                max_digits=10,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(Decimal("0.00"))],
                                verbose_name="free shipping from (CNY)",
                            ),
                        ),
                        (
                            "excluded_provinces",
                            marketplace.checkout.models.ProvincesField(
                                blank=True,
                                default=list,
                                help_text="Orders to these provinces are refused at checkout.",
                                verbose_name="regions not delivered to",
                            ),
                        ),
                        (
                            "canteen_free_area",
                            models.CharField(
                                blank=True,
                                help_text="Cities or districts where delivery to canteens is free, separated by commas (e.g. 衢州市, 杭州市). Empty: free everywhere you deliver, unless a canteen delivery fee is set.",
                                max_length=200,
                                verbose_name="canteen delivery area",
                            ),
                        ),
                        (
                            "canteen_fee",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("0.00"),
                                help_text="Charged per canteen delivery outside the canteen delivery area.",
                                max_digits=8,
                                validators=[django.core.validators.MinValueValidator(Decimal("0.00"))],
                                verbose_name="canteen delivery fee (CNY)",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "vendor",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="shipping_rule",
                                to="marketplace.vendorpage",
                                verbose_name="vendor",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "shipping rules",
                        "verbose_name_plural": "shipping rules",
                        "db_table": "marketplace_shippingrule",
                        "ordering": ["vendor__title"],
                    },
                ),
                migrations.CreateModel(
                    name="ShippingRegion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("sort_order", models.IntegerField(blank=True, editable=False, null=True)),
                        (
                            "provinces",
                            marketplace.checkout.models.ProvincesField(
                                blank=True, default=list, verbose_name="provinces"
                            ),
                        ),
                        (
                            "first_fee",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("0.00"),
                                max_digits=8,
                                validators=[django.core.validators.MinValueValidator(Decimal("0.00"))],
                                verbose_name="first fee (CNY)",
                            ),
                        ),
                        (
                            "additional_fee",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("0.00"),
                                max_digits=8,
                                validators=[django.core.validators.MinValueValidator(Decimal("0.00"))],
                                verbose_name="additional fee (CNY)",
                            ),
                        ),
                        (
                            "free_above",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                help_text="Empty: the rule's threshold.",
                                max_digits=10,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(Decimal("0.00"))],
                                verbose_name="free shipping from (CNY)",
                            ),
                        ),
                        (
                            "rule",
                            modelcluster.fields.ParentalKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="regions",
                                to="checkout.shippingrule",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "shipping region",
                        "verbose_name_plural": "shipping regions",
                        "db_table": "marketplace_shippingregion",
                        "ordering": ["sort_order"],
                        "abstract": False,
                    },
                ),
                migrations.CreateModel(
                    name="VendorOrder",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("vendor_name", models.CharField(max_length=255, verbose_name="vendor")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting for payment"),
                                    ("to_ship", "To ship"),
                                    ("shipped", "Shipped"),
                                    ("delivered", "Delivered"),
                                    ("cancelled", "Cancelled"),
                                ],
                                db_index=True,
                                default="pending",
                                max_length=20,
                                verbose_name="status",
                            ),
                        ),
                        ("subtotal", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="subtotal")),
                        (
                            "shipping_fee",
                            models.DecimalField(
                                decimal_places=2, default=Decimal("0.00"), max_digits=10, verbose_name="shipping fee"
                            ),
                        ),
                        (
                            "shipping_refunded",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("0.00"),
                                max_digits=10,
                                verbose_name="shipping refunded",
                            ),
                        ),
                        ("carrier", models.CharField(blank=True, max_length=40, verbose_name="carrier")),
                        (
                            "tracking_number",
                            models.CharField(blank=True, max_length=60, verbose_name="tracking number"),
                        ),
                        ("shipped_at", models.DateTimeField(blank=True, null=True, verbose_name="shipped")),
                        ("delivered_at", models.DateTimeField(blank=True, null=True, verbose_name="delivered")),
                        (
                            "invoice_state",
                            models.CharField(
                                blank=True,
                                choices=[("", "Not requested"), ("requested", "Requested"), ("issued", "Issued")],
                                default="",
                                max_length=10,
                                verbose_name="invoice",
                            ),
                        ),
                        ("invoice_number", models.CharField(blank=True, max_length=40, verbose_name="invoice number")),
                        ("invoice_date", models.DateField(blank=True, null=True, verbose_name="invoice date")),
                        ("received_at", models.DateTimeField(blank=True, null=True, verbose_name="received")),
                        (
                            "inspection_note",
                            models.CharField(blank=True, max_length=500, verbose_name="inspection note"),
                        ),
                        (
                            "inspection_photo",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="wagtailimages.image",
                                verbose_name="inspection photo",
                            ),
                        ),
                        (
                            "invoice_file",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="wagtaildocs.document",
                                verbose_name="invoice PDF",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="vendor_orders",
                                to="checkout.order",
                            ),
                        ),
                        (
                            "received_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "vendor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="vendor_orders",
                                to="marketplace.vendorpage",
                                verbose_name="vendor",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "vendor order",
                        "verbose_name_plural": "vendor orders",
                        "db_table": "marketplace_vendororder",
                        "ordering": ["order__placed_at", "pk"],
                    },
                ),
                migrations.AddField(
                    model_name="orderline",
                    name="vendor_order",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lines",
                        to="checkout.vendororder",
                    ),
                ),
                migrations.AddField(
                    model_name="aftersalerequest",
                    name="vendor_order",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="after_sales",
                        to="checkout.vendororder",
                    ),
                ),
                migrations.CreateModel(
                    name="CartItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "quantity",
                            models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)]),
                        ),
                        ("unit_price_seen", models.DecimalField(decimal_places=2, max_digits=10)),
                        ("added_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="marketplace.productpage",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="cart_items",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "marketplace_cartitem",
                        "constraints": [
                            models.UniqueConstraint(fields=("user", "product"), name="one_cart_line_per_product"),
                            models.CheckConstraint(
                                condition=models.Q(("quantity__gte", 1)), name="cart_quantity_positive"
                            ),
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="order",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("idempotency_key", ""), _negated=True),
                        fields=("buyer", "idempotency_key"),
                        name="one_order_per_idempotency_key",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="order",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("buyer__isnull", False),
                            models.Q(("access_token__isnull", False), models.Q(("guest_phone", ""), _negated=True)),
                            _connector="OR",
                        ),
                        name="guest_order_has_token_and_phone",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="order",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("total__gte", 0)), name="order_total_not_negative"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="order",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("refunded_total__lte", models.F("total"))), name="refund_within_total"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="aftersaleline",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("quantity__gte", 1)), name="after_sale_line_quantity_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="aftersaleline",
                    constraint=models.UniqueConstraint(
                        fields=("request", "order_line"), name="one_after_sale_line_per_order_line"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="payment",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount__gte", 0)), name="payment_amount_not_negative"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="shippingrule",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("first_fee__gte", 0)), name="shipping_first_fee_not_negative"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="shippingrule",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("additional_fee__gte", 0)), name="shipping_additional_fee_not_negative"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="shippingrule",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("first_units__gt", 0)), name="shipping_first_units_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="shippingrule",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("additional_units__gt", 0)), name="shipping_additional_units_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="vendororder",
                    constraint=models.UniqueConstraint(fields=("order", "vendor"), name="one_part_per_vendor"),
                ),
                migrations.AddConstraint(
                    model_name="vendororder",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("shipping_fee__gte", 0)), name="part_shipping_fee_not_negative"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="vendororder",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("shipping_refunded__lte", models.F("shipping_fee"))),
                        name="shipping_refund_within_fee",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="orderline",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("quantity__gte", 1)), name="line_quantity_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="orderline",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("refunded_quantity__lte", models.F("quantity"))), name="refund_within_line"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="aftersalerequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="after_sale_amount_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="aftersalerequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("refunded_amount__gte", 0), ("refunded_amount__lte", models.F("amount"))),
                        name="after_sale_refund_within_amount",
                    ),
                ),
            ],
        ),
    ]
