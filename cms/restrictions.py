"""Which pages the public may see, for page querysets, in one cheap query."""

from django.db.models import Q
from wagtail.models import Page, PageViewRestriction


def public(pages, restricted_paths=None):
    """Wagtail's `.public()`: pages with no view restriction on themselves or an ancestor.

    Wagtail reads the restrictions joined to their pages, which SQLite plans as a scan of every page
    when the restriction table is empty or small (25 ms at 100,000 products); reading the restricted
    pages' paths by id is one query that touches only those pages. A caller that holds those paths already
    (`cms.page_cache.restricted_paths()`, kept under the page cache's versions) passes them: no query.
    """
    restricted = restricted_paths
    if restricted is None:
        restricted = Page.objects.filter(pk__in=PageViewRestriction.objects.values("page_id")).values_list(
            "path", flat=True
        )
    condition = Q()
    for path in restricted:
        condition &= ~Q(path__startswith=path)
    return pages.filter(condition)
