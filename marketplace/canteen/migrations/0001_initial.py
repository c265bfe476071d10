"""Canteen becomes its own app (issue #15). Its tables were made by marketplace's migrations and keep their
names (marketplace_buyerunit …): this migration moves only Django's picture of the models, no table changes."""

import cms.validators
import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("marketplace", "0019_moderators_moderate_reviews"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # State only: the tables exist already (made by marketplace 0005 … 0013).
            state_operations=[
                migrations.CreateModel(
                    name="BuyerUnit",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=120, verbose_name="unit name")),
                        (
                            "uscc",
                            models.CharField(
                                max_length=18,
                                unique=True,
                                validators=[cms.validators.validate_uscc],
                                verbose_name="unified social credit code",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting for verification"),
                                    ("verified", "Verified"),
                                    ("rejected", "Rejected"),
                                ],
                                db_index=True,
                                default="pending",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        ("contact_name", models.CharField(max_length=40, verbose_name="contact person")),
                        ("contact_phone", models.CharField(max_length=20, verbose_name="contact phone")),
                        (
                            "approval_threshold",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("2000.00"),
                                help_text="Orders above this total (CNY) wait for an approver.",
                                max_digits=12,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                                verbose_name="approval threshold",
                            ),
                        ),
                        (
                            "invoice_type",
                            models.CharField(
                                choices=[
                                    ("ordinary", "Ordinary VAT invoice (普票)"),
                                    ("special", "Special VAT invoice (专票)"),
                                    ("exempt", "Tax-exempt invoice (免税)"),
                                ],
                                default="ordinary",
                                max_length=10,
                                verbose_name="invoice type",
                            ),
                        ),
                        ("invoice_title", models.CharField(max_length=120, verbose_name="invoice title (发票抬头)")),
                        ("taxpayer_id", models.CharField(max_length=20, verbose_name="taxpayer ID (纳税人识别号)")),
                        (
                            "invoice_address",
                            models.CharField(blank=True, max_length=200, verbose_name="registered address"),
                        ),
                        ("invoice_phone", models.CharField(blank=True, max_length=30, verbose_name="registered phone")),
                        ("invoice_bank", models.CharField(blank=True, max_length=120, verbose_name="bank")),
                        ("invoice_account", models.CharField(blank=True, max_length=40, verbose_name="bank account")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("verified_at", models.DateTimeField(blank=True, null=True, verbose_name="verified at")),
                        (
                            "applied_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "verified_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "buyer unit",
                        "verbose_name_plural": "buyer units",
                        "db_table": "marketplace_buyerunit",
                        "ordering": ["name"],
                        "permissions": [("verify_buyerunit", "Can verify buyer units")],
                    },
                ),
                migrations.CreateModel(
                    name="CanteenAddress",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=80, verbose_name="canteen")),
                        ("recipient", models.CharField(max_length=40, verbose_name="recipient")),
                        ("phone", models.CharField(max_length=20, verbose_name="phone")),
                        ("province", models.CharField(default="浙江省", max_length=20, verbose_name="province")),
                        ("city", models.CharField(max_length=20, verbose_name="city")),
                        ("district", models.CharField(max_length=20, verbose_name="district")),
                        ("street", models.CharField(max_length=200, verbose_name="street address")),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="addresses",
                                to="canteen.buyerunit",
                                verbose_name="unit",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "canteen address",
                        "verbose_name_plural": "canteen addresses",
                        "db_table": "marketplace_canteenaddress",
                        "ordering": ["pk"],
                    },
                ),
                migrations.CreateModel(
                    name="AnnualBudget",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "year",
                            models.PositiveSmallIntegerField(
                                validators=[
                                    django.core.validators.MinValueValidator(2000),
                                    django.core.validators.MaxValueValidator(2100),
                                ],
                                verbose_name="year",
                            ),
                        ),
                        (
                            "food_budget",
                            models.DecimalField(
                                decimal_places=2,
                                max_digits=14,
                                validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                                verbose_name="canteen food budget",
                            ),
                        ),
                        (
                            "target_share",
                            models.DecimalField(
                                decimal_places=3,
                                default=Decimal("0.100"),
                                help_text="Share of the budget to spend on mountain-county produce, e.g. 0.100 for 10%.",
                                max_digits=4,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("0")),
                                    django.core.validators.MaxValueValidator(Decimal("1")),
                                ],
                                verbose_name="target share",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="budgets",
                                to="canteen.buyerunit",
                                verbose_name="unit",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "annual canteen budget",
                        "verbose_name_plural": "annual canteen budgets",
                        "db_table": "marketplace_annualbudget",
                        "ordering": ["-year"],
                        "constraints": [
                            models.UniqueConstraint(fields=("unit", "year"), name="one_budget_per_unit_year"),
                            models.CheckConstraint(condition=models.Q(("food_budget__gt", 0)), name="budget_positive"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="UnitMember",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[("buyer", "Buyer"), ("approver", "Approver"), ("finance", "Finance")],
                                max_length=10,
                                verbose_name="role",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="members",
                                to="canteen.buyerunit",
                                verbose_name="unit",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="unit_memberships",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "unit member",
                        "verbose_name_plural": "unit members",
                        "db_table": "marketplace_unitmember",
                        "constraints": [
                            models.UniqueConstraint(fields=("unit", "user", "role"), name="one_role_per_unit_member")
                        ],
                    },
                ),
            ],
        ),
    ]
