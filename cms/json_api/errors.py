"""Errors as JSON: `{"code", "message", "field", "errors"}`, with the HTTP status chosen here, in one place.

Services raise MarketplaceError-like exceptions (anything with `.message`, `.code` and `.field`); the status
comes from STATUS_BY_CODE, so every endpoint answers the same code with the same status.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .auth import CsrfFailed

STATUS_BY_CODE = {
    # 400: the request asks for something that cannot be done as asked.
    "invalid": 400,
    "invalid_quantity": 400,
    "below_minimum": 400,
    "not_for_sale_to_buyer": 400,
    "unavailable": 400,
    "price_changed": 400,
    "empty_cart": 400,
    "invalid_payment_method": 400,
    "address_required": 400,
    "unknown_product": 400,
    "unknown_address": 400,
    "not_delivered": 400,
    "invalid_address": 400,
    "amount_mismatch": 400,
    "invalid_photo": 400,
    "too_many_photos": 400,
    "tracking_required": 400,
    "unknown_carrier": 400,
    "invalid_rating": 400,
    # 401/403: who is asking, and whether they may.
    "unauthorized": 401,
    "forbidden": 403,
    "csrf_failed": 403,
    # 404: unknown, or not the caller's (the two look the same on purpose).
    "not_found": 404,
    # 409: the request was fine but the state of things says no.
    "out_of_stock": 409,
    "invalid_state": 409,
    "not_shipped": 409,
    "use_inspection": 409,
    "after_sale_window_closed": 409,
    "not_received": 409,
    "already_reviewed": 409,
    "already_replied": 409,
    # The same idempotency key with a different request (as Stripe answers it).
    "idempotency_mismatch": 422,
    # Payment service trouble.
    "payment_failed": 402,
    "payments_unavailable": 503,
    # Our fault (cms.views.server_error answers it for every /api/ path).
    "server_error": 500,
}
DEFAULT_STATUS = 400


def status_for(code):
    return STATUS_BY_CODE.get(code, DEFAULT_STATUS)


def error_body(code, message, field=None, errors=None):
    return {"code": code, "message": str(message), "field": field, "errors": errors}


def _field_name(loc):
    """('body', 'payload', 'lines', 0, 'quantity') → 'lines.0.quantity'; ('query', 'page') → 'page'."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form", "file"):
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
    return ".".join(str(p) for p in parts) or None


def _validation_message(error, field):
    kind = error.get("type", "")
    if field and field.split(".")[-1] == "quantity":
        return "invalid_quantity", _("Quantities must be whole numbers.")
    if kind == "missing":
        return "invalid", _("This field is required.")
    if kind == "json_invalid":
        return "invalid", _("The request body is not valid JSON.")
    return "invalid", _("Enter a valid value.")


def handle_validation_error(api, request, exc):
    details = []
    first = None
    for error in exc.errors:
        field = _field_name(error.get("loc", ()))
        code, message = _validation_message(error, field)
        details.append({"field": field, "message": error.get("msg", "")})
        if first is None:
            first = (code, message, field)
    code, message, field = first or ("invalid", _("Enter a valid value."), None)
    return api.create_response(request, error_body(code, message, field, details), status=400)


def handle_domain_error(api, request, exc):
    code = getattr(exc, "code", None) or "invalid"
    return api.create_response(
        request, error_body(code, exc.message, getattr(exc, "field", None)), status=status_for(code)
    )


def handle_authentication_error(api, request, exc):
    response = api.create_response(
        request,
        error_body("unauthorized", _("Log in, or send a valid API token in the header Authorization: Bearer <token>.")),
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def handle_csrf_failed(api, request, exc):
    return api.create_response(
        request, error_body("csrf_failed", _("CSRF verification failed. Request aborted.")), status=403
    )


def handle_not_found(api, request, exc):
    return api.create_response(request, error_body("not_found", _("Not found.")), status=404)


def handle_http_error(api, request, exc):
    status = exc.status_code
    code = {400: "invalid", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 429: "throttled"}.get(
        status, "error"
    )
    return api.create_response(request, error_body(code, str(exc)), status=status)


def install(api):
    """Register the handlers on a NinjaAPI."""
    api.add_exception_handler(ValidationError, lambda request, exc: handle_validation_error(api, request, exc))
    api.add_exception_handler(AuthenticationError, lambda request, exc: handle_authentication_error(api, request, exc))
    api.add_exception_handler(CsrfFailed, lambda request, exc: handle_csrf_failed(api, request, exc))
    api.add_exception_handler(HttpError, lambda request, exc: handle_http_error(api, request, exc))
    api.add_exception_handler(Http404, lambda request, exc: handle_not_found(api, request, exc))
