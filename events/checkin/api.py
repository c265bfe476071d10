"""Check-in in the JSON API: door staff scan or type a ticket code. Thin caller of events.checkin.services;
errors answer as events.stalls.api's do (the status from events.errors)."""

from ninja import Field, Router, Schema

from cms.json_api.schemas import ERROR_401, ERROR_403, ERROR_404, Error
from events.checkin import services as checkin_services
from events.stalls.api import _fair

router = Router(tags=["fairs"])
ERROR_429 = {429: Error}


class CheckInIn(Schema):
    fair: int = Field(description="The fair the staff member works at")
    code: str = Field(
        max_length=300,
        description="The scanned content (check-in URL), the ticket code, or the typed short code (ABCD-EFGH; any "
        "case, spaces and dashes ignored; looked up within `fair` only)",
    )


class CheckInOut(Schema):
    result: str = Field(
        description="valid, already, wrong_fair, wrong_day, wrong_slot, cancelled, not_confirmed or unknown"
    )
    message: str
    name: str | None
    people: int | None
    slot: str | None
    checked_in_at: str | None
    checked_in_by: str | None


@router.post(
    "checkin/",
    response={200: CheckInOut, **ERROR_401, **ERROR_403, **ERROR_404, **ERROR_429},
    operation_id="checkin",
    summary="Check a ticket in (door staff)",
)
def checkin(request, payload: CheckInIn):
    """Staff with the check-in role for the fair only (403 `forbidden` otherwise). Every scan answers 200 with
    the result kind; only `valid` checks the ticket in, and a ticket is checked in once however many scan it.
    Typed short codes are rate-limited per staff account: 429 `rate_limited` with a Retry-After header (seconds)."""
    fair = _fair(payload.fair)
    result = checkin_services.check_in(fair=fair, code=payload.code, user=request.auth)
    reg, last = result.registration, result.checkin
    show = reg is not None and result.kind != "wrong_fair"
    return {
        "result": result.kind,
        "message": str(result.message),
        "name": reg.name if show else None,
        "people": reg.people if show else None,
        "slot": str(reg.slot) if show and reg.slot_id else None,
        "checked_in_at": last.at.isoformat() if last else None,
        "checked_in_by": last.by.get_username() if last and last.by else None,
    }
