"""Fairs in the JSON API: the stall map of a fair and a vendor's stall booking. Thin callers of events.services.

Mounted on cms.json_api's NinjaAPI in cms/urls.py. Errors are EventsError, answered as JSON
(`{"code", "message", "field", "errors"}`) with the status from STATUS_BY_CODE below, falling back to
cms.json_api.errors (400 bad input, 403 not a vendor, 404 unknown, 409 the stall is taken or the state says no).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from cms.json_api import api
from cms.json_api import errors as api_errors
from cms.json_api.schemas import ERROR_400, ERROR_401, ERROR_403, ERROR_404, ERROR_409

from . import services
from .models import AddOn, FairPage, Stall
from .services import EventsError
from .views import stall_map

STATUS_BY_CODE = {
    "stall_taken": 409,
    "already_booked": 409,
    "already_applied": 409,
    "fair_cancelled": 409,
    "fair_closed": 409,
    "outside_window": 409,
    "review_only": 409,
    "stall_blocked": 409,
    "not_vendor": 403,
    "wrong_fair": 400,
}


def _handle(request, exc):
    code = exc.code or "invalid"
    status = STATUS_BY_CODE.get(code) or api_errors.status_for(code)
    return api.create_response(request, api_errors.error_body(code, exc.message, exc.field), status=status)


api.add_exception_handler(EventsError, _handle)

router = Router(tags=["fairs"])


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


class BookingIn(Schema):
    stall: int = Field(description="Stall id")
    vendor: int | None = Field(None, description="Vendor page id; may be left out when the caller has one vendor")
    addons: list[int] = Field(default_factory=list, max_length=20)
    payment_method: str = Field("bank_transfer", examples=["bank_transfer"])


class OrderRef(Schema):
    number: str
    status: str
    total: str
    payment_due_at: str | None
    payment_reference: str | None


class BookingOut(Schema):
    id: int
    fair: int
    stall: str
    vendor: int
    status: str
    fee: str
    hold_until: str | None
    order: OrderRef | None


def _fair(fair_id):
    return get_object_or_404(FairPage.objects.live().public(), pk=fair_id)


@router.get(
    "fairs/{fair_id}/stalls/",
    response={200: StallMapOut, **ERROR_404},
    auth=None,
    operation_id="fair_stalls",
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


@router.post(
    "fairs/{fair_id}/stall-bookings/",
    response={201: BookingOut, **ERROR_400, **ERROR_401, **ERROR_403, **ERROR_404, **ERROR_409},
    operation_id="fair_stall_booking",
    summary="Book a stall (vendors)",
)
def book_stall(request, fair_id: int, payload: BookingIn):
    """First-come self-booking of an available stall for one of the caller's vendors. Returns the booking and
    the fee order to pay (none for a free stall). 409 `stall_taken` when someone else has the stall."""
    fair = _fair(fair_id)
    vendors = services.vendors_of(request.auth)
    if payload.vendor is not None:
        vendor = vendors.filter(pk=payload.vendor).first()
    else:
        vendor = vendors.first() if vendors.count() == 1 else None
    if vendor is None:
        raise EventsError(
            _("Only vendors can apply for stalls; log in with your vendor account."), code="not_vendor", field="vendor"
        )
    stall = Stall.objects.filter(pk=payload.stall).first()
    if stall is None:
        raise EventsError(_("That stall does not exist."), code="not_found", field="stall")
    addons = list(AddOn.objects.filter(pk__in=payload.addons))
    if len(addons) != len(set(payload.addons)):
        raise EventsError(_("An add-on is not offered at this fair."), code="invalid", field="addons")
    booking = services.self_book(
        fair=fair, vendor=vendor, user=request.auth, stall=stall, addons=addons, payment_method=payload.payment_method
    )
    order = booking.order
    return Status(
        201,
        {
            "id": booking.pk,
            "fair": fair.pk,
            "stall": stall.code,
            "vendor": vendor.pk,
            "status": booking.status,
            "fee": f"{booking.fee:.2f}",
            "hold_until": booking.hold_until.isoformat() if booking.hold_until else None,
            "order": {
                "number": order.number,
                "status": order.status,
                "total": f"{order.total:.2f}",
                "payment_due_at": order.payment_due_at.isoformat() if order.payment_due_at else None,
                "payment_reference": order.payment_reference,
            }
            if order
            else None,
        },
    )
