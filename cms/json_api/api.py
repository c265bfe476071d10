"""The NinjaAPI instance behind /api/: transactions for the mini-program and mobile clients.

Apps add their routers in config/urls.py with `mount(...)` (cms never imports them itself); a refused operation
(cms.errors.DomainError) answers as JSON with the status from the error table (`errors.install`).
"""

import functools

from django.utils import translation
from django.utils.cache import patch_vary_headers
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from . import errors
from .auth import session_auth, token_auth

DESCRIPTION = """
Orders and the cart for 山海集市 (later: fair registrations, check-in, stall bookings).

**Authentication**: `Authorization: Bearer <token>` with a token from the account page or
`manage.py create_api_token <username>`; or the site's session cookie (unsafe methods then need the CSRF token).

**Errors** are JSON `{"code", "message", "field", "errors"}`; `message` is in the request's language
(`Accept-Language`, or `?lang=zh-hans` / `?lang=en`). Money is a string with two decimals, in CNY.

**Idempotency**: send `X-Idempotency-Key` with `POST /api/orders/`; a retry with the same key returns the
first order instead of placing a second one.
"""


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


def request_language(request):
    """`?lang=en` / `?lang=zh-hans`, else the language cookie or Accept-Language, else Chinese.

    LocaleMiddleware cannot decide for /api/: with unprefixed Chinese URLs (prefix_default_language=False)
    it takes every path without a language prefix as Chinese.
    """
    code = request.GET.get("lang")
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return translation.get_language_from_request(request, check_path=False)


def with_request_language(run):
    """Run the operation (auth and errors included) in the request's language; say so in Content-Language."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        language = request_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = run(request, *args, **kwargs)
        response["Content-Language"] = language
        patch_vary_headers(response, ["Accept-Language"])
        return response

    return wrapper


api = NinjaAPI(
    title="山海集市 API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="json_api",
    auth=[token_auth, session_auth],
    renderer=Renderer(),
    # Swagger UI from ninja's bundled static files ("ninja" is in INSTALLED_APPS), no CDN; no online validator badge.
    docs=Swagger(settings={"persistAuthorization": True, "validatorUrl": None}),
    openapi_extra={"info": {"contact": {"name": "山海集市"}}},
)
api.add_decorator(with_request_language, mode="view")
errors.install(api)


def trusted_answer(request, status, data):
    """`data` rendered as the API renders an endpoint's answer, without validating it against the response schema
    first: for a hot endpoint whose answer the endpoint itself builds, from values already in their final form
    (money as strings, aware datetimes), to the documented schema (a test checks each such answer validates).
    Validating the answer of a placed order was a twentieth of its CPU."""
    return api.create_response(request, data, status=status)


_mounted = set()


def mount(*routers):
    """Add the routers (prefix, router) once each and return the URL patterns for `path("api/", …)`."""
    for prefix, router in routers:
        if id(router) not in _mounted:
            api.add_router(prefix, router)
            _mounted.add(id(router))
    return api.urls
