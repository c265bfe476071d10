"""Wagtail API v2 at /api/v2/ for content: pages (filter with ?type=app.Model), images, documents.

Search (`?search=`) goes through the site's Chinese-aware search backend (cms.search), so
`?type=marketplace.ProductPage&search=胡柚` works as on the site.

Images and documents: only those in public collections. Anything in a collection with a view restriction (the
private collection of receipt photos and invoices among them, cms.private_media) or stored in the private area
is neither listed nor shown by id.
"""

from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from .private_media import public_media_filter
from .validators import MAX_DB_INT


class BoundedPagination(WagtailPagination):
    """Wagtail's offset/limit pagination, refusing an offset no database can take (400, not 500)."""

    def paginate_queryset(self, queryset, request, view=None):
        offset = request.GET.get("offset", "0")
        if offset.isdigit() and int(offset) > MAX_DB_INT:
            raise BadRequestError(f"offset cannot be higher than {MAX_DB_INT}")
        return super().paginate_queryset(queryset, request, view)


class SitePagesAPIViewSet(PagesAPIViewSet):
    """Pages, each type loading what its API fields need in a fixed number of queries.

    A page model may define `api_queryset(queryset)` (a classmethod) to join or prefetch the relations
    its API fields read; without it, listing N products would cost a few queries per product.
    """

    pagination_class = BoundedPagination

    def get_queryset(self):
        queryset = super().get_queryset()
        optimise = getattr(queryset.model, "api_queryset", None)
        return optimise(queryset) if optimise else queryset


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
