"""The cart and orders in the JSON API (/api/cart/, /api/orders/…): thin callers of the checkout services.

Mounted on cms.json_api's NinjaAPI in config/urls.py. Errors are DomainError, answered as JSON with the
status from the error table (marketplace.errors: 400 bad input, 404 unknown or not yours, 409 stock or state).
Unknown product ids in an order answer 400 `unknown_product` (the request is wrong, the URL is not).
"""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictInt, condecimal

from cms.divisions import division_errors
from cms.errors import DomainError
from cms.json_api import idempotency
from cms.json_api.api import trusted_answer
from cms.json_api.schemas import ERROR_400, ERROR_401, ERROR_403, ERROR_404, ERROR_409, Money, money
from cms.validators import MAX_DB_INT, MAX_PAGE_NUMBER
from marketplace.errors import MarketplaceCode

from . import after_sale, services, stripe_gateway
from .cart import Cart
from .models import AfterSaleRequest, DeliveryAddress, Order, Payment, PaymentMethod, VendorOrder
from .services import Address, LineRequest
from .shipping import ProvinceOnly as ShippingAddress

router = Router(tags=["orders"])

# The request field a place_order refusal is about, when the service does not say.
FIELD_FOR_CODE = {
    "invalid_quantity": "lines",
    "below_minimum": "lines",
    "not_for_sale_to_buyer": "lines",
    "unavailable": "lines",
    "price_changed": "lines",
    "out_of_stock": "lines",
    "empty_cart": "lines",
    "unknown_product": "lines",
    "invalid_payment_method": "payment_method",
    "address_required": "address",
    "not_delivered": "address",
}


# -- schemas -----------------------------------------------------------------------------------------


class CartLineOut(Schema):
    product: int = Field(description="Product page id")
    name: str
    vendor: int | None
    vendor_name: str
    unit: str
    quantity: int
    min_order_quantity: int
    unit_price: Money = Field(description="Today's unit price for this quantity (bulk tier applied)")
    unit_price_seen: Money = Field(description="The unit price the buyer saw when adding")
    line_total: Money
    stock_left: int | None = Field(description="Units in stock; null when stock is not tracked")
    flags: list[str] = Field(
        description="Problems to fix before ordering: unavailable, price_changed, below_minimum, out_of_stock",
        examples=[["price_changed"]],
    )
    unavailable_reason: str = ""
    ok: bool


class CartPartOut(Schema):
    vendor: int | None
    vendor_name: str
    subtotal: Money = Field(description="The goods of this vendor")
    shipping_fee: Money = Field(description="Shipping to the address given (0 when none was given)")
    delivers: bool = Field(description="False: this vendor does not deliver to the address; the order is refused")
    message: str = Field(description="Why not, when `delivers` is false (translated)")
    free_above: Money | None = Field(description="The free-shipping threshold (包邮门槛) for this address, if any")


class CartOut(Schema):
    lines: list[CartLineOut]
    total: Money = Field(description="The goods, without shipping")
    currency: str = "CNY"
    count: int
    can_check_out: bool
    has_price_rises: bool
    parts: list[CartPartOut] = Field(description="One per vendor, with its shipping to the address given")
    shipping_quoted: bool = Field(description="True when an address (province or address_id) was given")
    shipping_total: Money
    grand_total: Money = Field(description="Goods and shipping: what an order to that address costs")


class CartQuery(Schema):
    province: str | None = Field(
        None, max_length=20, description='Work out shipping to this province ("浙江省", or "浙江")'
    )
    city: str = Field("", max_length=20)
    district: str = Field("", max_length=20)
    address_id: int | None = Field(
        None, ge=1, le=MAX_DB_INT, description="Or to one of the buyer's saved delivery addresses"
    )


class LineIn(Schema):
    product: StrictInt = Field(description="Product page id", ge=1, le=MAX_DB_INT)
    quantity: StrictInt = Field(description="A whole number from 1 to 10000", examples=[2])
    expected_unit_price: condecimal(ge=Decimal("0"), max_digits=10, decimal_places=2) | None = Field(
        None,
        description='The unit price the buyer saw ("58.00"); if the product got dearer the order is refused '
        "with price_changed instead of charging more",
        examples=["58.00"],
    )


class AddressIn(Schema):
    recipient: str = Field(min_length=1, max_length=40)
    phone: str = Field(min_length=1, max_length=20)
    province: str = Field("浙江省", min_length=1, max_length=20)
    city: str = Field(min_length=1, max_length=20)
    district: str = Field(min_length=1, max_length=20)
    street: str = Field(min_length=1, max_length=200)


class OrderIn(Schema):
    lines: list[LineIn] = Field(max_length=200)
    address: AddressIn | None = Field(None, description="A delivery address; or give address_id")
    address_id: int | None = Field(
        None, ge=1, le=MAX_DB_INT, description="Id of one of the buyer's saved delivery addresses"
    )
    payment_method: str = Field(
        description="bank_transfer, or card, alipay or wechat_pay when online payment (Stripe) is configured; a "
        "method that is not available now is refused with 400 `invalid_payment_method` and nothing is ordered",
        examples=["bank_transfer"],
    )
    note: str = Field("", max_length=200)
    payment_method_id: str | None = Field(
        None, max_length=255, description="A Stripe PaymentMethod id (pm_…) to confirm a card payment at once"
    )


class PaymentMethodIn(Schema):
    payment_method: str = Field(
        description="The new method: bank_transfer, or card, alipay or wechat_pay when online payment (Stripe) is "
        "configured",
        examples=["bank_transfer"],
    )
    payment_method_id: str | None = Field(
        None, max_length=255, description="A Stripe PaymentMethod id (pm_…) to confirm a card payment at once"
    )


class AddressOut(Schema):
    recipient: str
    phone: str
    province: str
    city: str
    district: str
    street: str


class BankAccountOut(Schema):
    name: str
    bank: str
    number: str


class OrderLineOut(Schema):
    product: int | None
    name: str
    vendor_name: str
    unit: str
    unit_price: Money
    quantity: int
    line_total: Money
    refunded_quantity: int


class VendorPartOut(Schema):
    id: int = Field(description="The part's id, for parts/{id}/confirm/")
    vendor: int
    vendor_name: str
    status: str
    status_display: str
    subtotal: Money = Field(description="The goods of this part")
    shipping_fee: Money = Field(description="Its shipping fee, included in the order total")
    shipping_refunded: Money
    received_at: datetime | None = Field(description="When receipt was confirmed (确认收货)")
    auto_confirm_at: datetime | None = Field(
        description="A shipped part not confirmed by then is confirmed automatically"
    )
    carrier: str = Field(description="The carrier's code (sf, zto, yto, yunda, sto, jd, ems, chinapost) or older text")
    carrier_name: str = Field(description="The carrier's name in the request's language")
    tracking_number: str
    tracking_url: str = Field(description="The parcel's public tracking page, or empty")
    shipped_at: datetime | None
    delivered_at: datetime | None


class PaymentErrorOut(Schema):
    code: str
    message: str


class OrderOut(Schema):
    number: str
    status: str
    status_display: str
    total: Money = Field(description="Goods and shipping")
    shipping_total: Money
    refunded_total: Money
    currency: str
    payment_method: str
    placed_at: datetime
    payment_due_at: datetime | None
    paid_at: datetime | None
    cancelled_at: datetime | None
    payment_reference: str | None = Field(description="Bank transfer: write this on the transfer")
    bank_account: BankAccountOut | None = Field(description="Bank transfer: where to send it")
    payment_status: str | None = Field(description="Status of the latest payment attempt, if any")
    client_secret: str | None = Field(description="Stripe PaymentIntent client secret while payment is pending")
    payment_error: PaymentErrorOut | None = Field(
        None,
        description="Set when the payment could not be started or was refused; the order stays pending_payment "
        "and can be paid later or cancelled",
    )
    address: AddressOut | None
    note: str
    lines: list[OrderLineOut]
    vendor_parts: list[VendorPartOut]


class OrderSummaryOut(Schema):
    number: str
    status: str
    status_display: str
    total: Money
    currency: str
    payment_method: str
    placed_at: datetime
    payment_due_at: datetime | None
    line_count: int


class OrderPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    next_page: int | None
    items: list[OrderSummaryOut]


class PageIn(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE_NUMBER)
    page_size: int = Field(20, ge=1, le=100)


# -- helpers -----------------------------------------------------------------------------------------


def _cart_line(line):
    flags = []
    if line.unavailable:
        flags.append("unavailable")
    if line.price_rose:
        flags.append("price_changed")
    if line.below_minimum:
        flags.append("below_minimum")
    if line.more_than_stock or line.sold_out:
        flags.append("out_of_stock")
    product = line.product
    return {
        "product": product.pk,
        "name": product.display_name,
        "vendor": product.vendor_id,
        "vendor_name": product.vendor.title if product.vendor else "",
        "unit": product.unit,
        "quantity": line.quantity,
        "min_order_quantity": product.min_order_quantity,
        "unit_price": money(line.unit_price),
        "unit_price_seen": money(line.unit_price_seen),
        "line_total": money(line.line_total),
        "stock_left": line.stock_left,
        "flags": flags,
        "unavailable_reason": str(line.unavailable or ""),
        "ok": line.ok,
    }


def _orders_of(user):
    return Order.objects.filter(buyer=user)


def _own_order(user, number):
    order = _orders_of(user).filter(number=number).first()
    if order is None:
        raise DomainError(MarketplaceCode.ORDER_NOT_FOUND, number=number)
    return order


def _order_out(order, payment_error=None, *, no_payment_yet=False):
    """The order as the API shows it. `no_payment_yet`: the caller knows there is no payment (a bank-transfer
    order it has just placed), which saves the query for the latest one."""
    lines = list(order.lines.all())
    parts = list(order.vendor_orders.all())
    latest = None if no_payment_yet else order.payments.order_by("-created_at", "-pk").first()
    is_bank = order.payment_method == PaymentMethod.BANK_TRANSFER
    has_address = bool(order.recipient or order.street)
    return {
        "number": order.number,
        "status": order.status,
        "status_display": str(order.get_status_display()),
        "total": money(order.total),
        "shipping_total": money(sum((part.shipping_fee for part in parts), Decimal("0"))),
        "refunded_total": money(order.refunded_total),
        "currency": order.currency,
        "payment_method": order.payment_method,
        "placed_at": order.placed_at,
        "payment_due_at": order.payment_due_at,
        "paid_at": order.paid_at,
        "cancelled_at": order.cancelled_at,
        "payment_reference": order.payment_reference,
        "bank_account": (
            {
                "name": settings.BANK_ACCOUNT_NAME,
                "bank": settings.BANK_ACCOUNT_BANK,
                "number": settings.BANK_ACCOUNT_NUMBER,
            }
            if is_bank
            else None
        ),
        "payment_status": latest.status if latest else None,
        "client_secret": (
            latest.stripe_client_secret or None
            if latest and latest.status == Payment.Status.PENDING and order.status == Order.Status.PENDING_PAYMENT
            else None
        ),
        "payment_error": payment_error,
        "address": (
            {f: getattr(order, f) for f in ("recipient", "phone", "province", "city", "district", "street")}
            if has_address
            else None
        ),
        "note": order.note,
        "lines": [
            {
                "product": line.product_id,
                "name": line.name,
                "vendor_name": line.vendor_name,
                "unit": line.unit,
                "unit_price": money(line.unit_price),
                "quantity": line.quantity,
                "line_total": money(line.line_total),
                "refunded_quantity": line.refunded_quantity,
            }
            for line in lines
        ],
        "vendor_parts": [
            {
                "id": part.pk,
                "vendor": part.vendor_id,
                "vendor_name": part.vendor_name,
                "status": part.status,
                "status_display": str(part.get_status_display()),
                "subtotal": money(part.subtotal),
                "shipping_fee": money(part.shipping_fee),
                "shipping_refunded": money(part.shipping_refunded),
                "received_at": part.received_at,
                "auto_confirm_at": part.auto_confirm_at if part.status == VendorOrder.Status.SHIPPED else None,
                "carrier": part.carrier,
                "carrier_name": str(part.carrier_name),
                "tracking_number": part.tracking_number,
                "tracking_url": part.tracking_url,
                "shipped_at": part.shipped_at,
                "delivered_at": part.delivered_at,
            }
            for part in parts
        ],
    }


def _address(user, payload):
    if payload.address is not None and payload.address_id is not None:
        raise DomainError(MarketplaceCode.ADDRESS_AMBIGUOUS, field="address_id")
    if payload.address_id is not None:
        saved = DeliveryAddress.objects.filter(user=user, pk=payload.address_id).first()
        if saved is None:
            raise DomainError(MarketplaceCode.UNKNOWN_ADDRESS, field="address_id")
        return Address.from_model(saved)
    if payload.address is not None:
        address = payload.address.dict()
        # The same lists as the address forms (cms.divisions): a 省/市/区 that do not belong together are refused.
        for name, error in division_errors(address["province"], address["city"], address["district"]).items():
            raise DomainError(MarketplaceCode.INVALID_ADDRESS, field=f"address.{name}", detail=error.messages[0])
        return Address(**address)
    return None


# -- endpoints ---------------------------------------------------------------------------------------


@router.get(
    "cart/", response={200: CartOut, **ERROR_401}, operation_id="cart_get", tags=["cart"], summary="The buyer's cart"
)
def get_cart(request, where: Query[CartQuery]):
    """The logged-in buyer's cart lines with today's prices, problem flags and the total, and per vendor part its
    shipping fee to the address given (`province`, or a saved `address_id`); a vendor that does not deliver there
    says so (`delivers: false` with a message), as placing the order would refuse it (400 `not_delivered`)."""
    cart = Cart(user=request.auth)
    lines = cart.lines
    address = None
    if where.address_id is not None:
        address = DeliveryAddress.objects.filter(user=request.auth, pk=where.address_id).first()
        if address is None:
            raise DomainError(MarketplaceCode.UNKNOWN_ADDRESS, field="address_id")
    elif where.province:
        address = ShippingAddress(where.province, where.city, where.district)
    cart.quote_shipping(address)
    return {
        "parts": [
            {
                "vendor": group.vendor.pk if group.vendor else None,
                "vendor_name": group.vendor.title if group.vendor else "",
                "subtotal": money(group.subtotal),
                "shipping_fee": money(group.shipping.fee),
                "delivers": group.shipping.delivers,
                "message": str(group.shipping.message),
                "free_above": money(group.shipping.free_above) if group.shipping.free_above is not None else None,
            }
            for group in cart.groups
        ],
        "shipping_quoted": cart.shipping_quoted,
        "shipping_total": money(cart.shipping_total),
        "grand_total": money(cart.grand_total),
        "lines": [_cart_line(line) for line in lines],
        "total": money(cart.total),
        "currency": settings.CURRENCY_CODE,
        "count": len(lines),
        "can_check_out": cart.can_check_out,
        "has_price_rises": cart.has_price_rises,
    }


@router.post(
    "orders/",
    response={200: OrderOut, 201: OrderOut, **ERROR_400, **ERROR_401, **ERROR_409},
    operation_id="orders_create",
    summary="Place an order",
)
def create_order(
    request,
    payload: OrderIn,
    idempotency_key: idempotency.IdempotencyKeyHeader = None,
):
    """Place an order: stock is reserved at once; the order waits for payment until `payment_due_at`.

    Bank transfer: the answer carries `payment_reference` and `bank_account`. Card, Alipay, WeChat Pay: the
    answer carries the Stripe `client_secret` (or, with `payment_method_id`, the card is confirmed at once);
    if the payment service refuses, the order stays `pending_payment` and `payment_error` says why.
    201 for a new order, 200 for a retry with a known `X-Idempotency-Key`; 422 `idempotency_mismatch` when
    that key was used for a different request.
    """
    user = request.auth
    key = idempotency.clean_key(idempotency_key)
    address = _address(user, payload)
    try:
        order = services.place_order(
            buyer=user,
            lines=[LineRequest(line.product, line.quantity, line.expected_unit_price) for line in payload.lines],
            payment_method=payload.payment_method,
            address=address,
            note=payload.note,
            idempotency_key=key,
            # Only a request with a key is ever compared with another one.
            idempotency_fingerprint=idempotency.request_fingerprint(payload) if key else "",
        )
    except DomainError as exc:
        if exc.code == "not_found":
            raise DomainError(MarketplaceCode.UNKNOWN_PRODUCT, field="lines") from exc
        if exc.field is None:
            exc.field = FIELD_FOR_CODE.get(exc.code)
        raise
    # A retry with a known key gets the first order back, marked by the service (no query of its own here).
    retried = getattr(order, "replayed", False)
    order, payment_error = _start_online_payment(order, payload.payment_method_id)
    fresh_transfer = not retried and order.payment_method == PaymentMethod.BANK_TRANSFER
    # Built here to OrderOut's shape (tests/api/test_orders.py validates it): rendered without validating it again.
    return trusted_answer(
        request, 200 if retried else 201, _order_out(order, payment_error, no_payment_yet=fresh_transfer)
    )


def _start_online_payment(order, payment_method_id=None):
    """For an unpaid order paid online: create (or find) its PaymentIntent. Returns (order, payment_error)."""
    payment_error = None
    if order.payment_method in PaymentMethod.online() and order.status == Order.Status.PENDING_PAYMENT:
        try:
            stripe_gateway.start_payment(order, payment_method_id=payment_method_id or None)
        except DomainError as exc:
            payment_error = {"code": exc.code.value, "message": exc.message}
        order.refresh_from_db()
    return order, payment_error


@router.get(
    "orders/",
    response={200: OrderPageOut, **ERROR_400, **ERROR_401},
    operation_id="orders_list",
    summary="The buyer's orders",
)
def list_orders(request, paging: Query[PageIn]):
    """The caller's own orders, newest first, `page_size` (default 20, at most 100) per page."""
    orders = _orders_of(request.auth).order_by("-placed_at", "-pk")
    count = orders.count()
    pages = max(1, -(-count // paging.page_size))
    start = (paging.page - 1) * paging.page_size
    items = orders.annotate(line_count=Count("lines"))[start : start + paging.page_size]
    return {
        "count": count,
        "page": paging.page,
        "page_size": paging.page_size,
        "pages": pages,
        "next_page": paging.page + 1 if paging.page < pages else None,
        "items": [
            {
                "number": order.number,
                "status": order.status,
                "status_display": str(order.get_status_display()),
                "total": money(order.total),
                "currency": order.currency,
                "payment_method": order.payment_method,
                "placed_at": order.placed_at,
                "payment_due_at": order.payment_due_at,
                "line_count": order.line_count,
            }
            for order in items
        ],
    }


@router.get(
    "orders/{number}/",
    response={200: OrderOut, **ERROR_401, **ERROR_404},
    operation_id="orders_get",
    summary="One of the buyer's orders",
)
def get_order(request, number: str):
    """One of the caller's orders; someone else's order answers 404, as an unknown number does."""
    return _order_out(_own_order(request.auth, number))


@router.post(
    "orders/{number}/cancel/",
    response={200: OrderOut, **ERROR_401, **ERROR_404, **ERROR_409},
    operation_id="orders_cancel",
    summary="Cancel an unpaid order",
)
def cancel_order(request, number: str):
    """Cancel an unpaid order and give its stock back; a paid, shipped or cancelled order answers 409
    `invalid_state`."""
    order = _own_order(request.auth, number)
    order = services.cancel_order(order, user=request.auth)
    return _order_out(order)


@router.post(
    "orders/{number}/payment-method/",
    response={200: OrderOut, **ERROR_400, **ERROR_401, **ERROR_404, **ERROR_409},
    operation_id="orders_payment_method",
    summary="Switch an unpaid order's payment method",
)
def change_payment_method(request, number: str, payload: PaymentMethodIn):
    """Pay an unpaid order another way (online ↔ bank transfer) instead of cancelling it: the order keeps its
    number and its stock. `payment_due_at` is recomputed for the new method from now, never beyond the longer
    payment window counted from when the order was placed. Bank transfer: the answer carries `payment_reference`
    and `bank_account`; online: the new Stripe `client_secret`. 400 `invalid_payment_method` for a method not
    available now, 409 `invalid_state` when the order is not waiting for payment or its time to pay has passed."""
    order = _own_order(request.auth, number)
    try:
        order = services.change_payment_method(order, payload.payment_method, user=request.auth)
    except DomainError as exc:
        if exc.field is None:
            exc.field = FIELD_FOR_CODE.get(exc.code)
        raise
    order, payment_error = _start_online_payment(order, payload.payment_method_id)
    return _order_out(order, payment_error)


@router.post(
    "orders/{number}/parts/{part_id}/confirm/",
    response={200: OrderOut, **ERROR_401, **ERROR_404, **ERROR_409},
    operation_id="orders_confirm_delivery",
    summary="Confirm receipt of one vendor's part (确认收货)",
)
def confirm_delivery(request, number: str, part_id: int):
    """The buyer confirms a shipped vendor part arrived; the order completes when every part is confirmed or
    refunded. 409 `not_shipped` before the vendor shipped it, `invalid_state` when already confirmed,
    `use_inspection` for a unit (canteen) order, which is received with an inspection (验收) instead. A part left
    unconfirmed is confirmed automatically at `auto_confirm_at`."""
    order = _own_order(request.auth, number)
    part = order.vendor_orders.filter(pk=part_id).first()
    if part is None:
        raise DomainError(MarketplaceCode.ORDER_NOT_FOUND, number=number)
    services.confirm_delivery(part, user=request.auth)
    return _order_out(Order.objects.get(pk=order.pk))


@router.post(
    "orders/{number}/parts/{part_id}/cancel/",
    response={200: OrderOut, **ERROR_401, **ERROR_404, **ERROR_409},
    operation_id="orders_cancel_part",
    summary="Cancel one vendor's part before it ships",
)
def cancel_part(request, number: str, part_id: int):
    """Cancel one vendor part of a paid order that has not shipped: its stock returns and its lines and shipping
    fee are refunded through the original payment (owed by transfer for a bank transfer). 409 `invalid_state` once
    shipped. The order becomes refunded when nothing is left of it."""
    order = _own_order(request.auth, number)
    part = order.vendor_orders.filter(pk=part_id).first()
    if part is None:
        raise DomainError(MarketplaceCode.ORDER_NOT_FOUND, number=number)
    services.cancel_vendor_part(part, user=request.auth)
    return _order_out(Order.objects.get(pk=order.pk))


# -- after-sale requests (售后) ---------------------------------------------------------------------------------


class AfterSaleLineIn(Schema):
    line: StrictInt = Field(description="Order line id (of the vendor part)", ge=1, le=MAX_DB_INT)
    quantity: StrictInt = Field(description="Units asked for, at most bought less refunded or already asked for")


class AfterSaleIn(Schema):
    kind: str = Field(description="refund (仅退款) or return (退货退款)", examples=["refund"])
    reason: str = Field(
        description="quality, damaged, wrong_item, not_as_described, not_received or other", examples=["quality"]
    )
    note: str = Field("", max_length=500)
    lines: list[AfterSaleLineIn] = Field(min_length=1, max_length=100)


class ReturnShipmentIn(Schema):
    carrier: str = Field(description="A carrier code from the carriers list (sf, zto …) or its name")
    tracking_number: str = Field(max_length=60)


class AcceptIn(Schema):
    return_address: str = Field("", max_length=300, description="Required to accept a return")


class RefuseIn(Schema):
    reason: str = Field(max_length=500)


class AfterSaleLineOut(Schema):
    line: int
    name: str
    quantity: int
    unit_price: Money


class AfterSaleOut(Schema):
    id: int
    order: str = Field(description="Order number")
    vendor_order: int
    vendor_name: str
    kind: str
    reason: str
    note: str
    status: str = Field(
        description="requested, accepted, return_shipped, refused, escalated, refunding, refunded, closed or withdrawn"
    )
    status_label: str
    amount: Money = Field(
        description="What the request refunds at most: its lines (and the shipping fee when it "
        "covers the rest of the part)"
    )
    refunded_amount: Money
    vendor_note: str
    return_address: str
    return_carrier: str
    return_tracking_number: str
    staff_note: str
    created_at: datetime
    answer_due_at: datetime
    lines: list[AfterSaleLineOut]
    photos: int = Field(description="How many photos came with the request (sent through the web form)")


def _after_sale_out(row):
    return {
        "id": row.pk,
        "order": row.order.number,
        "vendor_order": row.vendor_order_id,
        "vendor_name": row.vendor_order.vendor_name,
        "kind": row.kind,
        "reason": row.reason,
        "note": row.note,
        "status": row.status,
        "status_label": str(row.get_status_display()),
        "amount": money(row.amount),
        "refunded_amount": money(row.refunded_amount),
        "vendor_note": row.vendor_note,
        "return_address": row.return_address,
        "return_carrier": row.return_carrier,
        "return_tracking_number": row.return_tracking_number,
        "staff_note": row.staff_note,
        "created_at": row.created_at,
        "answer_due_at": row.answer_due_at,
        "lines": [
            {
                "line": line.order_line_id,
                "name": line.order_line.name,
                "quantity": line.quantity,
                "unit_price": money(line.order_line.unit_price),
            }
            for line in row.lines.select_related("order_line")
        ],
        "photos": row.photos.count(),
    }


def _not_found():
    return DomainError(MarketplaceCode.AFTER_SALE_NOT_FOUND)


def _buyers_request(user, pk):
    row = AfterSaleRequest.objects.select_related("order", "vendor_order").filter(pk=pk, order__buyer=user).first()
    if row is None:
        raise _not_found()
    return row


def _vendors_request(user, pk):
    row = AfterSaleRequest.objects.select_related("order", "vendor_order").filter(pk=pk).first()
    if row is None or not (after_sale.is_vendor_member(user, row.vendor_order) or after_sale.is_after_sale_staff(user)):
        raise _not_found()
    return row


@router.get(
    "orders/{number}/after-sale/",
    response={200: list[AfterSaleOut], **ERROR_401, **ERROR_404},
    operation_id="after_sale_list",
    summary="The after-sale requests of one of the buyer's orders",
)
def list_after_sales(request, number: str):
    order = _own_order(request.auth, number)
    return [_after_sale_out(row) for row in after_sale.requests_for_order(order)]


@router.post(
    "orders/{number}/parts/{part_id}/after-sale/",
    response={201: AfterSaleOut, **ERROR_400, **ERROR_401, **ERROR_403, **ERROR_404, **ERROR_409},
    operation_id="after_sale_create",
    summary="Ask for a refund or a return of lines of one vendor part (申请售后)",
)
def create_after_sale(request, number: str, part_id: int, payload: AfterSaleIn):
    """After the part shipped, and up to ORDER_AFTER_SALE_DAYS after receipt was confirmed: 409
    `after_sale_window_closed` otherwise. 400 `invalid_quantity` for more than was bought (less refunded or
    already asked for). Photos are sent through the web form."""
    order = _own_order(request.auth, number)
    part = order.vendor_orders.filter(pk=part_id).first()
    if part is None:
        raise DomainError(MarketplaceCode.ORDER_NOT_FOUND, number=number)
    quantities = {}
    for item in payload.lines:
        quantities[item.line] = quantities.get(item.line, 0) + item.quantity
    row = after_sale.create_request(
        part,
        user=request.auth,
        kind=payload.kind,
        reason=payload.reason,
        quantities=quantities,
        note=payload.note,
    )
    return Status(201, _after_sale_out(row))


@router.post(
    "after-sale/{pk}/withdraw/",
    response={200: AfterSaleOut, **ERROR_401, **ERROR_404, **ERROR_409},
    operation_id="after_sale_withdraw",
    summary="The buyer withdraws an open request",
)
def withdraw_after_sale(request, pk: int):
    return _after_sale_out(after_sale.withdraw(_buyers_request(request.auth, pk), user=request.auth))


@router.post(
    "after-sale/{pk}/escalate/",
    response={200: AfterSaleOut, **ERROR_401, **ERROR_404, **ERROR_409},
    operation_id="after_sale_escalate",
    summary="The buyer asks the platform to decide (after a refusal, or a return the vendor has not settled)",
)
def escalate_after_sale(request, pk: int):
    return _after_sale_out(after_sale.escalate(_buyers_request(request.auth, pk), user=request.auth))


@router.post(
    "after-sale/{pk}/return/",
    response={200: AfterSaleOut, **ERROR_400, **ERROR_401, **ERROR_404, **ERROR_409},
    operation_id="after_sale_return",
    summary="The buyer sends the goods of an accepted return back",
)
def return_after_sale(request, pk: int, payload: ReturnShipmentIn):
    row = after_sale.ship_return(
        _buyers_request(request.auth, pk),
        user=request.auth,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )
    return _after_sale_out(row)


@router.get(
    "vendor/after-sale/",
    response={200: list[AfterSaleOut], **ERROR_401},
    operation_id="after_sale_vendor_list",
    summary="The after-sale requests on the caller's vendors' parts, newest first",
)
def vendor_after_sales(request):
    from ..models import VendorMember

    vendor_ids = VendorMember.objects.filter(user=request.auth).values_list("vendor_id", flat=True)
    rows = (
        AfterSaleRequest.objects.filter(vendor_order__vendor_id__in=vendor_ids)
        .select_related("order", "vendor_order")
        .order_by("-created_at", "-pk")[:100]
    )
    return [_after_sale_out(row) for row in rows]


@router.post(
    "after-sale/{pk}/accept/",
    response={200: AfterSaleOut, **ERROR_400, **ERROR_401, **ERROR_404, **ERROR_409},
    operation_id="after_sale_accept",
    summary="The vendor accepts: a refund only is refunded now, a return waits for the goods",
)
def accept_after_sale(request, pk: int, payload: AcceptIn):
    row = after_sale.accept(
        _vendors_request(request.auth, pk), user=request.auth, return_address=payload.return_address
    )
    return _after_sale_out(row)


@router.post(
    "after-sale/{pk}/refuse/",
    response={200: AfterSaleOut, **ERROR_400, **ERROR_401, **ERROR_404, **ERROR_409},
    operation_id="after_sale_refuse",
    summary="The vendor refuses, with a reason",
)
def refuse_after_sale(request, pk: int, payload: RefuseIn):
    return _after_sale_out(
        after_sale.refuse(_vendors_request(request.auth, pk), user=request.auth, reason=payload.reason)
    )
