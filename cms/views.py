from django.http import HttpResponse
from django.shortcuts import render
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


def server_error(request):
    """500 page rendered without context processors, which may be what failed."""
    # The strict Content-Security-Policy allows the page's one <style> block by this response's nonce.
    try:
        nonce = str(request.csp_nonce)
    except Exception:  # no CSP middleware on this request, or its header is written already
        nonce = ""
    return render(request, "500.html", {"csp_nonce": nonce}, status=500, using=None)
