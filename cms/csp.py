"""Content-Security-Policy (django-csp 4) for the whole site, with the few places it needs to differ.

The policy in settings.CONTENT_SECURITY_POLICY is strict: scripts only from this site or with the response's
nonce (`{{ request.csp_nonce }}`; the site's templates have no inline scripts or `on…=` handlers today), no
plugins, no framing, forms and <base> only to this site. This middleware adds, per request:

- Stripe's hosts (the origin of STRIPE_JS_URL, and for Stripe's own js.stripe.com the hosts Stripe.js talks to)
  only when Stripe is configured (STRIPE_PUBLISHABLE_KEY);
- for the back offices (/admin/ = Wagtail, /django-admin/) the relaxations they need: both ship inline
  scripts and inline style attributes in their own templates (Wagtail's admin does not support a nonce-only
  policy yet), and Wagtail's live preview frames a page of the same site. Only staff reach them after a login,
  and they keep default-src 'self', object-src 'none', base-uri and form-action 'self': nothing loads from
  another host there either.

A whole-page cache hit gets a fresh nonce: cms.page_cache stores a placeholder where the nonce was.
"""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware
from django.conf import settings

ADMIN_PREFIXES = ("/admin/", "/django-admin/")
STRIPE_HOSTS = {
    "script-src": ["https://js.stripe.com", "https://*.js.stripe.com"],
    "frame-src": ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
}
ADMIN_RELAXED = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "frame-ancestors": ["'self'"],
    "frame-src": ["'self'"],
}


def _origin(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def stripe_sources():
    """The extra sources the payment page needs, or {} when Stripe is not configured."""
    if not getattr(settings, "STRIPE_PUBLISHABLE_KEY", ""):
        return {}
    origin = _origin(getattr(settings, "STRIPE_JS_URL", ""))
    if origin == "https://js.stripe.com":
        return {name: list(hosts) for name, hosts in STRIPE_HOSTS.items()}
    return {"script-src": [origin], "frame-src": [origin], "connect-src": [origin]} if origin else {}


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        update = dict(parts.update or {})
        for name, sources in stripe_sources().items():
            update[name] = [*update.get(name, []), *sources]
        parts.update = update or None
        if request.path_info.startswith(ADMIN_PREFIXES):
            parts.replace = {**ADMIN_RELAXED, **(parts.replace or {})}
        return parts
