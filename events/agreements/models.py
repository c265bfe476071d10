"""Purchase agreements (签约) signed at a fair: a buyer (a canteen unit or a named distributor or company) agrees
to buy from a vendor, line by line, for delivery over a period.

Plain models: every change goes through events.agreements.services (record, cancel, order against). A canteen unit's
orders against an agreement are ordinary unit orders (marketplace); the link lives here, on the events side,
because events may use marketplace and never the other way round.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cms.state_machine import Transitions

ZERO = Decimal("0.00")
AGREEMENT_FILES = "fair-agreements"


def agreement_upload_to(instance, filename):
    """The signed document goes to the private area under an unguessable name (cms.private_media)."""
    from cms.private_media import private_name

    return private_name(AGREEMENT_FILES, filename)


class PurchaseAgreement(models.Model):
    class Status(models.TextChoices):
        SIGNED = "signed", _("Signed")
        CANCELLED = "cancelled", _("Cancelled")

    class RecordedAs(models.TextChoices):
        VENDOR = "vendor", _("the vendor")
        BUYER = "buyer", _("the buyer unit")
        ORGANISER = "organiser", _("the organiser, for both parties")

    TRANSITIONS = Transitions(Status, {Status.SIGNED: [Status.CANCELLED]})

    fair = models.ForeignKey(
        "events.FairPage", on_delete=models.PROTECT, related_name="agreements", verbose_name=_("fair")
    )
    vendor = models.ForeignKey(
        "marketplace.VendorPage", on_delete=models.PROTECT, related_name="agreements", verbose_name=_("vendor")
    )
    # A canteen unit when the buyer is one; else only the name (a distributor, a company, a supermarket).
    buyer_unit = models.ForeignKey(
        "canteen.BuyerUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("buyer unit"),
    )
    buyer_name = models.CharField(pgettext_lazy("agreement party", "buyer"), max_length=120)
    buyer_name_en = models.CharField(_("buyer (English)"), max_length=160, blank=True)
    vendor_contact_name = models.CharField(_("vendor's contact"), max_length=40)
    vendor_contact_phone = models.CharField(_("vendor's contact phone"), max_length=20)
    buyer_contact_name = models.CharField(_("buyer's contact"), max_length=40)
    buyer_contact_phone = models.CharField(_("buyer's contact phone"), max_length=20)
    signed_on = models.DateField(_("signed on"))
    delivery_from = models.DateField(_("delivery from"))
    delivery_to = models.DateField(_("delivery until"))
    total = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2, default=ZERO)
    # Private (cms.private_media): served only by /private-media/ to both parties and organisers.
    document = models.FileField(_("signed document"), upload_to=agreement_upload_to, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SIGNED)
    recorded_as = models.CharField(_("recorded by"), max_length=10, choices=RecordedAs.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("purchase agreement")
        verbose_name_plural = _("purchase agreements")
        ordering = ["-signed_on", "-pk"]
        indexes = [models.Index(fields=["fair", "status"], name="events_agreement_fair_status")]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="events_agreement_total_not_negative"),
            models.CheckConstraint(
                condition=Q(delivery_to__gte=models.F("delivery_from")), name="events_agreement_delivery_period"
            ),
        ]

    def __str__(self):
        return f"{self.buyer_name} ← {self.vendor_id} · ¥{self.total}"

    @property
    def buyer_display_name(self):
        """The buyer's name in the reader's language (the English one only where given)."""
        from django.utils.translation import get_language

        if self.buyer_name_en and (get_language() or "").startswith("en"):
            return self.buyer_name_en
        return self.buyer_name

    @property
    def is_signed(self):
        return self.status == self.Status.SIGNED


class AgreementLine(models.Model):
    agreement = models.ForeignKey(PurchaseAgreement, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "marketplace.ProductPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("product"),
    )
    # What was agreed, as written on the agreement (a product's later edits change nothing here).
    item_name = models.CharField(_("item"), max_length=120)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("unit price (CNY)"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("agreement line")
        verbose_name_plural = _("agreement lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="events_agreement_line_quantity"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="events_agreement_line_price"),
        ]

    def __str__(self):
        return f"{self.item_name} × {self.quantity}{self.unit}"


class AgreementOrder(models.Model):
    """A canteen unit order placed against an agreement. The order is an ordinary unit order; only this link
    says which agreement it fulfils (one agreement per order)."""

    agreement = models.ForeignKey(PurchaseAgreement, on_delete=models.PROTECT, related_name="order_links")
    order = models.OneToOneField(
        "checkout.Order", on_delete=models.PROTECT, related_name="agreement_link", verbose_name=_("order")
    )
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("order against an agreement")
        verbose_name_plural = _("orders against agreements")
        ordering = ["linked_at", "pk"]

    def __str__(self):
        return f"{self.agreement_id} → {self.order_id}"
