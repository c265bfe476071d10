from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import views as sitemap_views
from wagtail.documents import urls as wagtaildocs_urls

from cms import health, private_media, views
from cms.api import api_router
from cms.json_api import mount as mount_json_api
from cms.page_cache import cacheable_view
from cms.sitemaps import PageSitemap
from events.agreements.api import router as events_agreements_api
from events.checkin.api import router as events_checkin_api
from events.fairs.api import router as events_sales_api
from events.registration.api import router as events_registration_api
from events.stalls.api import router as events_stalls_api
from marketplace.canteen.api import router as canteen_api
from marketplace.checkout.api import router as checkout_api
from marketplace.checkout.webhook import stripe_webhook
from marketplace.models import ProductPage
from marketplace.reviews.api import router as reviews_api


class ProductSitemap(PageSitemap):
    model = ProductPage


class OtherPagesSitemap(PageSitemap):
    exclude = (ProductPage,)


SITEMAPS = {"pages": OtherPagesSitemap, "products": ProductSitemap}

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("healthz/ready", views.readiness, name="readiness"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        cacheable_view(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml", cacheable_view(sitemap_views.sitemap), {"sitemaps": SITEMAPS}, name="sitemap-section"
    ),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("private-media/<path:name>", private_media.serve, name="private_media"),
    path("api/v2/", api_router.urls),
    path(
        "api/",
        mount_json_api(
            ("", checkout_api),
            ("canteen/", canteen_api),
            ("", reviews_api),
            ("", events_stalls_api),
            ("", events_registration_api),
            ("", events_checkin_api),
            ("", events_sales_api),
            ("", events_agreements_api),
        ),
    ),
    path("stripe/webhook/", stripe_webhook, name="stripe_webhook"),
    # The registration form's picture challenge (django-simple-captcha), served by this site.
    path("captcha/", include("captcha.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# People's pages: Chinese at /…, English at /en/….
urlpatterns += i18n_patterns(
    path("", include("cms.accounts.urls")),
    path("", include("cms.json_api.urls")),
    path("", include("marketplace.urls")),
    path("", include("events.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler404 = "cms.views.page_not_found"
handler500 = "cms.views.server_error"
