"""The sitemap in sections: /sitemap.xml is an index, each section is paginated (/sitemap-<section>.xml?p=N).

One response listing every page took seconds at 10,000 products. Now each sitemap page lists at most
`URLS_PER_PAGE` pages in a fixed number of queries (the count, view restrictions, the rows, and one
query per page type on that page when a section mixes types), and the index costs two per section.
Sections are composed in config/urls.py: a big page type gets its own section, loaded as that type.

Each section's count and latest change scan all its pages (100,000 products), so they are kept in the shell
cache (cms.shell_cache), which every publish, unpublish, move or delete of a page renews: the index then
costs no query per section, and is never staler than the last commit that changed a page.
"""

from django.core.paginator import Paginator
from django.db.models import Max
from django.db.models.functions import Coalesce
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from . import shell_cache

URLS_PER_PAGE = 1000


class PageSitemap(Sitemap):
    """Live, public pages of the request's site in tree order, as Wagtail's sitemap lists them.

    `model`: only pages of this type, loaded as that type (no per-type queries). `exclude`: page types
    left to other sections.
    """

    limit = URLS_PER_PAGE
    model = None
    exclude = ()

    def pages(self):
        pages = (self.model or Page).objects.descendant_of(self.get_wagtail_site().root_page, inclusive=True)
        pages = pages.live().public()
        if self.exclude:
            pages = pages.not_type(*self.exclude)
        return pages

    def items(self):
        pages = self.pages().order_by("path")
        if self.model is None:
            pages = pages.defer_streamfields().specific()
        return pages

    def _cache_parts(self, what):
        return ("sitemap", what, type(self).__module__, type(self).__qualname__, self.get_wagtail_site().pk)

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item of the section; one aggregate does the same, once per
        # shell-cache version (publishing changes it). An empty section caches "" for None.
        def latest():
            value = Coalesce("last_published_at", "latest_revision_created_at")
            return self.pages().order_by().aggregate(latest=Max(value))["latest"] or ""

        return shell_cache.get_or_set(self._cache_parts("lastmod"), latest) or None

    @property
    def paginator(self):
        return _CachedCountPaginator(self._items(), self.limit)


class _CachedCountPaginator(Paginator):
    """Django's paginator, counting a queryset once per shell-cache version (see the module docstring)."""

    @property
    def count(self):
        if "count" not in self.__dict__:
            items = self.object_list
            self.__dict__["count"] = shell_cache.count(items) if hasattr(items, "query") else len(items)
        return self.__dict__["count"]
