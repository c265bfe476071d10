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

The header is the same for every response of a kind (site or admin, with or without a nonce) but for the nonce,
so it is built once per kind and process and the nonce put in; a view that sets its own policy (django-csp's
decorators) or a report-only policy goes through django-csp's own per-response build.
"""

import base64
import os
from urllib.parse import urlsplit

from csp.middleware import HEADER, CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

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


NONCE_MARK = "__csp_nonce_mark__"
PER_VIEW = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)
_built = {}


@receiver(setting_changed, dispatch_uid="cms-csp-settings-changed")
def _forget_built(**kwargs):
    _built.clear()


def fast_policy_applies():
    """Whether a response without per-view CSP settings gets the policy built once (site_policy): not with a
    report-only policy, excluded prefixes or DEBUG, which go through django-csp's own per-response build."""
    return not (
        getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        or settings.CONTENT_SECURITY_POLICY.get("EXCLUDE_URL_PREFIXES")
        or settings.DEBUG
    )


def site_policy(admin, nonce):
    """The Content-Security-Policy header of a site (or, `admin`, back-office) response without per-view settings,
    with `nonce` put in (None: a response that used none). Built once per kind and process; also what a
    page-cache hit answered before Django's handler sends (cms.page_cache_wsgi)."""
    key = (admin, nonce is not None)
    policy = _built.get(key)
    if policy is None:
        parts = _with_site_sources(PolicyParts(nonce=NONCE_MARK if nonce is not None else None), admin)
        policy = _built[key] = build_policy(
            config=parts.config, update=parts.update, replace=parts.replace, nonce=parts.nonce
        )
    return policy.replace(NONCE_MARK, nonce) if policy and nonce is not None else policy


def make_nonce():
    """A nonce as django-csp makes it (CSPMiddleware._make_nonce)."""
    return base64.b64encode(os.urandom(16)).decode("ascii")


def _with_site_sources(parts, admin):
    update = dict(parts.update or {})
    for name, sources in stripe_sources().items():
        update[name] = [*update.get(name, []), *sources]
    parts.update = update or None
    if admin:
        parts.replace = {**ADMIN_RELAXED, **(parts.replace or {})}
    return parts


class SiteCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if HEADER in response or any(hasattr(response, name) for name in PER_VIEW) or not fast_policy_applies():
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        policy = site_policy(request.path_info.startswith(ADMIN_PREFIXES), nonce)
        if policy:
            response[HEADER] = policy
        if nonce is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        return _with_site_sources(parts, request.path_info.startswith(ADMIN_PREFIXES))
