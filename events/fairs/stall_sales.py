"""Sales at the stall during a fair: record, correct and void (vendors' members, on a phone, online or not).

Rules (DESIGN.md, "Scarce things and concurrency"):
- each operation is one transaction and raises DomainError with a code from events.errors (message, status);
- a sale carries a client-made id (UUID): the same sale sent twice — a phone that lost its connection after
  sending, then sent again — is recorded once (the unique constraint decides between racing requests);
- stock moves through the marketplace stock service (a conditional UPDATE, never below zero); locks are taken
  sale row first, then the product's stock row, in every operation;
- a sale can be corrected or voided on the day it was made, through its transition table (StallSale.TRANSITIONS:
  voiding a voided sale, or changing a sale after its day, is "invalid_state"); every change writes an audit entry
  on the fair,
  so the organiser sees voids in the results report and the fair's history.
"""

import dataclasses
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from cms import locking
from cms.errors import CommonCode, DomainError
from events.errors import EventsCode
from events.fairs.models import StallSale
from events.models import FairPage, StallBooking
from events.stalls.services import _audit
from marketplace.models import ProductPage, VendorMember, VendorPage
from marketplace.services import stock as stock_service

CENT = Decimal("0.01")
MAX_QUANTITY = 10_000
MAX_UNIT_PRICE = Decimal("1000000.00")
# How long after the last day of a fair sales made offline may still arrive.
LATE_SYNC = timedelta(days=1)
# A phone's clock may run a little ahead.
CLOCK_SKEW = timedelta(minutes=10)


@dataclasses.dataclass
class SaleRequest:
    client_id: object
    payment: str
    quantity: object = 1
    product_id: int | None = None
    item_name: str = ""
    unit_price: object = None  # None: the product's price for the quantity
    sold_at: object = None  # when the phone recorded it (offline sales arrive later); None: now


def may_record_for(user, vendor):
    """Members of the vendor record its sales; superusers may record on its behalf (sales sheets after the fact)."""
    if not getattr(user, "is_authenticated", False) or vendor is None:
        return False
    return user.is_superuser or VendorMember.objects.filter(user=user, vendor=vendor).exists()


def sales_booking(fair, vendor):
    """The vendor's confirmed stall at the fair, or None."""
    return (
        StallBooking.objects.filter(fair=fair, vendor=vendor, status=StallBooking.Status.CONFIRMED)
        .select_related("stall")
        .order_by("pk")
        .first()
    )


def selling_vendors(user, fair):
    """The user's vendors that have a confirmed stall at the fair, by name."""
    if not getattr(user, "is_authenticated", False):
        return VendorPage.objects.none()
    return (
        VendorPage.objects.filter(members__user=user, stall_bookings__fair=fair, stall_bookings__status="confirmed")
        .distinct()
        .order_by("title", "pk")
    )


def sale_products(vendor):
    """What the vendor can pick on the sales page: its live products, with their stock row."""
    return (
        ProductPage.objects.live()
        .filter(vendor=vendor)
        .select_related("stock", "category", "origin_county")
        .prefetch_related("tier_prices")
        .order_by("title", "pk")
    )


def is_selling_day(fair, now=None):
    day = timezone.localdate(now or timezone.now())
    return fair.start_date <= day <= fair.end_date and fair.status != FairPage.Status.CANCELLED


def _check_window(fair, sold_at, now):
    if fair.status == FairPage.Status.CANCELLED:
        raise DomainError(EventsCode.FAIR_CANCELLED)
    day = timezone.localdate(sold_at)
    if sold_at > now + CLOCK_SKEW or not (fair.start_date <= day <= fair.end_date):
        raise DomainError(EventsCode.SALES_OUTSIDE_FAIR_DAYS)
    last = timezone.make_aware(datetime.combine(fair.end_date, time(0, 0)))
    if now > last + timedelta(days=1) + LATE_SYNC:
        raise DomainError(EventsCode.SALES_OUTSIDE_FAIR_DAYS)


def _quantity(value):
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            raise DomainError(CommonCode.QUANTITY_NOT_WHOLE, field="quantity")
        value = int(number)
    if not 1 <= value <= MAX_QUANTITY:
        raise DomainError(EventsCode.SALE_QUANTITY_INVALID, field="quantity", max=MAX_QUANTITY)
    return value


def _price(value):
    try:
        price = Decimal(str(value).strip().replace(",", "")).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise DomainError(EventsCode.SALE_PRICE_INVALID, field="unit_price") from None
    if not price.is_finite() or price < 0 or price > MAX_UNIT_PRICE:
        raise DomainError(EventsCode.SALE_PRICE_INVALID, field="unit_price")
    return price


def _payment(value):
    if value not in StallSale.Payment.values:
        raise DomainError(EventsCode.SALE_PAYMENT_REQUIRED, field="payment")
    return value


def _client_id(value):
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, AttributeError, TypeError):
        raise DomainError(EventsCode.SALE_CLIENT_ID_INVALID, field="client_id") from None


def _move(sale, target, now):
    """Take the sale to `target` (a StallSale.Stage) through its transition table, or raise DomainError with code
    "invalid_state": a voided sale cannot be voided or corrected again, nor any sale after its day."""
    sale.stage_now = sale.stage(now)
    if sale.stage_now == StallSale.Stage.CLOSED:
        # The table's own refusal, in words that say why.
        raise DomainError(EventsCode.NOT_SAME_DAY)
    StallSale.TRANSITIONS.move(sale, target, field="stage_now")
    if target == StallSale.Stage.VOIDED:
        sale.status = StallSale.Status.VOIDED


def _mountain(county, day):
    return bool(county and county.is_mountain_on(day))


def record_sale(*, fair, vendor, user, request, now=None):
    """Record a sale at the vendor's confirmed stall. Returns (sale, created): a sale whose client id was seen
    before is returned as it was recorded, created False, and nothing moves twice."""
    now = now or timezone.now()
    client_id = _client_id(request.client_id)
    existing = StallSale.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _replayed(existing, fair, vendor), False
    if not may_record_for(user, vendor):
        raise DomainError(EventsCode.NOT_VENDOR_MEMBER, field="vendor")
    booking = sales_booking(fair, vendor)
    if booking is None:
        raise DomainError(EventsCode.NO_STALL, vendor=vendor.title)
    sold_at = request.sold_at or now
    _check_window(fair, sold_at, now)
    payment = _payment(request.payment)
    quantity = _quantity(request.quantity)
    product = None
    if request.product_id:
        product = (
            ProductPage.objects.select_related("category", "origin_county", "vendor__county")
            .filter(pk=request.product_id, vendor=vendor)
            .first()
        )
        if product is None:
            raise DomainError(EventsCode.SALE_PRODUCT_UNKNOWN, field="product")
        name = product.title
        unit = product.unit
        price = product.price_for(quantity) if request.unit_price in (None, "") else _price(request.unit_price)
        county = product.origin_county or vendor.county
        category_id = product.category_id
    else:
        name = (request.item_name or "").strip()[:120]
        if not name:
            raise DomainError(EventsCode.SALE_ITEM_REQUIRED, field="item_name")
        if request.unit_price in (None, ""):
            raise DomainError(EventsCode.SALE_PRICE_REQUIRED, field="unit_price")
        price = _price(request.unit_price)
        unit, county, category_id = "", vendor.county, None
    day = timezone.localdate(sold_at)
    created = False
    with transaction.atomic():
        try:
            with transaction.atomic():
                sale = StallSale.objects.create(
                    client_id=client_id,
                    fair=fair,
                    booking=booking,
                    stall_id=booking.stall_id,
                    vendor=vendor,
                    product=product,
                    item_name=name,
                    unit=unit,
                    category_id=category_id,
                    county=county,
                    mountain=_mountain(county, day),
                    unit_price=price,
                    quantity=quantity,
                    amount=(price * quantity).quantize(CENT),
                    payment=payment,
                    sold_at=sold_at,
                    recorded_at=now,
                    recorded_by=user,
                )
        except IntegrityError:
            sale = None  # the same sale, sent twice at once: the other request recorded it
        if sale is not None:
            if product is not None and product.track_stock:
                try:
                    sale.stock_taken = stock_service.take_stock(product, quantity)
                except DomainError as exc:
                    raise DomainError(exc.code, field="quantity", **exc.params) from exc
                sale.save(update_fields=["stock_taken"])
            _audit(
                fair,
                "events.sale_recorded",
                user,
                sale=sale.pk,
                vendor=vendor.title,
                stall=booking.stall.code,
                item=name,
                quantity=quantity,
                amount=str(sale.amount),
                payment=payment,
            )
            created = True
    if not created:
        return _replayed(StallSale.objects.get(client_id=client_id), fair, vendor), False
    return sale, True


def _replayed(sale, fair, vendor):
    if sale.fair_id != fair.pk or sale.vendor_id != vendor.pk:
        raise DomainError(EventsCode.SALE_CLIENT_ID_INVALID, field="client_id")
    return sale


def _locked(sale, user):
    sale = locking.lock_one(StallSale.objects.select_related("fair", "vendor", "stall"), sale.pk)
    if not may_record_for(user, sale.vendor):
        raise DomainError(EventsCode.NOT_VENDOR_MEMBER)
    return sale


def correct_sale(sale, *, user, quantity=None, unit_price=None, payment=None, now=None):
    """Change the quantity, unit price or payment of a sale made today; stock follows the quantity."""
    now = now or timezone.now()
    with transaction.atomic():
        sale = _locked(sale, user)
        _move(sale, StallSale.Stage.CORRECTED, now)
        old = {"quantity": sale.quantity, "unit_price": str(sale.unit_price), "payment": sale.payment}
        new_quantity = sale.quantity if quantity in (None, "") else _quantity(quantity)
        new_price = sale.unit_price if unit_price in (None, "") else _price(unit_price)
        new_payment = sale.payment if payment in (None, "") else _payment(payment)
        if sale.product_id and (sale.stock_taken or new_quantity > sale.quantity):
            product = ProductPage.objects.filter(pk=sale.product_id).first()
            if product is not None and product.track_stock:
                delta = new_quantity - sale.quantity
                try:
                    if delta > 0:
                        sale.stock_taken += stock_service.take_stock(product, delta)
                    elif delta < 0:
                        back = min(-delta, sale.stock_taken)
                        stock_service.give_back_stock(product.pk, back)
                        sale.stock_taken -= back
                except DomainError as exc:
                    raise DomainError(exc.code, field="quantity", **exc.params) from exc
        sale.quantity, sale.unit_price, sale.payment = new_quantity, new_price, new_payment
        sale.amount = (new_price * new_quantity).quantize(CENT)
        sale.corrected_at = now
        sale.save(update_fields=["quantity", "unit_price", "payment", "amount", "stock_taken", "corrected_at"])
        _audit(
            sale.fair,
            "events.sale_corrected",
            user,
            sale=sale.pk,
            vendor=sale.vendor.title,
            item=sale.item_name,
            old=old,
            new={"quantity": new_quantity, "unit_price": str(new_price), "payment": new_payment},
        )
    return sale


def void_sale(sale, *, user, reason="", now=None):
    """Void a sale made today: it no longer counts, its units go back to stock, the organiser sees it."""
    now = now or timezone.now()
    with transaction.atomic():
        sale = _locked(sale, user)
        _move(sale, StallSale.Stage.VOIDED, now)
        if sale.product_id and sale.stock_taken:
            stock_service.give_back_stock(sale.product_id, sale.stock_taken)
        sale.voided_at, sale.voided_by = now, user if getattr(user, "pk", None) else None
        sale.void_reason = (reason or "").strip()[:200]
        sale.stock_taken = 0
        sale.save(update_fields=["status", "voided_at", "voided_by", "void_reason", "stock_taken"])
        _audit(
            sale.fair,
            "events.sale_voided",
            user,
            sale=sale.pk,
            vendor=sale.vendor.title,
            stall=sale.stall.code,
            item=sale.item_name,
            amount=str(sale.amount),
            reason=sale.void_reason,
        )
    return sale


def todays_sales(fair, vendor, now=None):
    day = timezone.localdate(now or timezone.now())
    return list(
        StallSale.objects.filter(fair=fair, vendor=vendor, sold_at__date=day)
        .select_related("recorded_by")
        .order_by("-sold_at", "-pk")
    )
