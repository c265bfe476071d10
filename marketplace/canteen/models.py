"""Buyer units (采购单位), their members, canteen addresses and annual food budgets.

The models of the canteen app (label `canteen`); their tables keep the `marketplace_` names they had before.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cms.validators import validate_uscc


class InvoiceType(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary VAT invoice (普票)")
    SPECIAL = "special", _("Special VAT invoice (专票)")
    EXEMPT = "exempt", _("Tax-exempt invoice (免税)")


class BuyerUnit(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("unit name"), max_length=120)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    contact_name = models.CharField(_("contact person"), max_length=40)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    # Orders above this total wait for an approver before they go to the vendors.
    approval_threshold = models.DecimalField(
        _("approval threshold"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("2000.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Orders above this total (CNY) wait for an approver."),
    )
    # Invoice profile (发票信息).
    invoice_type = models.CharField(
        _("invoice type"), max_length=10, choices=InvoiceType.choices, default=InvoiceType.ORDINARY
    )
    invoice_title = models.CharField(_("invoice title (发票抬头)"), max_length=120)
    taxpayer_id = models.CharField(_("taxpayer ID (纳税人识别号)"), max_length=20)
    invoice_address = models.CharField(_("registered address"), max_length=200, blank=True)
    invoice_phone = models.CharField(_("registered phone"), max_length=30, blank=True)
    invoice_bank = models.CharField(_("bank"), max_length=120, blank=True)
    invoice_account = models.CharField(_("bank account"), max_length=40, blank=True)

    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        # Every table keeps its name from when this was part of the marketplace app (no rename, no data move).
        db_table = "marketplace_buyerunit"
        verbose_name = _("buyer unit")
        verbose_name_plural = _("buyer units")
        ordering = ["name"]
        permissions = [("verify_buyerunit", _("Can verify buyer units"))]

    def __str__(self):
        return self.name

    @property
    def is_verified(self):
        return self.status == self.Status.VERIFIED

    def clean(self):
        super().clean()
        self.uscc = (self.uscc or "").strip().upper()
        errors = {}
        if self.invoice_type == InvoiceType.SPECIAL:
            for field in ("invoice_address", "invoice_phone", "invoice_bank", "invoice_account"):
                if not (getattr(self, field) or "").strip():
                    errors[field] = _(
                        "A special VAT invoice (专票) needs the registered address, phone, bank and account."
                    )
        if errors:
            raise ValidationError(errors)

    def invoice_snapshot(self):
        """The invoice details as they are now, copied onto each order."""
        return {
            "unit": self.name,
            "uscc": self.uscc,
            "invoice_type": self.invoice_type,
            "title": self.invoice_title,
            "taxpayer_id": self.taxpayer_id,
            "address": self.invoice_address,
            "phone": self.invoice_phone,
            "bank": self.invoice_bank,
            "account": self.invoice_account,
        }


class UnitMember(models.Model):
    class Role(models.TextChoices):
        BUYER = "buyer", pgettext_lazy("unit role", "Buyer")
        APPROVER = "approver", _("Approver")
        FINANCE = "finance", _("Finance")

    unit = models.ForeignKey(BuyerUnit, on_delete=models.CASCADE, related_name="members", verbose_name=_("unit"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        db_table = "marketplace_unitmember"
        verbose_name = _("unit member")
        verbose_name_plural = _("unit members")
        constraints = [models.UniqueConstraint(fields=["unit", "user", "role"], name="one_role_per_unit_member")]

    def __str__(self):
        return f"{self.unit} / {self.user} ({self.get_role_display()})"


class CanteenAddress(models.Model):
    unit = models.ForeignKey(BuyerUnit, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("unit"))
    name = models.CharField(_("canteen"), max_length=80)
    recipient = models.CharField(_("recipient"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20)
    province = models.CharField(_("province"), max_length=20, default="浙江省")
    city = models.CharField(_("city"), max_length=20)
    district = models.CharField(_("district"), max_length=20)
    street = models.CharField(_("street address"), max_length=200)

    class Meta:
        db_table = "marketplace_canteenaddress"
        verbose_name = _("canteen address")
        verbose_name_plural = _("canteen addresses")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} {self.province}{self.city}{self.district}{self.street}"


class AnnualBudget(models.Model):
    unit = models.ForeignKey(BuyerUnit, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    food_budget = models.DecimalField(
        _("canteen food budget"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    target_share = models.DecimalField(
        _("target share"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Share of the budget to spend on mountain-county produce, e.g. 0.100 for 10%."),
    )

    class Meta:
        db_table = "marketplace_annualbudget"
        verbose_name = _("annual canteen budget")
        verbose_name_plural = _("annual canteen budgets")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_budget_per_unit_year"),
            models.CheckConstraint(condition=Q(food_budget__gt=0), name="budget_positive"),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}"
