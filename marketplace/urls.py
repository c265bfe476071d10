from django.urls import include, path

from . import signup_views, views

urlpatterns = [
    path("search/", views.search, name="search"),
    path("vendors/apply/", signup_views.apply, name="vendor_apply"),
    path("vendors/apply/thanks/", signup_views.apply_done, name="vendor_apply_done"),
    path("", include("marketplace.checkout.urls")),
    path("", include("marketplace.canteen.urls")),
]
