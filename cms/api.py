"""Wagtail API v2 at /api/v2/ for content: pages (filter with ?type=app.Model), images, documents.

Search (`?search=`) goes through the site's Chinese-aware search backend (cms.search), so
`?type=marketplace.ProductPage&search=胡柚` works as on the site.

Images and documents: only those in public collections. Anything in a collection with a view restriction (the
private collection of receipt photos and invoices among them, cms.private_media) or stored in the private area
is neither listed nor shown by id.
"""

from django.db.models import QuerySet
from wagtail.api.querysets import get_public_pages_queryset
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError, page_models_from_string
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from . import shell_cache
from .private_media import public_media_filter
from .validators import MAX_DB_INT


class _CachedCount:
    """A queryset whose count() comes from the shell cache (see BoundedPagination); everything else is its own."""

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self):
        return shell_cache.count(self.queryset)

    def __getitem__(self, item):
        return self.queryset[item]


class BoundedPagination(WagtailPagination):
    """Wagtail's offset/limit pagination, refusing an offset no database can take (400, not 500), with a total
    that is not counted on every request.

    `meta.total_count` of a list is counted once and then kept until the next publish, unpublish, move or delete
    of a page, and for a minute at most (cms.shell_cache.count): without that, every request to a list of
    100,000 products counted them all. So a total is exact for what publishing changes (which pages are live,
    their fields), and lags by a minute at most where a filter reads other rows. A `search` list counts its
    ranked matches (on PostgreSQL at most cms.search.SEARCH_CANDIDATES)."""

    def paginate_queryset(self, queryset, request, view=None):
        offset = request.GET.get("offset", "0")
        if offset.isdigit() and int(offset) > MAX_DB_INT:
            raise BadRequestError(f"offset cannot be higher than {MAX_DB_INT}")
        if isinstance(queryset, QuerySet):
            queryset = _CachedCount(queryset)
        return super().paginate_queryset(queryset, request, view)


class SitePagesAPIViewSet(PagesAPIViewSet):
    """Pages, each type loading what its API fields need in a fixed number of queries.

    A page model may define `api_queryset(queryset)` (a classmethod) to join or prefetch the relations
    its API fields read; without it, listing N products would cost a few queries per product.
    """

    pagination_class = BoundedPagination

    def get_queryset(self):
        models = self._requested_models()
        if len(models) == 1:
            # Wagtail filters the type's rows by `pk IN (every live public page's id)`, which PostgreSQL answers
            # by reading every live page (180 ms at 10,000 products); the same conditions on the type's own
            # queryset let it walk the tree index and stop after one page of results.
            try:
                queryset = get_public_pages_queryset(self.request, model=models[0])
            except ValueError as exc:
                raise BadRequestError(str(exc)) from exc
        else:
            queryset = super().get_queryset()
        optimise = getattr(queryset.model, "api_queryset", None)
        return optimise(queryset) if optimise else queryset

    def _requested_models(self):
        models_type = self.request.GET.get("type")
        try:
            return page_models_from_string(models_type) if models_type else []
        except (LookupError, ValueError):
            return []  # Wagtail's get_queryset answers 400


class PublicImagesAPIViewSet(ImagesAPIViewSet):
    pagination_class = BoundedPagination

    def get_queryset(self):
        return public_media_filter(super().get_queryset())


class PublicDocumentsAPIViewSet(DocumentsAPIViewSet):
    pagination_class = BoundedPagination

    def get_queryset(self):
        return public_media_filter(super().get_queryset())


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", SitePagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
