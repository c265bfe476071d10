"""A fair in the JSON API: its stall map (events.fairs.stall_map), and sales at the stall (the stall sales page's
offline queue and mobile clients), thin callers of events.fairs.stall_sales; errors answer as events.stalls.api's
do."""

import datetime
import uuid

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from cms.errors import DomainError
from cms.json_api.schemas import ERROR_400, ERROR_401, ERROR_403, ERROR_404, ERROR_409
from events.errors import EventsCode
from events.fairs import stall_sales
from events.fairs.models import StallSale
from events.fairs.stall_map import stall_map
from events.models import FairPage
from events.stalls.api import _fair

router = Router(tags=["fair sales"])


class StallOut(Schema):
    id: int
    code: str
    zone: str
    type: str
    size: str
    price: str
    utilities: str
    state: str = Field(description="available, held, booked or blocked")
    state_label: str
    exhibitor: str
    x: float
    y: float
    width: float
    height: float


class StallMapOut(Schema):
    fair: int
    title: str
    status: str
    self_booking: bool
    plan_width: int
    plan_height: int
    floor_plan_url: str | None
    stalls: list[StallOut]


@router.get(
    "fairs/{fair_id}/stalls/",
    response={200: StallMapOut, **ERROR_404},
    auth=None,
    operation_id="fair_stalls",
    tags=["fairs"],
    summary="A fair's stall map",
)
def fair_stalls(request, fair_id: int):
    """Every stall of a fair with its position on the floor plan (plan units) and state."""
    fair = _fair(fair_id)
    plan = fair.floor_plan.get_rendition("width-1200").url if fair.floor_plan else None
    rows = [
        {**{k: v for k, v in row.items() if k != "stall"}, "price": f"{row['price']:.2f}"} for row in stall_map(fair)
    ]
    return {
        "fair": fair.pk,
        "title": fair.title,
        "status": fair.status,
        "self_booking": fair.allows_self_booking,
        "plan_width": fair.plan_width,
        "plan_height": fair.plan_height,
        "floor_plan_url": plan,
        "stalls": rows,
    }


class SaleIn(Schema):
    client_id: uuid.UUID = Field(
        description="Made by the client (a UUID) when the sale is recorded, kept with it until the server has it: "
        "sending the same sale again returns the first one (200) instead of recording it twice"
    )
    vendor: int | None = Field(None, description="Vendor page id; may be left out when the caller has one vendor")
    product: int | None = Field(
        None, description="One of the vendor's product page ids; or leave out and name the item"
    )
    item_name: str = Field("", max_length=120, description="What was sold, when it is not a catalogue product")
    unit_price: str | None = Field(
        None, max_length=20, description='CNY, e.g. "12.50"; for a product left out: its price for the quantity'
    )
    quantity: int = Field(1, description="1 … 10000")
    payment: str = Field(description="wechat, alipay (the vendor's own code), cash or card", examples=["wechat"])
    sold_at: datetime.datetime | None = Field(
        None, description="When the sale was made (offline sales arrive later); default now"
    )


class SaleOut(Schema):
    id: int
    client_id: str
    fair: int
    vendor: int
    stall: str
    product: int | None
    item_name: str
    unit: str
    unit_price: str
    quantity: int
    amount: str
    payment: str
    status: str = Field(description="recorded or voided")
    sold_at: str
    stock_left: int | None = Field(description="The product's stock after the sale, when it tracks stock")


class VoidIn(Schema):
    reason: str = Field("", max_length=200)


def sale_out(sale):
    stock = None
    if sale.product_id and sale.product and sale.product.track_stock:
        sale.product.__dict__.pop("current_stock", None)
        stock = sale.product.current_stock
    return {
        "id": sale.pk,
        "client_id": str(sale.client_id),
        "fair": sale.fair_id,
        "vendor": sale.vendor_id,
        "stall": sale.stall.code,
        "product": sale.product_id,
        "item_name": sale.item_name,
        "unit": sale.unit,
        "unit_price": f"{sale.unit_price:.2f}",
        "quantity": sale.quantity,
        "amount": f"{sale.amount:.2f}",
        "payment": sale.payment,
        "status": sale.status,
        "sold_at": sale.sold_at.isoformat(),
        "stock_left": stock,
    }


def _vendor(request, fair, vendor_id):
    vendors = stall_sales.selling_vendors(request.auth, fair)
    if vendor_id is not None:
        vendor = vendors.filter(pk=vendor_id).first()
    else:
        vendor = vendors.first() if vendors.count() == 1 else None
    if vendor is None:
        raise DomainError(EventsCode.NO_STALL_FOR_SALES, field="vendor")
    return vendor


@router.post(
    "fairs/{fair_id}/sales/",
    response={200: SaleOut, 201: SaleOut, **ERROR_400, **ERROR_401, **ERROR_403, **ERROR_404, **ERROR_409},
    operation_id="fair_sale_record",
    summary="Record a sale at the stall (vendors)",
)
def record_sale(request, fair_id: int, payload: SaleIn):
    """A sale at the caller's confirmed stall, on a day of the fair (offline sales up to a day after it). 201 when
    recorded; 200 with the first sale when its `client_id` was recorded before (nothing moves twice). Stock
    moves when the product tracks it: 409 `out_of_stock` says what is left, and records nothing."""
    fair = get_object_or_404(FairPage.objects.live(), pk=fair_id)
    existing = StallSale.objects.filter(client_id=payload.client_id).select_related("vendor").first()
    vendor = existing.vendor if existing is not None else _vendor(request, fair, payload.vendor)
    if existing is not None and not stall_sales.may_record_for(request.auth, vendor):
        raise DomainError(EventsCode.NOT_VENDOR_MEMBER, field="vendor")
    sale, created = stall_sales.record_sale(
        fair=fair,
        vendor=vendor,
        user=request.auth,
        request=stall_sales.SaleRequest(
            client_id=payload.client_id,
            payment=payload.payment,
            quantity=payload.quantity,
            product_id=payload.product,
            item_name=payload.item_name,
            unit_price=payload.unit_price,
            sold_at=payload.sold_at,
        ),
    )
    sale = StallSale.objects.select_related("stall", "product").get(pk=sale.pk)
    return Status(201 if created else 200, sale_out(sale))


@router.get(
    "fairs/{fair_id}/sales/",
    response={200: list[SaleOut], **ERROR_401, **ERROR_403, **ERROR_404},
    operation_id="fair_sales_today",
    summary="Today's sales at the caller's stall",
)
def todays_sales(request, fair_id: int, vendor: int | None = None):
    fair = get_object_or_404(FairPage.objects.live(), pk=fair_id)
    vendor = _vendor(request, fair, vendor)
    sales = StallSale.objects.filter(pk__in=[s.pk for s in stall_sales.todays_sales(fair, vendor)])
    return [sale_out(s) for s in sales.select_related("stall", "product").order_by("-sold_at", "-pk")]


@router.post(
    "fairs/{fair_id}/sales/{client_id}/void/",
    response={200: SaleOut, **ERROR_400, **ERROR_401, **ERROR_403, **ERROR_404, **ERROR_409},
    operation_id="fair_sale_void",
    summary="Void a sale made today",
)
def void_sale(request, fair_id: int, client_id: uuid.UUID, payload: VoidIn):
    """Its units go back to stock; the organiser sees the void. 409 `invalid_state` for a voided sale or one of
    an earlier day."""
    sale = get_object_or_404(StallSale, fair_id=fair_id, client_id=client_id)
    if not stall_sales.may_record_for(request.auth, sale.vendor):
        raise DomainError(EventsCode.SALE_NOT_FOUND)
    sale = stall_sales.void_sale(sale, user=request.auth, reason=payload.reason)
    return sale_out(StallSale.objects.select_related("stall", "product").get(pk=sale.pk))
