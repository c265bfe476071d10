"""Wagtail API v2 at /api/v2/ for content: pages (filter with ?type=app.Model), images, documents.

Search (`?search=`) goes through the site's Chinese-aware search backend (cms.search), so
`?type=marketplace.ProductPage&search=胡柚` works as on the site.

Images and documents: only those in public collections. Anything in a collection with a view restriction (the
private collection of receipt photos and invoices among them, cms.private_media) or stored in the private area
is neither listed nor shown by id.
"""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from .private_media import public_media_filter


class SitePagesAPIViewSet(PagesAPIViewSet):
    """Pages, each type loading what its API fields need in a fixed number of queries.

    A page model may define `api_queryset(queryset)` (a classmethod) to join or prefetch the relations
    its API fields read; without it, listing N products would cost a few queries per product.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        optimise = getattr(queryset.model, "api_queryset", None)
        return optimise(queryset) if optimise else queryset


class PublicImagesAPIViewSet(ImagesAPIViewSet):
    def get_queryset(self):
        return public_media_filter(super().get_queryset())


class PublicDocumentsAPIViewSet(DocumentsAPIViewSet):
    def get_queryset(self):
        return public_media_filter(super().get_queryset())


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", SitePagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
