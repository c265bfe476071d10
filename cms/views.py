import re

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
def healthz(request):
    """Liveness check for the proxy, and the benchmark's floor: no database, no template."""
    return HttpResponse(b"ok", content_type="text/plain")


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


def _api_error(request, code, message, status):
    from cms.json_api.api import request_language

    language = request_language(request)
    with translation.override(language):
        body = {"code": code, "message": str(message), "field": None, "errors": None}
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Content-Language"] = language
    return response


def page_not_found(request, exception):
    """Django's 404 page; JSON for an unknown path under /api/."""
    if API_PATH.match(request.path):
        return _api_error(request, "not_found", gettext_lazy("Not found."), 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500 page rendered without context processors, which may be what failed; JSON for the APIs (/api/…,
    /api/v2/…), in the shape of every other API error."""
    if API_PATH.match(request.path):
        return _api_error(
            request, "server_error", gettext_lazy("Something went wrong on our side. Please try again later."), 500
        )
    # The strict Content-Security-Policy allows the page's one <style> block by this response's nonce.
    try:
        nonce = str(request.csp_nonce)
    except Exception:  # no CSP middleware on this request, or its header is written already
        nonce = ""
    return render(request, "500.html", {"csp_nonce": nonce}, status=500, using=None)
