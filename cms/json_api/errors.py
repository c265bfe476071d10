"""Errors as JSON: `{"code", "message", "field", "errors"}`.

A refused operation is a cms.errors.DomainError: its code's row in the error table (cms.errors and each app's
errors module) gives the message and the HTTP status, so every endpoint answers a code with its row's status.
"""

from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from cms.errors import CommonCode, DomainError

from .auth import CsrfFailed


def error_body(code, message, field=None, errors=None):
    return {"code": str(code), "message": str(message), "field": field, "errors": errors}


def table_response(api, request, code, field=None, errors=None, **params):
    """The answer for an ErrorCode member from the table, with its status."""
    return handle_domain_error(api, request, DomainError(code, field, **params), errors=errors)


def _field_name(loc):
    """('body', 'payload', 'lines', 0, 'quantity') → 'lines.0.quantity'; ('query', 'page') → 'page'."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form", "file"):
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
    return ".".join(str(p) for p in parts) or None


def _validation_code(error, field):
    kind = error.get("type", "")
    if field and field.split(".")[-1] == "quantity":
        return CommonCode.QUANTITY_NOT_WHOLE
    if kind == "missing":
        return CommonCode.FIELD_REQUIRED
    if kind == "json_invalid":
        return CommonCode.INVALID_JSON
    return CommonCode.INVALID


def handle_validation_error(api, request, exc):
    details = []
    first = None
    for error in exc.errors:
        field = _field_name(error.get("loc", ()))
        details.append({"field": field, "message": error.get("msg", "")})
        if first is None:
            first = (_validation_code(error, field), field)
    code, field = first or (CommonCode.INVALID, None)
    return table_response(api, request, code, field, errors=details)


def handle_domain_error(api, request, exc, errors=None):
    response = api.create_response(
        request, error_body(exc.code.value, exc.message, exc.field, errors), status=exc.status
    )
    if exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    if exc.status == 409:
        # A conflict (sold out, an order no longer in that state) is an answer the API means to give, many times a
        # second in a rush: Django's "Conflict: /api/…" warning per answer would only repeat it (about a
        # fifteenth of a refused order's CPU). Other 4xx answers are still logged.
        response._has_been_logged = True
    return response


def handle_authentication_error(api, request, exc):
    response = table_response(api, request, CommonCode.UNAUTHORIZED)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def handle_csrf_failed(api, request, exc):
    return table_response(api, request, CommonCode.CSRF_FAILED)


def handle_not_found(api, request, exc):
    return table_response(api, request, CommonCode.NOT_FOUND)


def handle_http_error(api, request, exc):
    status = exc.status_code
    code = {400: "invalid", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 429: "throttled"}.get(
        status, "error"
    )
    return api.create_response(request, error_body(code, str(exc)), status=status)


def install(api):
    """Register the handlers on a NinjaAPI."""
    api.add_exception_handler(DomainError, lambda request, exc: handle_domain_error(api, request, exc))
    api.add_exception_handler(ValidationError, lambda request, exc: handle_validation_error(api, request, exc))
    api.add_exception_handler(AuthenticationError, lambda request, exc: handle_authentication_error(api, request, exc))
    api.add_exception_handler(CsrfFailed, lambda request, exc: handle_csrf_failed(api, request, exc))
    api.add_exception_handler(HttpError, lambda request, exc: handle_http_error(api, request, exc))
    api.add_exception_handler(Http404, lambda request, exc: handle_not_found(api, request, exc))
