"""Fair results: sales recorded at the stalls during a fair, fair series, and whether a fair's results are public.

Plain models (not page fields): a sale or a publication must never be undone by publishing an older page
revision. Every change goes through events.fairs.stall_sales (sales) and events.fairs.results (publication).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cms.models.bilingual import is_english
from cms.state_machine import Transitions

ZERO = Decimal("0.00")


class FairSeries(models.Model):
    """Fairs held under one banner, e.g. 2026 山海协作 区域公用品牌展销 in several cities, reported together."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    description = models.TextField(_("description"), blank=True)
    fairs = models.ManyToManyField("events.FairPage", blank=True, related_name="series", verbose_name=_("fairs"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("fair series")
        verbose_name_plural = _("fair series")
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return self.name


class FairResultsPublication(models.Model):
    """The organiser's choice to show a fair's results on its public page (after the fair)."""

    fair = models.OneToOneField(
        "events.FairPage", on_delete=models.CASCADE, primary_key=True, related_name="results_publication"
    )
    published = models.BooleanField(_("published"), default=False)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("results publication")
        verbose_name_plural = _("results publications")


class StallSale(models.Model):
    """One sale at a stall: an item (from the vendor's catalogue or typed in), quantity, price, how it was paid."""

    class Payment(models.TextChoices):
        WECHAT = "wechat", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")
        CASH = "cash", _("Cash")
        CARD = "card", _("Bank card")

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        VOIDED = "voided", _("Voided")

    class Stage(models.TextChoices):
        """Where a sale is in its life, for the transition table: its stored status, and whether it was corrected
        (corrected_at) or its day is over (closed: a sale is final after the day it was made). Not stored."""

        RECORDED = "recorded", pgettext_lazy("stall sale stage", "recorded")
        CORRECTED = "corrected", pgettext_lazy("stall sale stage", "corrected")
        VOIDED = "voided", pgettext_lazy("stall sale stage", "voided")
        CLOSED = "closed", pgettext_lazy("stall sale stage", "closed (its day is over)")

    # One transition table (cms.state_machine): on the day it was made a sale may be corrected (again) or voided;
    # a voided sale stays voided, and after its day a sale is closed: nothing may follow either.
    TRANSITIONS = Transitions(
        Stage,
        {
            Stage.RECORDED: [Stage.CORRECTED, Stage.VOIDED],
            Stage.CORRECTED: [Stage.CORRECTED, Stage.VOIDED],
        },
    )

    # Made by the phone that recorded the sale: a sale sent twice (offline, then again) is recorded once.
    client_id = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4)
    fair = models.ForeignKey(
        "events.FairPage", on_delete=models.PROTECT, related_name="stall_sales", verbose_name=_("fair")
    )
    booking = models.ForeignKey(
        "events.StallBooking", on_delete=models.PROTECT, related_name="sales", verbose_name=_("stall booking")
    )
    stall = models.ForeignKey("events.Stall", on_delete=models.PROTECT, related_name="sales", verbose_name=_("stall"))
    vendor = models.ForeignKey(
        "marketplace.VendorPage", on_delete=models.PROTECT, related_name="stall_sales", verbose_name=_("vendor")
    )
    product = models.ForeignKey(
        "marketplace.ProductPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stall_sales",
        verbose_name=_("product"),
    )
    # What was sold, as it was sold (a later edit of the product changes no past sale).
    item_name = models.CharField(_("item"), max_length=120)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    category = models.ForeignKey(
        "marketplace.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    county = models.ForeignKey("cms.County", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    mountain = models.BooleanField(_("mountain-county produce"), default=False)
    unit_price = models.DecimalField(
        _("unit price (CNY)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    # Units taken from the product's stock for this sale (0 when the product does not track stock).
    stock_taken = models.PositiveIntegerField(default=0, editable=False)
    payment = models.CharField(_("payment"), max_length=10, choices=Payment.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECORDED)
    sold_at = models.DateTimeField(_("sold at"), default=timezone.now)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    corrected_at = models.DateTimeField(_("corrected"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.CharField(_("why voided"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stall sale")
        verbose_name_plural = _("stall sales")
        ordering = ["-sold_at", "-pk"]
        indexes = [models.Index(fields=["fair", "status", "sold_at"], name="events_sale_fair_status")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="events_sale_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="events_sale_price_not_negative"),
            models.CheckConstraint(condition=Q(stock_taken__lte=models.F("quantity")), name="events_sale_stock"),
        ]

    def __str__(self):
        return f"{self.item_name} × {self.quantity} · {self.vendor_id}"

    @property
    def is_voided(self):
        return self.status == self.Status.VOIDED

    @property
    def display_item(self):
        """What was sold, in the page's language: the product's English name on English pages when the sale is of a
        catalogue product that has one, else the name recorded with the sale (select_related("product"))."""
        product = self.product if self.product_id else None
        if product is not None and product.name_en and is_english():
            return product.name_en
        return self.item_name

    def stage(self, now=None):
        """The sale's Stage at `now` (default: now), Asia/Shanghai days."""
        if self.status == self.Status.VOIDED:
            return self.Stage.VOIDED
        if timezone.localdate(self.sold_at) != timezone.localdate(now or timezone.now()):
            return self.Stage.CLOSED
        return self.Stage.CORRECTED if self.corrected_at else self.Stage.RECORDED

    def may(self, target, now=None):
        """Whether the transition table lets the sale become `target` (a Stage) now: for views and the API."""
        return self.TRANSITIONS.allows(self.stage(now), target)
