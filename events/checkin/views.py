"""The door staff's pages: the check-in URL in a ticket's QR code and the staff check-in page with the day's
counts. Thin callers of events.checkin.services."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cms.errors import DomainError
from events.checkin import services as checkin_services
from events.checkin.forms import CheckInForm
from events.errors import EventsCode
from events.models import Registration
from events.pages import fair_view
from events.registration import services as ticketing

RESULT_COLOURS = {
    "valid": "green",
    "already": "amber",
    "wrong_fair": "red",
    "wrong_day": "red",
    "wrong_slot": "red",
    "cancelled": "red",
    "not_confirmed": "red",
    "unknown": "red",
}


def _need_staff(request, fair):
    if not ticketing.can_check_in(request.user, fair):
        return HttpResponseForbidden(_("You do not have the check-in role for this fair."))
    return None


@never_cache
@login_required
def checkin_code(request, code):
    """Where a phone camera lands after scanning a ticket: the staff check-in page for that ticket. Anyone
    without the check-in role (the visitor included) sees only a login page or a refusal, never the ticket."""
    registration = Registration.objects.select_related("fair").filter(ticket_code=code).first()
    fairs = ticketing.checkin_fairs(request.user)
    if not fairs.exists():
        return HttpResponseForbidden(_("You do not have the check-in role for this fair."))
    fair = registration.fair if registration and fairs.filter(pk=registration.fair_id).exists() else fairs.first()
    return _checkin_page(request, fair.specific, code=code)


@fair_view
@never_cache
@login_required
def checkin(request, fair):
    if request.GET.get("counts"):
        refusal = _need_staff(request, fair)  # the page asks on its own (_checkin_page): one query, not two
        if refusal:
            return refusal
        counts = checkin_services.checkin_counts(fair)
        return JsonResponse(
            {
                "total": counts["total"],
                "slots": [{"slot": str(r["slot"]), "checked_in": r["checked_in"]} for r in counts["slots"]],
            }
        )
    return _checkin_page(request, fair)


def _checkin_page(request, fair, code=None):
    refusal = _need_staff(request, fair)
    if refusal:
        return refusal
    result = throttled = None
    form = CheckInForm(request.POST or None, initial={"code": code} if code else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = checkin_services.check_in(fair=fair, code=form.cleaned_data["code"], user=request.user)
        except DomainError as exc:
            if exc.code is not EventsCode.CHECKIN_THROTTLED:
                return HttpResponseForbidden(exc.message)
            throttled = exc
        else:
            form = CheckInForm()
    response = TemplateResponse(
        request,
        "events/checkin.html",
        {
            "page": fair,
            "fair": fair,
            "form": form,
            "pending_code": code if request.method != "POST" else None,
            "result": result,
            "throttled": throttled,
            "colour": RESULT_COLOURS.get(result.kind) if result else None,
            "counts": checkin_services.checkin_counts(fair),
            "action": reverse("fair_checkin", args=[fair.slug]),
        },
        status=429 if throttled else 200,
    )
    if throttled:
        response["Retry-After"] = str(throttled.retry_after)
    return response
