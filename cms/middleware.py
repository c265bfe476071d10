import re

from django.conf import settings
from django.db import DatabaseError
from django.utils import translation
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
