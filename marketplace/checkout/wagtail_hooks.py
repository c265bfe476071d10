"""Wagtail admin for orders: "My orders" for vendors (/admin/vendor-orders/), "Orders" for staff (/admin/orders/).

Wagtail only loads `wagtail_hooks` from an app's top package, so marketplace/wagtail_hooks.py imports this module.
"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views

vendor_urls = [
    path("", admin_views.VendorOrderIndexView.as_view(), name="index"),
    path("results/", admin_views.VendorOrderIndexView.as_view(results_only=True), name="index_results"),
    path("<int:pk>/", admin_views.vendor_order_detail, name="detail"),
    path("<int:pk>/ship/", admin_views.vendor_order_ship, name="ship"),
    path("<int:pk>/invoice/", admin_views.vendor_order_invoice, name="invoice"),
]

staff_urls = [
    path("", admin_views.OrderIndexView.as_view(), name="index"),
    path("results/", admin_views.OrderIndexView.as_view(results_only=True), name="index_results"),
    path("<int:pk>/", admin_views.order_detail, name="detail"),
    path("<int:pk>/bank-transfer/", admin_views.order_bank_transfer, name="bank_transfer"),
    path("<int:pk>/cancel/", admin_views.order_cancel, name="cancel"),
    path("<int:pk>/refund/", admin_views.order_refund, name="refund"),
    path("<int:pk>/complete/", admin_views.order_complete, name="complete"),
]


@hooks.register("register_admin_urls")
def register_order_urls():
    return [
        path("vendor-orders/", include((vendor_urls, "vendor_orders"), namespace="vendor_orders")),
        path("orders/", include((staff_urls, "staff_orders"), namespace="staff_orders")),
    ]


class VendorOrdersMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.is_vendor_user(request.user)


class StaffOrdersMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.is_order_staff(request.user)


@hooks.register("register_admin_menu_item")
def register_vendor_orders_menu_item():
    return VendorOrdersMenuItem(_("My orders"), reverse("vendor_orders:index"), icon_name="list-ul", order=230)


@hooks.register("register_admin_menu_item")
def register_staff_orders_menu_item():
    return StaffOrdersMenuItem(_("Orders"), reverse("staff_orders:index"), icon_name="list-ul", order=220)
