"""Wagtail admin for the marketplace: vendor applications, the stock view, the dashboard panel, log actions."""

from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, F, OuterRef, Value
from django.db.models.functions import Cast, Coalesce
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.pages.listing import IndexView as PageIndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.admin.widgets.button import ListingButton
from wagtail.log_actions import LogFormatter
from wagtail.models import Page, WorkflowState
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from . import admin_views
from .models import ProductPage, VendorApplication
from .services.vendors import can_review_applications

# --- vendor applications --------------------------------------------------------------------------


class VendorApplicationPermissionPolicy(ModelPermissionPolicy):
    """Reviewers (marketplace.approve_vendor) may view and correct applications; nobody adds them here."""

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        if action in ("view", "change") and can_review_applications(user):
            return True
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(VendorApplication, VendorApplicationPermissionPolicy(VendorApplication), exact_class=True)


class VendorApplicationIndexView(IndexView):
    def get_list_buttons(self, instance):
        buttons = super().get_list_buttons(instance)
        if instance.status == VendorApplication.Status.PENDING and can_review_applications(self.request.user):
            buttons[:0] = [
                ListingButton(
                    _("Approve"),
                    url=reverse(vendor_application_viewset.get_url_name("approve"), args=[instance.pk]),
                    icon_name="check",
                    priority=1,
                ),
                ListingButton(
                    _("Reject"),
                    url=reverse(vendor_application_viewset.get_url_name("reject"), args=[instance.pk]),
                    icon_name="cross",
                    priority=2,
                ),
            ]
        return buttons


class VendorApplicationViewSet(SnippetViewSet):
    model = VendorApplication
    icon = "user"
    menu_label = _("Vendor applications")
    menu_order = 250
    add_to_admin_menu = True
    index_view_class = VendorApplicationIndexView
    inspect_view_enabled = True
    list_display = ["business_name", "uscc", "county", "kind", "contact_name", "submitted_at", "status"]
    list_filter = ["status", "county", "kind"]
    search_fields = ["business_name", "business_name_en", "uscc", "contact_name", "contact_email"]
    form_fields = [
        "business_name",
        "business_name_en",
        "uscc",
        "county",
        "kind",
        "contact_name",
        "contact_phone",
        "contact_email",
        "description",
    ]
    inspect_view_fields = [
        *form_fields,
        "applicant",
        "status",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "rejection_reason",
        "vendor_page",
    ]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("approve/<int:pk>/", partial(admin_views.approve_application, viewset=self), name="approve"),
            path("reject/<int:pk>/", partial(admin_views.reject_application, viewset=self), name="reject"),
        ]


vendor_application_viewset = VendorApplicationViewSet()
register_snippet(vendor_application_viewset)


# --- stock ----------------------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_stock_urls():
    return [path("marketplace/stock/", admin_views.stock_index, name="marketplace_stock")]


class StockMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.user_has_stock_access(request.user)


@hooks.register("register_admin_menu_item")
def register_stock_menu_item():
    return StockMenuItem(_("Stock"), reverse("marketplace_stock"), icon_name="list-ul", order=240)


# --- products ---------------------------------------------------------------------------------------


def _price(product):
    return f"¥{product.unit_price:.2f} / {product.unit}"


def _stock(product):
    if not product.track_stock:
        return _("not tracked")
    return f"{product.stock_quantity} {product.unit}"


def _moderation(product):
    return _("Waiting for approval") if product.in_moderation else "—"


class ProductIndexView(PageIndexView):
    """Every product the user may edit (a vendor: its own), with price, stock and moderation state."""

    page_title = _("Products")

    def get_base_queryset(self):
        in_progress = WorkflowState.objects.filter(
            status=WorkflowState.STATUS_IN_PROGRESS,
            base_content_type=ContentType.objects.get_for_model(Page),
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
        )
        return (
            super()
            .get_base_queryset()
            .select_related("stock")
            .annotate(stock_quantity=Coalesce(F("stock__quantity"), Value(0)), in_moderation=Exists(in_progress))
        )


class ProductListingViewSet(PageListingViewSet):
    model = ProductPage
    name = "marketplace_products"
    url_prefix = "marketplace/products"
    icon = "pick"
    menu_label = _("Products")
    menu_order = 235
    add_to_admin_menu = True
    index_view_class = ProductIndexView
    columns = [
        *PageIndexView.base_columns,
        Column("unit_price", label=_("Price"), accessor=_price, sort_key="unit_price"),
        Column("stock_quantity", label=_("Stock"), accessor=_stock, sort_key="stock_quantity"),
        Column("in_moderation", label=_("Moderation"), accessor=_moderation),
    ]


@hooks.register("register_admin_viewset")
def register_product_listing():
    return ProductListingViewSet()


# --- dashboard ------------------------------------------------------------------------------------


@hooks.register("construct_homepage_panels")
def add_vendor_panels(request, panels):
    panels.extend(
        admin_views.dashboard_panels_for(
            request, reverse(vendor_application_viewset.get_url_name("list")) + "?status=pending"
        )
    )


# --- audit log ------------------------------------------------------------------------------------


@hooks.register("register_log_actions")
def register_marketplace_log_actions(actions):
    actions.register_action(
        "marketplace.vendor_application_submitted", _("Submit vendor application"), _("Vendor application submitted")
    )
    actions.register_action(
        "marketplace.vendor_application_approved", _("Approve vendor application"), _("Vendor application approved")
    )
    actions.register_action("marketplace.vendor_approved", _("Approve vendor"), _("Vendor approved"))
    actions.register_action("marketplace.vendor_member_added", _("Add vendor member"), _("Vendor member added"))

    @actions.register_action("marketplace.vendor_application_rejected")
    class ApplicationRejected(LogFormatter):
        label = _("Reject vendor application")

        def format_message(self, log_entry):
            return _("Vendor application rejected: %(reason)s") % {"reason": log_entry.data.get("reason", "")}

    @actions.register_action("marketplace.stock_changed")
    class StockChanged(LogFormatter):
        label = _("Change stock")

        def format_message(self, log_entry):
            return _("Stock changed from %(old)s to %(new)s") % {
                "old": log_entry.data.get("old"),
                "new": log_entry.data.get("new"),
            }


from .reviews import wagtail_hooks as reviews_wagtail_hooks  # noqa: E402,F401  (review moderation queue)
