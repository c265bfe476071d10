from django.urls import include, path, re_path

from . import signup_views, views

# The market page (VendorIndexPage, slug "market") and its listings: ordinary URLs before Wagtail's page tree,
# cached for anonymous visitors like pages (cms.page_cache.cacheable_view). Vendor pages below it are Wagtail's.
urlpatterns = [
    path("market/", views.vendor_list, name="market_vendors"),
    path("market/products/", views.product_list, name="market_products"),
    re_path(r"^market/county/(?P<slug>[-\w]+)/$", views.county_detail, name="market_county"),
    path("search/", views.search, name="search"),
    path("vendors/apply/", signup_views.apply, name="vendor_apply"),
    path("vendors/apply/thanks/", signup_views.apply_done, name="vendor_apply_done"),
    path("", include("marketplace.checkout.urls")),
    path("", include("marketplace.reviews.urls")),
    path("", include("marketplace.canteen.urls")),
]
