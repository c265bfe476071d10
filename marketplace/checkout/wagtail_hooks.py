"""Wagtail admin for orders: "My orders" for vendors (/admin/vendor-orders/), "Orders" for staff (/admin/orders/).

Checkout is an app of its own (label `checkout`), so Wagtail loads this module itself.
"""

from django.core.exceptions import PermissionDenied
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views, extensions
from .models import ShippingRule

vendor_urls = [
    path("", admin_views.VendorOrderIndexView.as_view(), name="index"),
    path("results/", admin_views.VendorOrderIndexView.as_view(results_only=True), name="index_results"),
    path("<int:pk>/", admin_views.vendor_order_detail, name="detail"),
    path("<int:pk>/ship/", admin_views.vendor_order_ship, name="ship"),
    path("<int:pk>/after-sale/<int:request_pk>/<slug:action>/", admin_views.vendor_after_sale, name="after_sale"),
]

after_sale_urls = [
    path("", admin_views.after_sale_queue, name="index"),
    path("<int:pk>/", admin_views.after_sale_admin_detail, name="detail"),
    path("<int:pk>/<slug:decision>/", admin_views.after_sale_decide, name="decide"),
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
        # Extensions add their pages of an order part here (canteen: `<int:pk>/invoice/`).
        path(
            "vendor-orders/",
            include((vendor_urls + extensions.vendor_part_urls(), "vendor_orders"), namespace="vendor_orders"),
        ),
        path("orders/", include((staff_urls, "staff_orders"), namespace="staff_orders")),
        path("after-sale/", include((after_sale_urls, "after_sale_admin"), namespace="after_sale_admin")),
    ]


class VendorOrdersMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.is_vendor_user(request.user)


class StaffOrdersMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.is_order_staff(request.user)


class AfterSaleMenuItem(MenuItem):
    def is_shown(self, request):
        from .after_sale import is_after_sale_staff

        return is_after_sale_staff(request.user)


@hooks.register("register_admin_menu_item")
def register_after_sale_menu_item():
    return AfterSaleMenuItem(_("After-sale"), reverse("after_sale_admin:index"), icon_name="warning", order=221)


@hooks.register("private_media_access")
def after_sale_photos(user, name):
    """A request's photos: the buyer, the vendor's members and staff (after_sale.may_see)."""
    from .after_sale import may_see
    from .models import AfterSaleRequest

    rows = AfterSaleRequest.objects.filter(photos__image__file=name).select_related("order", "vendor_order")
    return any(may_see(user, row) for row in rows)


@hooks.register("register_admin_menu_item")
def register_vendor_orders_menu_item():
    return VendorOrdersMenuItem(_("My orders"), reverse("vendor_orders:index"), icon_name="list-ul", order=230)


@hooks.register("register_admin_menu_item")
def register_staff_orders_menu_item():
    return StaffOrdersMenuItem(_("Orders"), reverse("staff_orders:index"), icon_name="list-ul", order=220)


# --- shipping rules (运费模板) ------------------------------------------------------------------------
# Staff with the model permissions see every vendor's rules; a vendor's members see and edit only their own.


def _own_vendor_ids(user):
    from ..models import VendorMember

    return list(VendorMember.objects.filter(user=user).values_list("vendor_id", flat=True))


class ShippingRulePermissionPolicy(ModelPermissionPolicy):
    VENDOR_ACTIONS = ("add", "change", "delete", "view")

    def _as_vendor(self, user, action):
        return action in self.VENDOR_ACTIONS and user.is_active and bool(_own_vendor_ids(user))

    def user_has_permission(self, user, action):
        return super().user_has_permission(user, action) or self._as_vendor(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if super().user_has_permission(user, action):
            return True
        return action in self.VENDOR_ACTIONS and instance.vendor_id in _own_vendor_ids(user)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if any(super(ShippingRulePermissionPolicy, self).user_has_permission(user, a) for a in actions):
            return self.model.objects.all()
        return self.model.objects.filter(vendor_id__in=_own_vendor_ids(user))

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])


register_permission_policy(ShippingRule, ShippingRulePermissionPolicy(ShippingRule), exact_class=True)


class _OwnRuleMixin:
    def get_object(self, queryset=None):
        rule = super().get_object(queryset)
        if not self.permission_policy.user_has_permission_for_instance(self.request.user, "change", rule):
            raise PermissionDenied
        return rule


class ShippingRuleEditView(_OwnRuleMixin, snippet_views.EditView):
    pass


class ShippingRuleDeleteView(_OwnRuleMixin, snippet_views.DeleteView):
    pass


class ShippingRuleViewSet(SnippetViewSet):
    model = ShippingRule
    icon = "site"
    menu_label = _("Shipping rules")
    menu_order = 235
    add_to_admin_menu = True
    edit_view_class = ShippingRuleEditView
    delete_view_class = ShippingRuleDeleteView
    list_display = ["vendor", "name", "charge_by", "first_fee", "free_above"]
    search_fields = ["name", "vendor__title"]

    def get_queryset(self, request):
        return self.permission_policy.instances_user_has_any_permission_for(request.user, ["change"]).select_related(
            "vendor"
        )


register_snippet(ShippingRuleViewSet())
