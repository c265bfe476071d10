import re

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.db import DatabaseError
from django.urls import get_resolver
from django.utils import translation
from django.utils.module_loading import import_string
from wagtail.models import Site

from cms import shell_cache


class CachedSiteMiddleware:
    """Find the request's Wagtail Site (with its root page) in the cache instead of the database.

    Wagtail looks the site up on every request and keeps it on `request._wagtail_site`; we fill that
    attribute first. The cache follows edits through the shell cache's version.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        host = request.get_host().split(":")[0] if request.META.get("HTTP_HOST") else request.META.get("SERVER_NAME")
        port = request.get_port()

        def find():
            site = Site.find_for_request(request)
            if site is not None:
                site.root_page  # noqa: B018  (load it now so the cached copy carries it)
            return site or False

        try:
            site = shell_cache.get_or_set(("site", host, port), find)
        except DatabaseError:
            # Database down: views that need the site fail on their own (503); /healthz/ready can still say so.
            site = None
        if site:
            request._wagtail_site = site
        return self.get_response(request)


class AdminLanguageMiddleware:
    """The Wagtail admin speaks the site's language (Chinese) unless the user chose another one.

    LocaleMiddleware takes the language of an unprefixed URL from the browser's Accept-Language, and
    Wagtail uses the active language for every admin user without a saved preference, so a vendor with
    an English browser got an English admin. Under the admin prefix we activate LANGUAGE_CODE instead;
    Wagtail still switches to the language saved in the user's account settings ("Preferred language").
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/admin/"

    def __call__(self, request):
        if request.path_info.startswith(self.prefix):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)


class BadInputMiddleware:
    """A number too large for the database (an id or page beyond 64 bits: OverflowError on SQLite, DataError
    such as "integer out of range" on PostgreSQL) is the request's fault: 400, JSON under /api/, never 500.

    The forms and API schemas bound what they accept; this is the safety net for what they do not see
    (path arguments such as `<int:pk>`, third-party views).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import DataError

        # Django's own words for a non-number given where an id is looked up (e.g. `<str:pk>` in Wagtail's
        # choosers): the request's fault too.
        bad_id = isinstance(exception, ValueError) and re.match(r"Field '\w+' expected a number", str(exception))
        if not (isinstance(exception, OverflowError | DataError) or bad_id):
            return None
        import logging

        from django.views.defaults import bad_request

        from cms.errors import CommonCode
        from cms.views import API_PATH, _api_error

        logging.getLogger(__name__).warning("Bad input refused: %s %s: %r", request.method, request.path, exception)
        if API_PATH.match(request.path):
            return _api_error(request, CommonCode.VALUE_OUT_OF_RANGE)
        return bad_request(request, exception)


API_PREFIX = "/api/"
NOT_THIS_API = ("/api/v2/",)  # Wagtail's content API: not token-authenticated, goes through the whole stack
SHORT_CHAIN = (
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)


def is_bearer_api_call(request):
    """A call to the JSON API that names a bearer token (good or bad: a bad one is answered 401 by the API)."""
    path = request.path_info
    if not path.startswith(API_PREFIX) or path.startswith(NOT_THIS_API):
        return False
    return request.META.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "


class BearerApiMiddleware:
    """A JSON API call with a bearer token goes through only the middleware it needs.

    Such a call is judged by its token alone (cms.json_api.auth): it reads no session, needs no CSRF token, no
    messages, no Wagtail site, no page cache, no redirects, and picks its language itself
    (cms.json_api.api.with_request_language).
    The whole stack cost a checkout-rush order two Redis round trips (the cached site) and about a tenth of its
    CPU. First in MIDDLEWARE, `BearerApiMiddleware` sends these calls through the security headers and
    X-Frame-Options, then straight to the URL's view; BadInputMiddleware's answer to an out-of-range number (400)
    still applies. Every other request (pages, the Wagtail API at /api/v2/, session calls to /api/) goes on through
    the whole stack.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.bad_input = BadInputMiddleware(None)
        handler = convert_exception_to_response(self._view)
        for path in reversed([path for path in settings.MIDDLEWARE if path in SHORT_CHAIN]):
            handler = convert_exception_to_response(import_string(path)(handler))
        self.short = handler

    def __call__(self, request):
        if is_bearer_api_call(request):
            return self.short(request)
        return self.get_response(request)

    def _view(self, request):
        """What Django's handler does for a view without view middleware: resolve the URL, call the view.
        An unknown URL raises Resolver404, answered by the project's 404 handler (JSON under /api/)."""
        match = get_resolver().resolve(request.path_info)
        request.resolver_match = match
        try:
            return match.func(request, *match.args, **match.kwargs)
        except Exception as exc:
            response = self.bad_input.process_exception(request, exc)
            if response is None:
                raise
            return response
