"""Canteen units in the JSON API (/api/canteen/…): thin callers of canteen.services.

Mounted at /api/canteen/ in config/urls.py beside checkout's router, so it shares the API's auth and error handling.
Another unit's orders or pages answer 404 `not_found`, like unknown ones.
"""

import datetime
from datetime import date

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictInt

from cms.errors import CommonCode, DomainError
from cms.json_api import idempotency
from cms.json_api.schemas import (
    ERROR_400,
    ERROR_401,
    ERROR_403,
    ERROR_404,
    ERROR_409,
    Money,
    money,
)
from marketplace.errors import MarketplaceCode

from ..checkout.models import Order, PaymentMethod
from ..checkout.services import LineRequest
from . import services
from .models import BuyerUnit, UnitMember

router = Router(tags=["canteen"])


class UnitOut(Schema):
    id: int
    name: str
    status: str
    roles: list[str]
    approval_threshold: Money


class MonthOut(Schema):
    month: int
    spend: Money
    mountain: Money
    other: Money


class CountyOut(Schema):
    county: int | None
    name: str
    amount: Money
    mountain: Money


class ShareOut(Schema):
    year: int
    unit: int | None = Field(description="The unit, or null for all units (staff)")
    spend: Money = Field(description="Spend on the platform this year (placed, not cancelled, refunds taken off)")
    mountain: Money = Field(description="Of which produce from counties on the mountain list on the order date")
    other: Money
    budget: Money | None
    target_share: str | None = Field(description='Target share of the budget, e.g. "0.100"')
    target_amount: Money | None
    share_of_budget: str | None = Field(description='mountain / budget, e.g. "0.0430"')
    progress: str | None = Field(description='mountain / target amount, e.g. "0.4300" (1 = reached)')
    months: list[MonthOut]
    counties: list[CountyOut]


class UnitOrderOut(Schema):
    number: str
    status: str
    status_display: str
    total: Money
    buyer: str
    placed_at: datetime.datetime
    requested_delivery_date: date | None
    delivery_window: str
    purchase_order_number: str
    canteen: str
    approved_by: str | None
    vendor_parts: list[dict]


class UnitLineIn(Schema):
    product: StrictInt
    quantity: StrictInt


class UnitOrderIn(Schema):
    lines: list[UnitLineIn] = Field(max_length=200)
    address_id: int = Field(description="Id of one of the unit's canteen addresses")
    delivery_date: date
    delivery_window: str = Field("", max_length=20)
    purchase_order_number: str = Field("", max_length=40)
    payment_method: str = Field(PaymentMethod.BANK_TRANSFER, examples=["bank_transfer"])
    note: str = Field("", max_length=200)


class RejectIn(Schema):
    reason: str = Field("", max_length=200)


class ReceiptIn(Schema):
    note: str = Field("", max_length=500, description="Shortfalls or quality problems")


class BudgetIn(Schema):
    year: StrictInt = Field(description="Calendar year, 2000–2100")
    food_budget: str = Field(description='The year\'s canteen food budget in CNY, e.g. "120000.00"')
    target_share: str = Field("0.100", description="Target share of the budget for mountain produce, 0–1")


class BudgetOut(Schema):
    unit: int
    year: int
    food_budget: Money
    target_share: str


class ReorderIn(Schema):
    delivery_date: date
    delivery_window: str | None = Field(None, max_length=20, description="Default: the original order's")
    purchase_order_number: str = Field("", max_length=40)
    idempotency_key: str = Field("", max_length=80, description="Send the same key again to get the same order")


def _opt(value):
    return None if value is None else str(value)


def _share_out(share, unit):
    return {
        "year": share.year,
        "unit": unit.pk if unit else None,
        "spend": money(share.spend),
        "mountain": money(share.mountain),
        "other": money(share.other),
        "freight": money(share.freight),
        "budget": money(share.budget) if share.budget is not None else None,
        "target_share": _opt(share.target_share),
        "target_amount": money(share.target_amount) if share.target_amount is not None else None,
        "share_of_budget": _opt(share.share_of_budget),
        "progress": _opt(share.progress),
        "months": [
            {
                "month": m["month"],
                "spend": money(m["spend"]),
                "mountain": money(m["mountain"]),
                "other": money(m["other"]),
                "freight": money(m["freight"]),
            }
            for m in share.months
        ],
        "counties": [
            {
                "county": row["county"].pk if row["county"] else None,
                "name": str(row["name"]),
                "amount": money(row["amount"]),
                "mountain": money(row["mountain"]),
            }
            for row in share.counties
        ],
    }


def _order_out(order):
    return {
        "number": order.number,
        "status": order.status,
        "status_display": str(order.get_status_display()),
        "total": money(order.total),
        "buyer": order.buyer.get_username(),
        "placed_at": order.placed_at,
        "requested_delivery_date": order.requested_delivery_date,
        "delivery_window": order.delivery_window,
        "purchase_order_number": order.purchase_order_number,
        "canteen": order.canteen_name,
        "approved_by": order.approved_by.get_username() if order.approved_by_id else None,
        "vendor_parts": [
            {
                "id": part.pk,
                "vendor_name": part.vendor_name,
                "status": part.status,
                "subtotal": money(part.subtotal),
                "shipping_fee": money(part.shipping_fee),
                "invoice_state": part.invoice_state,
                "invoice_number": part.invoice_number,
                "invoice_date": part.invoice_date.isoformat() if part.invoice_date else None,
                "received_at": part.received_at.isoformat() if part.received_at else None,
                "inspection_note": part.inspection_note,
            }
            for part in order.vendor_orders.all()
        ],
    }


def _member_unit(user, unit_id, *roles):
    unit = BuyerUnit.objects.filter(pk=unit_id).first()
    have = services.roles_of(user, unit) if unit else set()
    if not have or (roles and not have & set(roles)):
        raise DomainError(MarketplaceCode.UNIT_NOT_FOUND)
    return unit


def _year(year):
    return year or timezone.localdate().year


@router.get("units/", response={200: list[UnitOut], **ERROR_401}, operation_id="canteen_units", summary="My units")
def list_units(request):
    """The buyer units the caller belongs to, with the caller's roles in each."""
    units = {}
    for member in UnitMember.objects.filter(user=request.auth).select_related("unit").order_by("unit__name"):
        units.setdefault(member.unit, []).append(member.role)
    return [
        {
            "id": unit.pk,
            "name": unit.name,
            "status": unit.status,
            "roles": roles,
            "approval_threshold": money(unit.approval_threshold),
        }
        for unit, roles in units.items()
    ]


@router.get(
    "units/{unit_id}/share/",
    response={200: ShareOut, **ERROR_401, **ERROR_404},
    operation_id="canteen_share",
    summary="A unit's 消费帮扶 share",
)
def unit_share(request, unit_id: int, year: int | None = Query(None, ge=2000, le=2100)):  # noqa: B008
    """The year's spend, the part on mountain-county produce, share of budget and progress, by month and county."""
    unit = _member_unit(request.auth, unit_id)
    return _share_out(services.compute_share(_year(year), unit), unit)


@router.get(
    "share/",
    response={200: ShareOut, **ERROR_401, **ERROR_404},
    operation_id="canteen_share_all",
    summary="The 消费帮扶 share of all units (staff)",
)
def all_share(request, year: int | None = Query(None, ge=2000, le=2100)):  # noqa: B008
    if not request.auth.is_staff:
        raise DomainError(CommonCode.NOT_FOUND)
    return _share_out(services.compute_share(_year(year)), None)


@router.get(
    "units/{unit_id}/orders/",
    response={200: list[UnitOrderOut], **ERROR_401, **ERROR_404},
    operation_id="canteen_orders",
    summary="A unit's orders",
)
def unit_orders(request, unit_id: int, status: Query[str | None] = None):
    """The unit's orders, newest first (at most 100); `status=awaiting_approval` for the approval queue."""
    unit = _member_unit(request.auth, unit_id)
    orders = services.unit_orders(unit).select_related("approved_by")
    if status:
        orders = orders.filter(status=status)
    return [_order_out(order) for order in orders.order_by("-placed_at", "-pk")[:100]]


@router.post(
    "units/{unit_id}/orders/",
    response={200: UnitOrderOut, 201: UnitOrderOut, **ERROR_400, **ERROR_401, **ERROR_404, **ERROR_409},
    operation_id="canteen_orders_create",
    summary="Place an order on behalf of a unit",
)
def create_unit_order(
    request,
    unit_id: int,
    payload: UnitOrderIn,
    idempotency_key: idempotency.IdempotencyKeyHeader = None,
):
    """Above the unit's approval threshold the order answers `awaiting_approval` and holds its stock."""
    unit = _member_unit(request.auth, unit_id)
    key = idempotency.clean_key(idempotency_key)
    retried = bool(key) and Order.objects.filter(buyer=request.auth, idempotency_key=key).exists()
    address = unit.addresses.filter(pk=payload.address_id).first()
    if address is None:
        raise DomainError(MarketplaceCode.CANTEEN_ADDRESS_INVALID, field="address_id")
    order = services.place_unit_order(
        user=request.auth,
        unit=unit,
        lines=[LineRequest(line.product, line.quantity) for line in payload.lines],
        delivery=services.Delivery(
            address=address,
            date=payload.delivery_date,
            window=payload.delivery_window,
            purchase_order_number=payload.purchase_order_number,
        ),
        payment_method=payload.payment_method,
        note=payload.note,
        idempotency_key=key,
        idempotency_fingerprint=idempotency.request_fingerprint(payload),
    )
    return Status(200 if retried else 201, _order_out(order))


@router.get(
    "orders/{number}/",
    response={200: UnitOrderOut, **ERROR_401, **ERROR_404},
    operation_id="canteen_order_get",
    summary="One unit order",
)
def get_unit_order(request, number: str):
    return _order_out(services.get_unit_order(request.auth, number))


@router.post(
    "orders/{number}/approve/",
    response={200: UnitOrderOut, **ERROR_401, **ERROR_404, **ERROR_409},
    operation_id="canteen_order_approve",
    summary="Approve a unit order",
)
def approve(request, number: str):
    """An approver of the unit (never the buyer who placed it) sends the order on to the vendors."""
    order = services.approve_order(services.get_unit_order(request.auth, number), user=request.auth)
    return _order_out(Order.objects.get(pk=order.pk))


@router.post(
    "orders/{number}/reject/",
    response={200: UnitOrderOut, **ERROR_401, **ERROR_404, **ERROR_409},
    operation_id="canteen_order_reject",
    summary="Reject a unit order",
)
def reject(request, number: str, payload: RejectIn):
    order = services.reject_order(
        services.get_unit_order(request.auth, number), user=request.auth, reason=payload.reason
    )
    return _order_out(Order.objects.get(pk=order.pk))


@router.post(
    "orders/{number}/parts/{part_id}/receive/",
    response={200: UnitOrderOut, **ERROR_401, **ERROR_404, **ERROR_409},
    operation_id="canteen_order_receive",
    summary="Confirm receipt of one vendor's delivery",
)
def receive(request, number: str, part_id: int, payload: ReceiptIn):
    order = services.get_unit_order(request.auth, number)
    part = order.vendor_orders.filter(pk=part_id).first()
    if part is None:
        raise DomainError(MarketplaceCode.UNIT_ORDER_NOT_FOUND)
    services.confirm_receipt(part, user=request.auth, note=payload.note)
    return _order_out(Order.objects.get(pk=order.pk))


def _unit_part(request, number, part_id):
    order = services.get_unit_order(request.auth, number)
    part = order.vendor_orders.filter(pk=part_id).first()
    if part is None:
        raise DomainError(MarketplaceCode.UNIT_ORDER_NOT_FOUND)
    return order, part


@router.post(
    "orders/{number}/parts/{part_id}/invoice-request/",
    response={200: UnitOrderOut, **ERROR_401, **ERROR_403, **ERROR_404, **ERROR_409},
    operation_id="canteen_order_invoice_request",
    summary="Ask one vendor for the invoice (发票)",
)
def invoice_request(request, number: str, part_id: int):
    """A buyer or finance member asks the vendor of this part for its invoice; a second request answers 409."""
    order, part = _unit_part(request, number, part_id)
    services.request_invoice(part, user=request.auth)
    return _order_out(Order.objects.get(pk=order.pk))


@router.post(
    "orders/{number}/reorder/",
    response={201: UnitOrderOut, **ERROR_400, **ERROR_401, **ERROR_403, **ERROR_404, **ERROR_409},
    operation_id="canteen_order_reorder",
    summary="Order the same again",
)
def reorder(request, number: str, payload: ReorderIn):
    """The same products and quantities for the same canteen, at today's prices, as a new order of the unit."""
    order = services.get_unit_order(request.auth, number)
    new = services.reorder(
        order,
        user=request.auth,
        delivery_date=payload.delivery_date,
        delivery_window=payload.delivery_window,
        purchase_order_number=payload.purchase_order_number,
        idempotency_key=payload.idempotency_key,
    )
    return Status(201, _order_out(Order.objects.get(pk=new.pk)))


def _budget(request, unit_id, payload):
    unit = _member_unit(request.auth, unit_id)
    budget = services.set_annual_budget(unit, payload.year, payload.food_budget, payload.target_share, request.auth)
    return {
        "unit": unit.pk,
        "year": budget.year,
        "food_budget": money(budget.food_budget),
        "target_share": str(budget.target_share),
    }


@router.put(
    "units/{unit_id}/budget/",
    response={200: BudgetOut, **ERROR_400, **ERROR_401, **ERROR_403, **ERROR_404},
    operation_id="canteen_budget_put",
    summary="Set a unit's annual budget",
)
def put_budget(request, unit_id: int, payload: BudgetIn):
    """A finance or approver member records the year's canteen food budget and target share (0–1)."""
    return _budget(request, unit_id, payload)


@router.post(
    "units/{unit_id}/budget/",
    response={200: BudgetOut, **ERROR_400, **ERROR_401, **ERROR_403, **ERROR_404},
    operation_id="canteen_budget_post",
    summary="Set a unit's annual budget (POST)",
)
def post_budget(request, unit_id: int, payload: BudgetIn):
    """The same as PUT, for clients that only POST."""
    return _budget(request, unit_id, payload)
