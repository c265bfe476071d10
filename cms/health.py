"""Liveness: /healthz, answered by the URLconf and, before the rest of the middleware, by
cms.page_cache.FastPathMiddleware (which must not import cms.views: that would close an import cycle)."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request):
    """Liveness check for the proxy, and the benchmark's floor: no database, no template."""
    return HttpResponse(b"ok", content_type="text/plain")
