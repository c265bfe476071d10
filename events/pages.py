"""The fair index and fair pages behind events' ordinary URLs (events/urls.py): found by the request's site
and the fair's slug, with Wagtail's own view restrictions applied as when the page itself is served."""

import functools

from django.http import Http404
from wagtail.models import Site

from cms.page_routes import serve_under

from .models import FairIndexPage, FairPage


def _in_site(pages, request):
    site = Site.find_for_request(request)
    return pages.in_site(site) if site else pages


def fair_index(request):
    """The site's live fair index page (the `page` of the pages under it); 404 without one."""
    index = _in_site(FairIndexPage.objects.live(), request).order_by("path").first()
    if index is None:
        raise Http404
    return index


def fair_view(view):
    """A view of one fair: `view(request, fair, ...)` served at `…/<fair_slug>/…` for a live fair page of this
    site, behind the page's view restrictions (login, groups or password) exactly as the page is."""

    @functools.wraps(view)
    def wrapper(request, fair_slug, *args, **kwargs):
        fair = _in_site(FairPage.objects.live(), request).filter(slug=fair_slug).order_by("path").first()
        if fair is None:
            raise Http404
        return serve_under(fair, request, view, *args, **kwargs)

    return wrapper


def index_view(view):
    """A view under the fair index: `view(request, index, ...)` for this site's live fair index page, behind its
    view restrictions."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return serve_under(fair_index(request), request, view, *args, **kwargs)

    return wrapper
