"""Stalls in the JSON API: a vendor's stall booking (the stall map is events.fairs.api's). Thin callers of
events.stalls.services.

Mounted on cms.json_api's NinjaAPI in config/urls.py. Errors are DomainError, answered as JSON
(`{"code", "message", "field", "errors"}`) with the status from the error table (events.errors: 400 bad input,
403 not a vendor, 404 unknown, 409 the stall is taken or the state says no, 429 with Retry-After).
"""

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from cms.errors import DomainError
from cms.json_api.schemas import ERROR_400, ERROR_401, ERROR_403, ERROR_404, ERROR_409
from events.errors import EventsCode
from events.models import AddOn, FairPage, Stall
from events.stalls import services

router = Router(tags=["fairs"])


class BookingIn(Schema):
    stall: int = Field(description="Stall id")
    vendor: int | None = Field(None, description="Vendor page id; may be left out when the caller has one vendor")
    addons: list[int] = Field(default_factory=list, max_length=20)
    payment_method: str = Field(
        "bank_transfer",
        description="For a stall with a fee: bank_transfer, or alipay, wechat_pay or card when online payment is "
        "configured (else 400 `invalid_payment_method`, nothing booked)",
        examples=["bank_transfer"],
    )


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
        raise DomainError(EventsCode.NOT_VENDOR, field="vendor")
    stall = Stall.objects.filter(pk=payload.stall).first()
    if stall is None:
        raise DomainError(EventsCode.STALL_NOT_FOUND, field="stall")
    addons = list(AddOn.objects.filter(pk__in=payload.addons))
    if len(addons) != len(set(payload.addons)):
        raise DomainError(EventsCode.ADDON_NOT_OFFERED, field="addons")
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
