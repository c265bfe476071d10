"""People's catalogue pages: the vendor list, the product listing with filters, county pages, search.

Thin views: they read query parameters through a form, ask the catalogue queries in `catalogue.py`
for a page of results and render it.
"""

import contextlib
import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.models import Site

from cms import page_cache, shell_cache
from cms import search as cms_search
from cms.models import County, MountainSeaPair
from cms.page_cache import cacheable_view
from cms.page_routes import serve_under

from . import catalogue
from .forms import ProductFilterForm, VendorFilterForm
from .models import VendorIndexPage, audiences_for

PRODUCTS_PER_PAGE = 24
VENDORS_PER_PAGE = 24
COUNT_CACHE_SECONDS = 60


class CataloguePaginator(Paginator):
    """A paginator whose cost follows the page size rather than the catalogue, for querysets.

    - The count is cached for a minute, keyed by the query's SQL and the shell cache's version (which
      every publish, unpublish or move changes), so only stock-dependent counts ("in stock") may lag,
      and by a minute at most.
    - A page is found with a narrow query (ids only, joining just what the filters need) and then its
      rows, with everything the cards show, are loaded by id: sorting ten thousand ids is much cheaper
      than sorting ten thousand wide joined rows.
    Anything else (search results) is paginated as Django does.
    """

    @property
    def count(self):
        if "count" not in self.__dict__:
            self.__dict__["count"] = self._count()
        return self.__dict__["count"]

    def _count(self):
        if not isinstance(self.object_list, QuerySet):
            return Paginator.count.func(self)
        sql, params = self.object_list.order_by().query.sql_with_params()
        digest = hashlib.blake2b(repr((sql, params)).encode(), digest_size=16).hexdigest()
        key = f"market:count:{shell_cache.version()}:{digest}"
        count = cache.get(key)
        if count is None:
            count = self.object_list.count()
            cache.set(key, count, COUNT_CACHE_SECONDS)
        return count

    def _get_page(self, object_list, number, paginator):
        if isinstance(object_list, QuerySet) and isinstance(self.object_list, QuerySet):
            ids = list(object_list.values_list("pk", flat=True))
            rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)} if ids else {}
            object_list = [rows[pk] for pk in ids if pk in rows]
        return super()._get_page(object_list, number, paginator)


def _page_of(request, queryset, per_page):
    return CataloguePaginator(queryset, per_page).get_page(request.GET.get("page"))


def _query_without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _market(request):
    """The site's live market page (VendorIndexPage, one a site), the `page` of its listings; 404 without one."""
    site = Site.find_for_request(request)
    markets = VendorIndexPage.objects.live()
    market = (markets.in_site(site) if site else markets).first()
    if market is None:
        raise Http404
    return market


def market_view(view):
    """A view of the market page's listings: `view(request, market, ...)`, behind the page's view restrictions."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return serve_under(_market(request), request, view, *args, **kwargs)

    return cacheable_view(wrapper)


@market_view
def vendor_list(request, market):
    form = VendorFilterForm(request.GET or None)
    vendors = catalogue.visible_vendors()
    if form.is_valid():
        vendors = catalogue.filter_vendors(vendors, form.cleaned_data)
    context = {
        "page": market,
        "form": form,
        "vendors": _page_of(request, vendors, VENDORS_PER_PAGE),
        "query_string": _query_without_page(request),
    }
    return TemplateResponse(request, "marketplace/vendor_index_page.html", context)


@market_view
def product_list(request, market):
    form = ProductFilterForm(request.GET or None)
    products = catalogue.listing_products(request.user)
    if form.is_valid():
        products = catalogue.filter_products(products, form.cleaned_data)
        products = catalogue.sort_products(products, form.cleaned_data.get("sort"))
    else:
        products = catalogue.sort_products(products, None)
    context = {
        "page": market,
        "form": form,
        "products": _page_of(request, products, PRODUCTS_PER_PAGE),
        "query_string": _query_without_page(request),
    }
    return TemplateResponse(request, "marketplace/product_list.html", context)


@market_view
def county_detail(request, market, slug):
    county = get_object_or_404(County.objects.select_related("city"), slug=slug)
    pairs = MountainSeaPair.objects.filter(mountain_county=county) | MountainSeaPair.objects.filter(
        coastal_county=county
    )
    partners = [
        pair.coastal_county if pair.mountain_county_id == county.pk else pair.mountain_county
        for pair in pairs.select_related("mountain_county", "coastal_county")
    ]
    context = {
        "page": market,
        "county": county,
        "partners": partners,
        "is_mountain": county.is_mountain_now,
        "vendors": catalogue.visible_vendors().filter(county=county)[:VENDORS_PER_PAGE],
        "products": _page_of(
            request,
            catalogue.sort_products(catalogue.listing_products(request.user).filter(origin_county=county), None),
            PRODUCTS_PER_PAGE,
        ),
        "query_string": _query_without_page(request),
    }
    return TemplateResponse(request, "marketplace/county_page.html", context)


def _search_results(request, query):
    """The results part of the search page (vendors, the count, product cards, pagination) as HTML.

    Rendered once per query, page, language, site and kind of reader, and kept as long as the page cache keeps
    pages (`PAGE_CACHE_SECONDS`; 0 turns both off) under the page cache's versions, so that it is exactly as
    fresh as a cached page: a publish, unpublish, move, view restriction, taxonomy or stock state change makes
    new keys at once. Unlike the page cache it ignores query parameters other than `q` and `page`, so a search
    with a tracking or cache-busting parameter is not ranked and rendered again.

    The ranking gives the ids of the page's products and vendors; their cards are then loaded by id as the values a
    card shows (`catalogue.product_cards`, one query each), not as the search's full querysets, and written by
    marketplace.cards.
    """
    page_number = request.GET.get("page") or "1"
    seconds = page_cache.seconds()
    afresh = _searched_afresh(request)
    key = None
    if seconds > 0:
        parts = (
            query,
            page_number,
            get_language(),
            Site.find_for_request(request).pk,
            sorted(audiences_for(request.user)),
            page_cache.versions(),
        )
        key = "market:search:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
        html = None if afresh else cache.get(key)
        if html is not None:
            return mark_safe(html)
    with cms_search.rank_afresh() if afresh else contextlib.nullcontext():
        results = catalogue.search(query, request.user)
        products = Paginator(results["products"], PRODUCTS_PER_PAGE).get_page(page_number)
        products.object_list = catalogue.product_cards(cms_search.result_ids(products.object_list))
        vendors = catalogue.vendor_cards(cms_search.result_ids(results["vendors"]))
        context = {
            "query": query,
            "products": products,
            "vendors": vendors,
            "any_word": results["any_word"],
            "capped": results["capped"],
            # Pagination keeps the query only: any other parameter would be kept in the cached links.
            "query_string": urlencode({"q": query}),
        }
    html = render_to_string("marketplace/includes/search_results.html", context, request=request)
    if key:
        cache.set(key, html, seconds)
    return mark_safe(html)


# Sent by the bench's cold-search row (bench/README.md): rank and render as for a query nobody asked, without
# reading the kept results, ranking or cards. Honoured only where settings.SEARCH_AFRESH_HEADER is on (the bench's
# settings, bench/settings.py), never in production.
SEARCH_AFRESH_HEADER = "X-Bench-Search-Afresh"


def _searched_afresh(request):
    return bool(getattr(settings, "SEARCH_AFRESH_HEADER", False) and request.headers.get(SEARCH_AFRESH_HEADER))


@cacheable_view
def search(request):
    query = request.GET.get("q", "").strip()[:100]
    context = {
        "query": query,
        "results": _search_results(request, query) if query else None,
        "products": None,  # the results' cards are in `results` (HTML); None says no page of products here
    }
    return TemplateResponse(request, "marketplace/search_results.html", context)
