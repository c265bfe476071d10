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

        site = shell_cache.get_or_set(("site", host, port), find)
        if site:
            request._wagtail_site = site
        return self.get_response(request)
