"""Visitor registrations in the JSON API: register (no account needed, free or paid tickets), read and cancel a
registration by its manage secret. Thin callers of events.registration.services; errors answer as
events.stalls.api's do (the status from events.errors).
"""

from django.conf import settings
from django.db import transaction
from ninja import Field, Router, Schema, Status

from cms import privacy, throttle
from cms.errors import DomainError
from cms.json_api import idempotency
from cms.json_api.auth import session_auth, token_auth
from cms.json_api.schemas import ERROR_400, ERROR_401, ERROR_403, ERROR_404, ERROR_409, Error
from cms.models import Consent
from events.errors import EventsCode
from events.models import Registration, TicketType, TimeSlot
from events.registration import services as ticketing
from events.registration.tickets import manage_url, qr_path
from events.stalls.api import _fair
from marketplace.checkout.order_access import order_access_url

router = Router(tags=["fairs"])


class Anonymous:
    """Lets a visitor without an account call an endpoint; a token or session user still counts when given."""

    def __call__(self, request):
        return "anonymous"


anonymous = Anonymous()


class RegistrationIn(Schema):
    ticket_type: int = Field(description="Ticket type id (see the fair's ticket types)")
    slot: int | None = Field(None, description="Time slot id; required when the ticket type needs one")
    name: str = Field(max_length=60, examples=["张三"])
    phone: str = Field(max_length=20, description="Mainland China mobile number", examples=["13812345678"])
    email: str = Field("", max_length=254)
    people: int = Field(1, description="1 … the ticket type's per-person limit")
    attendees: list[str] = Field(default_factory=list, max_length=50, description="Every attendee's name, or none")
    join_waitlist: bool = Field(True, description="When full: join the waiting list (else 409 `full`)")
    payment_method: str = Field(
        "",
        description="For paid tickets: bank_transfer, or alipay, wechat_pay or card when online payment is "
        "configured (else 400 `invalid_payment_method`, nothing held). Empty: bank transfer without online "
        "payment, else the site's first method",
        examples=["bank_transfer"],
    )
    consent: bool = Field(
        False,
        description="The visitor has read and agrees to the privacy notice (/privacy/); recorded with the "
        "notice's version. Required: false answers 400 `consent_required` and registers nothing",
    )


class RegistrationOut(Schema):
    id: int
    fair: int
    status: str = Field(description="confirmed, held (pay the order), waitlisted, offered, cancelled, released, lapsed")
    code: str = Field(description="The ticket code (what the QR code carries); present once confirmed")
    short_code: str = Field(
        description="The 8-character code door staff can type, grouped as ABCD-EFGH; present once confirmed"
    )
    secret: str = Field(description="Manage secret: GET / DELETE /api/registrations/{secret}/. Keep it private.")
    qr_url: str | None = Field(description="SVG QR code of the ticket, once confirmed")
    manage_url: str
    ticket_type: str
    slot: str | None
    people: int
    order: str | None = Field(description="Order number to pay (paid tickets)")
    order_status: str | None = Field(description="The order's status (pending_payment, paid, cancelled, …)")
    payment_url: str | None = Field(
        description="Page to pay the order and see its status (paid tickets). Without an account it carries the "
        "order's private access token: keep it private."
    )


def _registration_out(reg):
    confirmed = reg.status == Registration.Status.CONFIRMED
    return {
        "id": reg.pk,
        "fair": reg.fair_id,
        "status": reg.status,
        "code": reg.ticket_code if confirmed else "",
        "short_code": reg.grouped_short_code if confirmed else "",
        "secret": reg.manage_key,
        "qr_url": qr_path(reg) if confirmed else None,
        "manage_url": manage_url(reg),
        "ticket_type": reg.ticket_type.name,
        "slot": str(reg.slot) if reg.slot_id else None,
        "people": reg.people,
        "order": reg.order.number if reg.order_id else None,
        "order_status": reg.order.status if reg.order_id else None,
        "payment_url": order_access_url(reg.order) if reg.order_id else None,
    }


@router.post(
    "fairs/{fair_id}/registrations/",
    response={
        200: RegistrationOut,
        201: RegistrationOut,
        **ERROR_400,
        **ERROR_401,
        **ERROR_403,
        **ERROR_404,
        **ERROR_409,
        422: Error,
    },
    auth=[token_auth, session_auth, anonymous],
    operation_id="fair_register",
    summary="Register visitors for a fair",
)
def register(request, fair_id: int, payload: RegistrationIn, idempotency_key: idempotency.IdempotencyKeyHeader = None):
    """No account needed, for free or paid tickets. Answers `confirmed` (free), `held` (pay `order`) or `waitlisted`;
    409 `full` when the slot is full and there is no waiting list (or `join_waitlist` is false); 409 `phone_limit`
    when the mobile number has its ticket type's number of active registrations in the slot already. Without an
    account, calls are limited per address (EVENTS_REGISTER_API_RATE, 20 in 10 minutes): 429 `rate_limited` with
    Retry-After. With `X-Idempotency-Key`, a retry with the same key and body answers 200 with the registration the
    first call made (no further places held); the same key with another body answers 422 `idempotency_mismatch`.
    Keys are per account, or shared by all callers without one: use a long random key (a UUID)."""
    key = idempotency.clean_key(idempotency_key)
    user = request.auth if getattr(request.auth, "is_authenticated", False) else None
    if user is None:
        # Anonymous clients cannot answer the web form's picture challenge: a plain limit per address instead.
        rate = getattr(settings, "EVENTS_REGISTER_API_RATE", "20/10m")
        retry_after = throttle.count_attempt(request, "events.register.api", rate)
        if retry_after:
            raise DomainError(EventsCode.REGISTRATION_THROTTLED, seconds=retry_after)
    fair = _fair(fair_id)
    ticket_type = TicketType.objects.filter(pk=payload.ticket_type).first()
    if ticket_type is None:
        raise DomainError(EventsCode.TICKET_TYPE_NOT_AT_FAIR, field="ticket_type")
    slot = None
    if payload.slot is not None:
        slot = TimeSlot.objects.filter(pk=payload.slot).first()
        if slot is None:
            raise DomainError(EventsCode.SLOT_NOT_AT_FAIR, field="slot")
    if not payload.consent:
        raise DomainError(EventsCode.CONSENT_REQUIRED, field="consent")
    with transaction.atomic():
        reg = ticketing.register(
            fair=fair,
            user=user,
            request=ticketing.RegistrationRequest(
                ticket_type=ticket_type,
                slot=slot,
                name=payload.name,
                phone=payload.phone,
                email=payload.email,
                people=payload.people,
                attendees=payload.attendees,
                join_waitlist=payload.join_waitlist,
                payment_method=payload.payment_method,
            ),
            idempotency_key=key,
            idempotency_fingerprint=idempotency.request_fingerprint(payload),
        )
        if reg.replayed:
            return Status(200, _registration_out(reg))
        privacy.record_consent(
            purpose=Consent.Purpose.FAIR_REGISTRATION,
            user=user,
            subject=f"{ticketing.REFERENCE_PREFIX}{reg.pk}",
            request=request,
        )
    return Status(201, _registration_out(reg))


def _by_secret(secret):
    reg = Registration.objects.select_related("fair", "ticket_type", "slot", "order").filter(manage_key=secret).first()
    if reg is None:
        raise DomainError(EventsCode.REGISTRATION_NOT_FOUND)
    return reg


@router.get(
    "registrations/{secret}/",
    response={200: RegistrationOut, **ERROR_404},
    auth=None,
    operation_id="registration_get",
    summary="A registration by its manage secret",
)
def get_registration(request, secret: str):
    return _registration_out(_by_secret(secret))


@router.delete(
    "registrations/{secret}/",
    response={200: RegistrationOut, **ERROR_404, **ERROR_409},
    auth=None,
    operation_id="registration_cancel",
    summary="Cancel a registration by its manage secret",
)
def cancel_registration(request, secret: str):
    """The places go to the waiting list. 409 `invalid_state` when it is already cancelled."""
    reg = ticketing.cancel(_by_secret(secret))
    return _registration_out(Registration.objects.select_related("fair", "ticket_type", "slot", "order").get(pk=reg.pk))
