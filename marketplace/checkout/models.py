"""Orders, payments and refunds: transactional data in plain models, never deleted.

An order line copies what was sold (name, vendor, unit, unit price) so later edits to a product
never change a past order. Every status change writes an OrderEvent (who, when, from → to).
"""

import secrets
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from cms.state_machine import Transitions

from . import carriers

ZERO = Decimal("0.00")


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Bank card")
    ALIPAY = "alipay", _("Alipay")
    WECHAT_PAY = "wechat_pay", _("WeChat Pay")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer (对公转账)")

    @classmethod
    def online(cls):
        return [cls.CARD, cls.ALIPAY, cls.WECHAT_PAY]


class DeliveryAddress(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delivery_addresses")
    recipient = models.CharField(_("recipient"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20)
    province = models.CharField(_("province"), max_length=20, default="浙江省")
    city = models.CharField(_("city"), max_length=20)
    district = models.CharField(_("district"), max_length=20)
    street = models.CharField(_("street address"), max_length=200)
    is_default = models.BooleanField(_("default address"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Every table keeps its name from when this was part of the marketplace app (no rename, no data move).
        db_table = "marketplace_deliveryaddress"
        verbose_name = _("delivery address")
        verbose_name_plural = _("delivery addresses")
        ordering = ["-is_default", "-created_at"]

    def __str__(self):
        return f"{self.recipient} {self.one_line}"

    @property
    def one_line(self):
        return f"{self.province}{self.city}{self.district}{self.street}"


class CartItem(models.Model):
    """A logged-in buyer's cart line. Visitors' carts live in the session and merge in at login."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_items")
    product = models.ForeignKey("marketplace.ProductPage", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # The unit price the buyer saw when adding; a higher price now is flagged, never charged silently.
    unit_price_seen = models.DecimalField(max_digits=10, decimal_places=2)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "marketplace_cartitem"
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="one_cart_line_per_product"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.product_id} × {self.quantity}"


def new_order_number():
    """SH + date + 6 random characters: readable on the phone, unguessable, unique by constraint."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "SH" + timezone.localdate().strftime("%y%m%d") + "".join(secrets.choice(alphabet) for _ in range(6))


class Order(models.Model):
    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        PENDING_PAYMENT = "pending_payment", _("Pending payment")
        PAID = "paid", _("Paid")
        PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")
        SHIPPED = "shipped", _("Shipped")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    # Statuses in which the order holds stock and can still be paid or cancelled by the buyer.
    OPEN_UNPAID = (Status.AWAITING_APPROVAL, Status.PENDING_PAYMENT)
    # A canteen unit's order starts awaiting approval, every other order pending payment.
    TRANSITIONS = Transitions(
        Status,
        {
            Status.AWAITING_APPROVAL: {Status.PENDING_PAYMENT, Status.CANCELLED},
            Status.PENDING_PAYMENT: {Status.PAID, Status.CANCELLED},
            Status.PAID: {Status.PARTLY_SHIPPED, Status.SHIPPED, Status.COMPLETED, Status.REFUNDED},
            Status.PARTLY_SHIPPED: {Status.SHIPPED, Status.COMPLETED, Status.REFUNDED},
            Status.SHIPPED: {Status.COMPLETED, Status.REFUNDED},
            Status.COMPLETED: {Status.REFUNDED},
        },
    )

    number = models.CharField(_("order number"), max_length=20, unique=True, default=new_order_number)
    # Null for a guest's order (a paid fair ticket bought without an account): the guest_* fields then say
    # who to contact, and the access token (in the session and in the links we send) opens the order.
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("buyer"),
    )
    guest_name = models.CharField(_("guest's name"), max_length=60, blank=True)
    guest_phone = models.CharField(_("guest's mobile number"), max_length=20, blank=True)
    guest_email = models.EmailField(_("guest's e-mail"), blank=True)
    access_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT, db_index=True
    )
    payment_method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices)
    currency = models.CharField(max_length=3, default="CNY")
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    refunded_total = models.DecimalField(_("refunded"), max_digits=12, decimal_places=2, default=ZERO)

    # Delivery address as it was when ordering (blank for orders with nothing to deliver, e.g. tickets).
    recipient = models.CharField(_("recipient"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    province = models.CharField(_("province"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=20, blank=True)
    district = models.CharField(_("district"), max_length=20, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    note = models.CharField(_("note to the vendors"), max_length=200, blank=True)

    placed_at = models.DateTimeField(_("placed"), default=timezone.now, db_index=True)
    payment_due_at = models.DateTimeField(_("pay by"), null=True, blank=True, db_index=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # A retried API request with the same key gets this order back instead of a second one.
    idempotency_key = models.CharField(max_length=80, blank=True)
    # A digest of that first request: a retry with the same key but another request is refused (422).
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # Reference a bank-transfer payer writes on the transfer so staff can match it.
    payment_reference = models.CharField(_("payment reference"), max_length=20, unique=True, null=True, blank=True)

    # Canteen (unit) orders: placed on behalf of a buyer unit, for a delivery date, maybe approved.
    buyer_unit = models.ForeignKey(
        "canteen.BuyerUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("on behalf of unit"),
    )
    canteen_name = models.CharField(_("canteen"), max_length=80, blank=True)
    requested_delivery_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    delivery_window = models.CharField(_("delivery time window"), max_length=20, blank=True)
    purchase_order_number = models.CharField(_("purchase order number"), max_length=40, blank=True)
    # The unit's invoice details as they were when ordering.
    invoice_snapshot = models.JSONField(_("invoice details"), default=dict, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        db_table = "marketplace_order"
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="one_order_per_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(buyer__isnull=False) | (Q(access_token__isnull=False) & ~Q(guest_phone="")),
                name="guest_order_has_token_and_phone",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(condition=Q(refunded_total__lte=models.F("total")), name="refund_within_total"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_guest(self):
        return self.buyer_id is None

    @property
    def contact_email(self):
        """Where e-mails about the order go: the buyer's account e-mail, or the guest's."""
        if self.buyer_id is not None:
            return self.buyer.email
        return self.guest_email

    @property
    def buyer_label(self):
        """Who bought, for staff lists and exports: the account's username, or the guest's name and phone."""
        if self.buyer_id is not None:
            return self.buyer.get_username()
        return _("%(name)s %(phone)s (guest)") % {"name": self.guest_name, "phone": self.guest_phone}

    @property
    def delivery_address(self):
        return f"{self.province}{self.city}{self.district}{self.street}"

    @property
    def is_open_unpaid(self):
        return self.status in self.OPEN_UNPAID

    @property
    def amount_fen(self):
        """The total in fen (分), the integer amount Stripe takes for CNY."""
        return int((self.total * 100).to_integral_value())


class VendorOrder(models.Model):
    """One vendor's part of an order: the lines it ships, with its own shipping state."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        TO_SHIP = "to_ship", _("To ship")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    # A fully refunded order cancels its parts, whatever they had reached.
    TRANSITIONS = Transitions(
        Status,
        {
            Status.PENDING: {Status.TO_SHIP, Status.CANCELLED},
            Status.TO_SHIP: {Status.SHIPPED, Status.CANCELLED},
            Status.SHIPPED: {Status.DELIVERED, Status.CANCELLED},
            Status.DELIVERED: {Status.CANCELLED},
        },
    )

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="vendor_orders")
    vendor = models.ForeignKey(
        "marketplace.VendorPage", on_delete=models.PROTECT, related_name="vendor_orders", verbose_name=_("vendor")
    )
    vendor_name = models.CharField(_("vendor"), max_length=255)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    subtotal = models.DecimalField(_("subtotal"), max_digits=12, decimal_places=2)
    # The shipping fee (运费) of this part as computed at checkout (shipping.py); part of the order total.
    shipping_fee = models.DecimalField(_("shipping fee"), max_digits=10, decimal_places=2, default=ZERO)
    # How much of the shipping fee was refunded (a whole part's refund includes it; line refunds only if staff choose).
    shipping_refunded = models.DecimalField(_("shipping refunded"), max_digits=10, decimal_places=2, default=ZERO)
    # A code from checkout/carriers.py ("sf"); text typed before the list stays as it was.
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    # Invoice (发票) the vendor issues for this part; the platform never issues tax invoices itself.
    class InvoiceState(models.TextChoices):
        NONE = "", _("Not requested")
        REQUESTED = "requested", _("Requested")
        ISSUED = "issued", _("Issued")

    invoice_state = models.CharField(_("invoice"), max_length=10, choices=InvoiceState.choices, blank=True, default="")
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True)
    invoice_date = models.DateField(_("invoice date"), null=True, blank=True)
    invoice_file = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invoice PDF"),
    )
    # Receipt and inspection (验收) by the buyer unit.
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inspection_note = models.CharField(_("inspection note"), max_length=500, blank=True)
    inspection_photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("inspection photo"),
    )

    class Meta:
        db_table = "marketplace_vendororder"
        verbose_name = _("vendor order")
        verbose_name_plural = _("vendor orders")
        ordering = ["order__placed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "vendor"], name="one_part_per_vendor"),
            models.CheckConstraint(condition=Q(shipping_fee__gte=0), name="part_shipping_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(shipping_refunded__lte=models.F("shipping_fee")), name="shipping_refund_within_fee"
            ),
        ]

    def __str__(self):
        return f"{self.order.number} / {self.vendor_name}"

    @property
    def total(self):
        """What the buyer pays for this part: its lines and its shipping fee."""
        return self.subtotal + self.shipping_fee

    @property
    def auto_confirm_at(self):
        """When a shipped public part is confirmed for the buyer if they have not confirmed it themselves."""
        if self.shipped_at is None:
            return None
        return self.shipped_at + timedelta(days=settings.ORDER_AUTO_CONFIRM_DAYS)

    @property
    def carrier_name(self):
        """The carrier as people read it: a known carrier's translated name, an older free text as it is."""
        return carriers.display_name(self.carrier)

    @property
    def tracking_url(self):
        """The parcel's public tracking page ("" for an unknown carrier or without a number)."""
        return carriers.tracking_url(self.carrier, self.tracking_number)


class OrderLine(models.Model):
    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        TICKET = "ticket", _("Ticket")
        STALL_FEE = "stall_fee", _("Stall fee")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    vendor_order = models.ForeignKey(VendorOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PRODUCT)
    product = models.ForeignKey(
        "marketplace.ProductPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines"
    )
    # What was sold, copied at the time of sale.
    name = models.CharField(_("item"), max_length=255)
    # The product's origin county when ordered (product lines), so the 消费帮扶 share does not move when
    # the product is edited later.
    origin_county = models.ForeignKey(
        "cms.County",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("origin county"),
    )
    vendor_name = models.CharField(_("vendor"), max_length=255, blank=True)
    unit = models.CharField(_("unit"), max_length=8, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total = models.DecimalField(_("line total"), max_digits=12, decimal_places=2)
    refunded_quantity = models.PositiveIntegerField(_("refunded quantity"), default=0)
    # Stock this line holds; returned (and set to 0) when the order is cancelled or refunded.
    reserved_quantity = models.PositiveIntegerField(default=0)
    # For lines that are not products: what they pay for ("events.stallbooking:42").
    reference = models.CharField(max_length=80, blank=True, db_index=True)

    class Meta:
        db_table = "marketplace_orderline"
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="line_quantity_positive"),
            models.CheckConstraint(condition=Q(refunded_quantity__lte=models.F("quantity")), name="refund_within_line"),
        ]

    def __str__(self):
        return f"{self.name} × {self.quantity}"

    @property
    def is_received_product(self):
        """A product line of a vendor part the buyer has received (确认收货), not wholly refunded: one the buyer
        may review. Reads the line's vendor part (load it with the line)."""
        part = self.vendor_order
        return bool(
            self.kind == self.Kind.PRODUCT
            and self.product_id
            and part is not None
            and part.status == VendorOrder.Status.DELIVERED
            and self.refunded_quantity < self.quantity
        )


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        # Stripe said it succeeded but the amount or currency does not match the order: staff must look.
        FLAGGED = "flagged", _("Flagged for review")
        DISPUTED = "disputed", _("Disputed")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="CNY")
    stripe_payment_intent = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_client_secret = models.CharField(max_length=255, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=80, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    flag_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "marketplace_payment"
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative")]

    def __str__(self):
        return f"{self.order.number} {self.get_method_display()} {self.amount}"


class Refund(models.Model):
    """Money going back. The decision (amount, lines, stock) is recorded under the order's lock; a Stripe refund
    is then asked for outside any lock (status PENDING until Stripe answers; a retry completes it with the same
    idempotency key, `refund-<pk>`). A bank-transfer refund is SUCCEEDED at once: staff owe it by transfer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending at the payment service")
        SUCCEEDED = "succeeded", _("Refunded")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUCCEEDED)
    stripe_refund = models.CharField(max_length=255, unique=True, null=True, blank=True)
    # The payment service's last refusal, kept for staff while the refund waits for a retry.
    last_error = models.CharField(max_length=255, blank=True)
    # The after-sale request this refund pays out: at most one refund per request (the money moves once).
    after_sale = models.OneToOneField(
        "AfterSaleRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="refund"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "marketplace_refund"
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.payment.order.number} −{self.amount}"

    @property
    def idempotency_key(self):
        """The key of this refund's Stripe call: the same on every retry, so Stripe makes it once."""
        return f"refund-{self.pk}"


class AfterSaleRequest(models.Model):
    """A buyer's after-sale request (售后) on lines of one vendor part: refund only (仅退款) or return and refund
    (退货退款). Its lines say how many of each; the vendor accepts or refuses, the buyer may escalate to staff,
    and the refund is executed once (Refund.after_sale is one-to-one). See checkout/after_sale.py."""

    class Kind(models.TextChoices):
        REFUND_ONLY = "refund", _("Refund only")
        RETURN = "return", _("Return and refund")

    class Reason(models.TextChoices):
        QUALITY = "quality", _("Quality problem")
        DAMAGED = "damaged", _("Damaged in transit")
        WRONG_ITEM = "wrong_item", _("Wrong item")
        NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
        NOT_RECEIVED = "not_received", _("Not received")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for the vendor")
        ACCEPTED = "accepted", _("Accepted: return the goods")
        RETURN_SHIPPED = "return_shipped", _("Goods on their way back")
        REFUSED = "refused", _("Refused by the vendor")
        ESCALATED = "escalated", _("With the platform")
        REFUNDING = "refunding", _("Refund under way")
        REFUNDED = "refunded", _("Refunded")
        CLOSED = "closed", pgettext_lazy("after-sale", "Closed")
        WITHDRAWN = "withdrawn", pgettext_lazy("after-sale", "Withdrawn")

    OPEN = (Status.REQUESTED, Status.ACCEPTED, Status.RETURN_SHIPPED, Status.REFUSED, Status.ESCALATED)
    TRANSITIONS = Transitions(
        Status,
        {
            Status.REQUESTED: {Status.ACCEPTED, Status.REFUSED, Status.ESCALATED, Status.REFUNDING, Status.WITHDRAWN},
            Status.ACCEPTED: {Status.RETURN_SHIPPED, Status.ESCALATED, Status.WITHDRAWN},
            Status.RETURN_SHIPPED: {Status.REFUNDING, Status.ESCALATED},
            Status.REFUSED: {Status.ESCALATED, Status.WITHDRAWN},
            Status.ESCALATED: {Status.REFUNDING, Status.CLOSED, Status.WITHDRAWN},
            Status.REFUNDING: {Status.REFUNDED},
        },
    )

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="after_sales")
    vendor_order = models.ForeignKey(VendorOrder, on_delete=models.PROTECT, related_name="after_sales")
    kind = models.CharField(_("after-sale type"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    # What the buyer paid for the requested lines (plus the part's shipping fee when the request covers every unit
    # of the part still kept): the most this request can ever refund.
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    includes_shipping = models.BooleanField(default=False)
    refunded_amount = models.DecimalField(_("refunded"), max_digits=12, decimal_places=2, default=ZERO)
    vendor_note = models.CharField(_("vendor's answer"), max_length=500, blank=True)
    return_address = models.CharField(_("return address"), max_length=300, blank=True)
    return_carrier = models.CharField(_("return carrier"), max_length=40, blank=True)
    return_tracking_number = models.CharField(_("return tracking number"), max_length=60, blank=True)
    staff_note = models.CharField(_("platform's decision"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)

    class Meta:
        db_table = "marketplace_aftersalerequest"
        verbose_name = _("after-sale request")
        verbose_name_plural = _("after-sale requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="after_sale_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=models.F("amount")),
                name="after_sale_refund_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.order.number} #{self.pk}"

    @property
    def is_open(self):
        return self.status in self.OPEN

    @property
    def answer_due_at(self):
        """When an unanswered request goes to staff by itself."""
        return self.created_at + timedelta(hours=settings.ORDER_AFTER_SALE_VENDOR_HOURS)

    @property
    def return_carrier_name(self):
        return carriers.display_name(self.return_carrier)

    @property
    def return_tracking_url(self):
        return carriers.tracking_url(self.return_carrier, self.return_tracking_number)


class AfterSaleLine(models.Model):
    request = models.ForeignKey(AfterSaleRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="after_sale_lines")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        db_table = "marketplace_aftersaleline"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="after_sale_line_quantity_positive"),
            models.UniqueConstraint(fields=["request", "order_line"], name="one_after_sale_line_per_order_line"),
        ]

    def __str__(self):
        return f"{self.order_line.name} × {self.quantity}"


class AfterSalePhoto(models.Model):
    """A photo the buyer sent with the request: a private image (cms.private_media), seen only by the buyer, the
    vendor's members and staff."""

    request = models.ForeignKey(AfterSaleRequest, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "marketplace_aftersalephoto"
        ordering = ["pk"]


class OrderEvent(models.Model):
    """The audit log of an order: every status change and money movement, who did it and when."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "marketplace_orderevent"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.order_id} {self.action} {self.from_status}→{self.to_status}"


class StripeEvent(models.Model):
    """Every Stripe webhook event received, so each is applied exactly once however often it arrives."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=80)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=255, blank=True)

    class Meta:
        db_table = "marketplace_stripeevent"
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.event_id} {self.type}"


# -- shipping rules (运费模板) ---------------------------------------------------------------------------


class ProvincesField(models.JSONField):
    """A list of province-level divisions (full names, cms.divisions.provinces()), edited as checkboxes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        from cms.divisions import provinces

        return forms.MultipleChoiceField(
            choices=[(name, name) for name in provinces()],
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "province-choices"}),
            label=self.verbose_name[:1].upper() + self.verbose_name[1:] if self.verbose_name else None,
            help_text=self.help_text,
        )


class ShippingRuleForm(WagtailAdminModelForm):
    """A vendor picks only among its own vendors (staff among all); with one, it is chosen for them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        field = self.fields.get("vendor")
        if field is None or user is None or user.is_superuser or user.has_perm("checkout.change_shippingrule"):
            return
        field.queryset = field.queryset.filter(members__user=user).distinct()
        if not self.instance.pk and field.queryset.count() == 1:
            field.initial = field.queryset.first().pk


class ShippingRule(ClusterableModel):
    """A vendor's shipping rules (运费模板): how its part of an order is charged for delivery.

    The fee is a flat fee, or a first-unit fee plus a fee per additional unit counted by items or by weight;
    regions (provinces) may have their own fees; nothing is charged above the free-shipping threshold (包邮门槛);
    provinces the vendor does not deliver to are refused at checkout. Canteen (unit) orders use the canteen
    delivery terms instead: free within the delivery area, else the canteen delivery fee.
    A vendor without rules ships free everywhere.
    """

    class ChargeBy(models.TextChoices):
        FLAT = "flat", _("Flat fee per order")
        COUNT = "count", _("By count (first item, each additional item)")
        WEIGHT = "weight", _("By weight (first kg, each additional kg)")

    vendor = models.OneToOneField(
        "marketplace.VendorPage", on_delete=models.CASCADE, related_name="shipping_rule", verbose_name=_("vendor")
    )
    name = models.CharField(_("name"), max_length=60, default="运费模板")
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    charge_by = models.CharField(_("charge by"), max_length=10, choices=ChargeBy.choices, default=ChargeBy.COUNT)
    first_units = models.DecimalField(
        _("first units"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Items or kg the first fee covers."),
    )
    first_fee = models.DecimalField(
        _("first fee (CNY)"), max_digits=8, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    additional_units = models.DecimalField(
        _("additional units"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Items or kg each additional fee covers."),
    )
    additional_fee = models.DecimalField(
        _("additional fee (CNY)"), max_digits=8, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    free_above = models.DecimalField(
        _("free shipping from (CNY)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
        help_text=_("包邮门槛: an order part of at least this amount ships free. Leave empty for none."),
    )
    excluded_provinces = ProvincesField(
        _("regions not delivered to"), help_text=_("Orders to these provinces are refused at checkout.")
    )
    canteen_free_area = models.CharField(
        _("canteen delivery area"),
        max_length=200,
        blank=True,
        help_text=_(
            "Cities or districts where delivery to canteens is free, separated by commas (e.g. 衢州市, 杭州市). "
            "Empty: free everywhere you deliver, unless a canteen delivery fee is set."
        ),
    )
    canteen_fee = models.DecimalField(
        _("canteen delivery fee (CNY)"),
        max_digits=8,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text=_("Charged per canteen delivery outside the canteen delivery area."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    base_form_class = ShippingRuleForm
    panels = [
        FieldPanel("vendor", widget=forms.Select),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        MultiFieldPanel(
            [
                FieldPanel("charge_by"),
                FieldRowPanel([FieldPanel("first_units"), FieldPanel("first_fee")]),
                FieldRowPanel([FieldPanel("additional_units"), FieldPanel("additional_fee")]),
                FieldPanel("free_above"),
            ],
            heading=_("Fees everywhere else"),
        ),
        InlinePanel("regions", heading=_("Fees by region"), label=_("region")),
        FieldPanel("excluded_provinces"),
        MultiFieldPanel(
            [FieldPanel("canteen_free_area"), FieldPanel("canteen_fee")], heading=_("Canteen delivery terms")
        ),
    ]

    class Meta:
        db_table = "marketplace_shippingrule"
        verbose_name = _("shipping rules")
        verbose_name_plural = _("shipping rules")
        ordering = ["vendor__title"]
        constraints = [
            models.CheckConstraint(condition=Q(first_fee__gte=0), name="shipping_first_fee_not_negative"),
            models.CheckConstraint(condition=Q(additional_fee__gte=0), name="shipping_additional_fee_not_negative"),
            models.CheckConstraint(condition=Q(first_units__gt=0), name="shipping_first_units_positive"),
            models.CheckConstraint(condition=Q(additional_units__gt=0), name="shipping_additional_units_positive"),
        ]

    def __str__(self):
        return f"{self.vendor.title} · {self.name}" if self.vendor_id else self.name

    @property
    def display_name(self):
        from django.utils import translation

        if translation.get_language() and not translation.get_language().startswith("zh") and self.name_en:
            return self.name_en
        return self.name


class ShippingRegion(Orderable):
    """Fees for some provinces (e.g. 江浙沪 cheaper, 新疆/西藏 dearer), replacing the rule's own."""

    rule = ParentalKey(ShippingRule, on_delete=models.CASCADE, related_name="regions")
    provinces = ProvincesField(_("provinces"))
    first_fee = models.DecimalField(
        _("first fee (CNY)"), max_digits=8, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    additional_fee = models.DecimalField(
        _("additional fee (CNY)"), max_digits=8, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    free_above = models.DecimalField(
        _("free shipping from (CNY)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
        help_text=_("Empty: the rule's threshold."),
    )

    panels = [
        FieldPanel("provinces"),
        FieldRowPanel([FieldPanel("first_fee"), FieldPanel("additional_fee"), FieldPanel("free_above")]),
    ]

    class Meta(Orderable.Meta):
        db_table = "marketplace_shippingregion"
        verbose_name = _("shipping region")
        verbose_name_plural = _("shipping regions")

    def __str__(self):
        return "、".join(self.provinces or [])
