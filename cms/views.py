import re
import sys

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views import defaults
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from .errors import CommonCode


@never_cache
def readiness(request):
    """What is up and what is down, for the proxy and for people: the database (503 when it is down: nothing
    but cached pages can be served) and the shared cache (200 when only it is down: pages render uncached,
    sessions come from the database)."""
    checks = {"database": _database_state(), "cache": _cache_state()}
    healthy = all(state == "ok" for state in checks.values())
    body = {"status": "ok" if healthy else "degraded", **checks}
    if checks["database"] != "ok":
        body["status"] = "down"
    return JsonResponse(body, status=503 if body["status"] == "down" else 200)


def _database_state():
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database error means it cannot serve
        return "down"
    return "ok"


def _cache_state():
    from django.core.cache import cache

    client = getattr(cache, "_cache", None)
    if client is None or not hasattr(client, "get_client"):
        return "ok"  # a local-memory cache is always there
    try:
        client.get_client().ping()
    except Exception:  # redis-py's connection and timeout errors
        return "down"
    return "ok"


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /django-admin/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


API_PATH = re.compile(r"^/api/")


def _api_error(request, code):
    """The JSON answer for an ErrorCode member from the error table, in the request's language."""
    from cms.json_api.api import request_language

    language = request_language(request)
    with translation.override(language):
        body = {"code": code.value, "message": str(code.message), "field": None, "errors": None}
    response = JsonResponse(body, status=code.status, json_dumps_params={"ensure_ascii": False})
    response["Content-Language"] = language
    return response


def page_not_found(request, exception):
    """Django's 404 page; JSON for an unknown path under /api/."""
    if API_PATH.match(request.path):
        return _api_error(request, CommonCode.NOT_FOUND)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500 page rendered without context processors, which may be what failed; JSON for the APIs (/api/…,
    /api/v2/…), in the shape of every other API error. The database being unreachable is an outage, not a
    bug: 503 with Retry-After (JSON under the APIs) so that clients and proxies retry."""
    from django.db import InterfaceError, OperationalError

    outage = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    if API_PATH.match(request.path):
        if outage:
            response = _api_error(request, CommonCode.SERVICE_UNAVAILABLE)
        else:
            response = _api_error(request, CommonCode.SERVER_ERROR)
    else:
        # The strict Content-Security-Policy allows the page's one <style> block by this response's nonce.
        try:
            nonce = str(request.csp_nonce)
        except Exception:  # no CSP middleware on this request, or its header is written already
            nonce = ""
        # An outage gets its own page ("briefly unavailable, try again"), not "server error".
        template = "503.html" if outage else "500.html"
        response = render(request, template, {"csp_nonce": nonce}, status=503 if outage else 500, using=None)
    if outage:
        response["Retry-After"] = "30"
    return response
