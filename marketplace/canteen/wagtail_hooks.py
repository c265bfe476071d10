"""Wagtail admin for buyer units: staff list, edit and verify them (/admin/canteen-units/).

Canteen is an app of its own (label `canteen`), so Wagtail loads this module itself.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from cms.errors import DomainError

from ..checkout.models import VendorOrder
from . import services
from .membership import verified_units
from .models import AnnualBudget, BuyerUnit


class BuyerUnitIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.status == BuyerUnit.Status.PENDING:
            for decision, label, priority in (("verify", _("Verify"), 5), ("reject", _("Reject"), 6)):
                url = reverse("canteen_unit_verify", args=[instance.pk, decision])
                buttons.append(MenuItem(label, url=url, icon_name="check", priority=priority))
        return buttons


class BuyerUnitViewSet(ModelViewSet):
    model = BuyerUnit
    index_view_class = BuyerUnitIndexView
    menu_label = _("Buyer units")
    icon = "group"
    add_to_admin_menu = True
    menu_order = 240
    list_display = ["name", "uscc", "status", "contact_name", "approval_threshold"]
    list_filter = ["status"]
    search_fields = ["name", "uscc"]
    form_fields = [
        "name",
        "uscc",
        "contact_name",
        "contact_phone",
        "approval_threshold",
        "invoice_type",
        "invoice_title",
        "taxpayer_id",
        "invoice_address",
        "invoice_phone",
        "invoice_bank",
        "invoice_account",
    ]


buyer_unit_viewset = BuyerUnitViewSet("canteen_units")


class AnnualBudgetViewSet(ModelViewSet):
    """Staff record or correct a unit's annual budget (units' finance members do it on the unit's page)."""

    model = AnnualBudget
    menu_label = _("Canteen budgets")
    icon = "table"
    add_to_admin_menu = True
    menu_order = 241
    list_display = ["unit", "year", "food_budget", "target_share"]
    list_filter = ["year"]
    search_fields = ["unit__name"]
    form_fields = ["unit", "year", "food_budget", "target_share"]


annual_budget_viewset = AnnualBudgetViewSet("canteen_budgets")


@hooks.register("register_admin_viewset")
def register_buyer_units():
    return buyer_unit_viewset


@hooks.register("register_admin_viewset")
def register_annual_budgets():
    return annual_budget_viewset


def verify(request, pk, decision):
    """GET asks to confirm; POST verifies (or rejects) the unit through canteen.services."""
    unit = get_object_or_404(BuyerUnit, pk=pk)
    if request.method != "POST":
        context = {"unit": unit, "decision": decision, "members": unit.members.select_related("user")}
        return TemplateResponse(request, "marketplace/canteen/admin_verify.html", context)
    try:
        services.verify_unit(unit, user=request.user, approve=decision == "verify")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(unit)s is %(status)s.") % {"unit": unit.name, "status": unit.get_status_display()}
        )
    return redirect(buyer_unit_viewset.get_url_name("index"))


@hooks.register("register_admin_urls")
def register_verify_urls():
    return [path("canteen-units/<int:pk>/<str:decision>/", verify, name="canteen_unit_verify")]


@hooks.register("register_log_actions")
def register_unit_log_actions(actions):
    actions.register_action("canteen.unit_verified", _("Verify buyer unit"), _("Buyer unit verified"))
    actions.register_action("canteen.unit_rejected", _("Reject buyer unit"), _("Buyer unit rejected"))
    actions.register_action("canteen.budget_set", _("Set annual budget"), _("Annual budget set"))
    actions.register_action("canteen.member_added", _("Add unit member"), _("Unit member added"))
    actions.register_action("canteen.member_removed", _("Remove unit member"), _("Unit member removed"))
    actions.register_action("canteen.address_added", _("Add canteen address"), _("Canteen address added"))
    actions.register_action("canteen.address_changed", _("Change canteen address"), _("Canteen address changed"))
    actions.register_action("canteen.address_deleted", _("Delete canteen address"), _("Canteen address deleted"))


@hooks.register("before_serve_document")
def keep_invoices_private(document, request):
    """An invoice PDF is for its buyer unit, the vendor that issued it and staff, not for anyone with the link."""
    from django.core.exceptions import PermissionDenied

    parts = VendorOrder.objects.filter(invoice_file=document).select_related("order")
    if not parts.exists():
        return None
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    if user.is_staff or user.has_perm("checkout.view_order"):
        return None
    for part in parts:
        if part.order.buyer_unit_id and part.order.buyer_unit.members.filter(user=user).exists():
            return None
        if part.vendor.members.filter(user=user).exists():
            return None
    raise PermissionDenied


@hooks.register("private_media_access")
def canteen_private_files(user, name):
    """Receipt photos and invoices in the private area: the order's unit, the vendor concerned and staff."""
    from django.db.models import Q

    parts = VendorOrder.objects.filter(Q(inspection_photo__file=name) | Q(invoice_file__file=name)).select_related(
        "order", "vendor"
    )
    return any(services.can_see_part_files(user, part) for part in parts)


@hooks.register("register_header_links")
def canteen_header_link(request):
    """A member of a verified unit finds it from the header: its page, or the list when there are several."""
    from django.utils.translation import pgettext

    units = verified_units(request.user)
    if not units:
        return []
    url = reverse("canteen_dashboard", args=[units[0]["pk"]]) if len(units) == 1 else reverse("canteen_units")
    return [{"url": url, "label": pgettext("header link", "Canteen"), "name": "canteen"}]


@hooks.register("register_page_cache_audience")
def canteen_audience(user):
    """Members of a verified unit see canteen-only products (marketplace.models.audiences_for): their own copy of
    cached pages. No unit has its own prices today; a per-unit price list would add the unit here."""
    from .membership import verified_units

    return "canteen" if verified_units(user) else None
