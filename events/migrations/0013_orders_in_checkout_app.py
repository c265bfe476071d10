"""Orders and buyer units moved to the checkout and canteen apps (issue #15): the foreign keys now name them.
Same tables and columns, so nothing changes in the database. Runs before marketplace drops its own picture
of those models (run_before), so no foreign key ever points at a model that is gone."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("canteen", "0001_initial"),
        ("checkout", "0001_initial"),
        ("events", "0012_purchase_agreements"),
    ]
    # marketplace 0020 removes marketplace.Order and .BuyerUnit from Django's picture: these foreign keys must
    # name their new apps first. Said here so that marketplace's migrations need not know about events.
    run_before = [
        ("marketplace", "0020_checkout_and_canteen_apps"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # State only: the referenced tables are the same (marketplace_order, marketplace_buyerunit).
            state_operations=[
                migrations.AlterField(
                    model_name="agreementorder",
                    name="order",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="agreement_link",
                        to="checkout.order",
                        verbose_name="order",
                    ),
                ),
                migrations.AlterField(
                    model_name="purchaseagreement",
                    name="buyer_unit",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="agreements",
                        to="canteen.buyerunit",
                        verbose_name="buyer unit",
                    ),
                ),
                migrations.AlterField(
                    model_name="registration",
                    name="order",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="checkout.order",
                        verbose_name="order",
                    ),
                ),
                migrations.AlterField(
                    model_name="stallbooking",
                    name="balance_order",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="checkout.order",
                        verbose_name="balance",
                    ),
                ),
                migrations.AlterField(
                    model_name="stallbooking",
                    name="order",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="checkout.order",
                        verbose_name="order",
                    ),
                ),
            ],
        ),
    ]
