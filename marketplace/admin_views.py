"""Back-office views for vendors and staff: stock, application review, the dashboard panel.

Thin: they check who may see what, call the services and show the outcome.
"""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.models import Page, WorkflowState

from cms.admin_panels import DashboardPanel
from cms.errors import DomainError
from cms.validators import MAX_DB_INT

from .checkout.models import OrderLine, VendorOrder
from .models import ProductPage, VendorApplication, VendorMember, VendorPage
from .services.stock import can_manage_all_stock, set_stock, stock_products_for
from .services.vendors import approve_vendor_application, can_review_applications, reject_vendor_application

LOW_STOCK_FLOOR = 10


def low_stock(products):
    """Tracked products whose stock is below three times the minimum order, or below 10."""
    return (
        products.filter(track_stock=True)
        .annotate(
            stock_quantity=Coalesce(F("stock__quantity"), Value(0)),
            low_threshold=Greatest(F("min_order_quantity") * 3, Value(LOW_STOCK_FLOOR)),
        )
        .filter(stock_quantity__lt=F("low_threshold"))
    )


# --- stock ----------------------------------------------------------------------------------------


class StockForm(forms.Form):
    product = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_DB_INT)
    quantity = forms.CharField(label=gettext_lazy("Units in stock"), max_length=12)


def user_has_stock_access(user):
    return can_manage_all_stock(user) or VendorMember.objects.filter(user=user).exists()


def stock_index(request):
    user = request.user
    if not user_has_stock_access(user):
        raise PermissionDenied
    products = stock_products_for(user)
    vendor_id = request.GET.get("vendor") or ""
    vendors = VendorPage.objects.filter(pk__in=products.values("vendor_id")).order_by("title")
    if vendor_id.isdigit():
        products = products.filter(vendor_id=int(vendor_id))

    if request.method == "POST":
        form = StockForm(request.POST)
        if form.is_valid():
            product = get_object_or_404(products, pk=form.cleaned_data["product"])
            try:
                stock = set_stock(product, form.cleaned_data["quantity"], user)
            except DomainError as error:
                messages.error(request, f"{product.title}: {error.message}")
            else:
                messages.success(
                    request,
                    _("Stock of %(product)s is now %(quantity)s.")
                    % {"product": product.title, "quantity": stock.quantity},
                )
        else:
            messages.error(request, _("Enter stock as a whole number."))
        return redirect(request.get_full_path())

    rows = (
        products.select_related("vendor", "stock")
        .annotate(stock_quantity=Coalesce(F("stock__quantity"), Value(0)))
        .order_by("vendor__title", "title")
    )
    low_ids = set(low_stock(products).values_list("pk", flat=True))
    context = {
        "header_title": _("Stock"),
        "page_title": _("Stock"),
        "header_icon": "list-ul",
        "rows": [
            (p, p.pk in low_ids, StockForm(initial={"product": p.pk, "quantity": p.stock_quantity})) for p in rows
        ],
        "vendors": vendors if can_manage_all_stock(user) else None,
        "vendor_id": vendor_id,
    }
    return TemplateResponse(request, "marketplace/admin/stock.html", context)


# --- vendor applications --------------------------------------------------------------------------


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (sent to the applicant)"), widget=forms.Textarea(attrs={"rows": 5})
    )


def _review(request, pk, viewset, *, reject):
    if not can_review_applications(request.user):
        raise PermissionDenied
    application = get_object_or_404(VendorApplication.objects.select_related("county", "applicant"), pk=pk)
    index_url = reverse(viewset.get_url_name("list"))
    data = request.POST if request.method == "POST" else None
    form = RejectForm(data) if reject else forms.Form(data)
    if application.status != VendorApplication.Status.PENDING:
        messages.warning(request, _("This application has already been reviewed."))
        return redirect(index_url)
    if request.method == "POST" and form.is_valid():
        try:
            if reject:
                reject_vendor_application(application, request.user, form.cleaned_data["reason"])
            else:
                vendor = approve_vendor_application(application, request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if reject:
                messages.success(request, _("Application of %(name)s rejected.") % {"name": application.business_name})
            else:
                messages.success(
                    request,
                    _("Application of %(name)s approved; its vendor page is published.")
                    % {"name": application.business_name},
                    buttons=[messages.button(reverse("wagtailadmin_pages:edit", args=[vendor.pk]), _("Edit page"))],
                )
            next_url = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = index_url
            return redirect(next_url or index_url)
    title = _("Reject application") if reject else _("Approve application")
    context = {
        "header_title": title,
        "page_title": title,
        "page_subtitle": application.business_name,
        "header_icon": "cross" if reject else "check",
        "application": application,
        "form": form,
        "reject": reject,
        "index_url": index_url,
    }
    return TemplateResponse(request, "marketplace/admin/application_review.html", context)


def approve_application(request, pk, viewset):
    return _review(request, pk, viewset, reject=False)


def reject_application(request, pk, viewset):
    return _review(request, pk, viewset, reject=True)


# --- dashboard ------------------------------------------------------------------------------------


def _in_moderation(pages):
    """The pages (a page queryset) with a workflow in progress: changes waiting for a moderator."""
    ids = [str(pk) for pk in pages.values_list("pk", flat=True)]
    if not ids:
        return Page.objects.none()
    waiting = WorkflowState.objects.filter(
        status=WorkflowState.STATUS_IN_PROGRESS,
        base_content_type=ContentType.objects.get_for_model(Page),
        object_id__in=ids,
    ).values_list("object_id", flat=True)
    return Page.objects.filter(pk__in=[int(pk) for pk in waiting]).order_by("title")


def _in_moderation_count(products):
    return _in_moderation(products).count()


def vendor_summaries(user):
    summaries = []
    for vendor in VendorPage.objects.filter(members__user=user).order_by("title"):
        products = ProductPage.objects.child_of(vendor)
        summaries.append(
            {
                "vendor": vendor,
                "panel_id": f"marketplace-vendor-{vendor.pk}",
                "live": products.filter(live=True).count(),
                "draft": products.filter(live=False).count(),
                "in_moderation": _in_moderation_count(products),
            }
        )
    return summaries


PANEL_ITEMS = 5


def vendor_panels(user):
    """A vendor member's first things: order lines to ship, low stock, changes waiting for a moderator."""
    vendors = list(VendorPage.objects.filter(members__user=user).order_by("title"))
    if not vendors:
        return []
    stock_url = reverse("marketplace_stock")
    several = len(vendors) > 1

    to_ship = (
        VendorOrder.objects.filter(vendor__in=vendors, status=VendorOrder.Status.TO_SHIP)
        .select_related("order", "vendor")
        .order_by("order__placed_at", "pk")
    )
    parts = list(to_ship[:PANEL_ITEMS])
    line_count = OrderLine.objects.filter(vendor_order__in=to_ship).count()
    part_count = to_ship.count()
    ship = DashboardPanel(
        "marketplace-to-ship",
        _("To ship"),
        order=10,
        summary=ngettext(
            "%(lines)s order line in %(orders)s order to ship",
            "%(lines)s order lines in %(orders)s orders to ship",
            part_count,
        )
        % {"lines": line_count, "orders": part_count}
        if part_count
        else "",
        items=[
            {
                "label": part.order.number,
                "url": reverse("vendor_orders:detail", args=[part.pk]),
                "detail": " · ".join(
                    [localtime(part.order.placed_at).strftime("%Y-%m-%d %H:%M")]
                    + ([part.vendor.title] if several else [])
                ),
            }
            for part in parts
        ],
        link=(reverse("vendor_orders:index") + "?status=to_ship", _("All orders to ship")),
        empty=_("Nothing to ship."),
        count=part_count,
    )

    products = ProductPage.objects.filter(vendor__in=vendors)
    low = list(low_stock(products).select_related("vendor").order_by("stock_quantity", "title")[:20])
    low_panel = DashboardPanel(
        "marketplace-low-stock",
        _("Low stock"),
        order=20,
        summary=ngettext("%(n)s product is low on stock", "%(n)s products are low on stock", len(low)) % {"n": len(low)}
        if low
        else "",
        items=[
            {
                "label": product.title,
                "url": f"{stock_url}#stock-{product.pk}",
                "detail": " · ".join(
                    [f"{product.stock_quantity} {product.unit}"] + ([product.vendor.title] if several else [])
                ),
            }
            for product in low
        ],
        link=(stock_url, _("Change stock")),
        empty=_("No product is low on stock."),
        list_class="marketplace-low-stock",
        count=len(low),
    )

    vendor_pages = Page.objects.filter(pk__in=[v.pk for v in vendors])
    own_pages = vendor_pages | Page.objects.filter(pk__in=ProductPage.objects.filter(vendor__in=vendors).values("pk"))
    waiting = list(_in_moderation(own_pages))
    changes = DashboardPanel(
        "marketplace-in-moderation",
        _("Changes waiting for approval"),
        order=30,
        summary=ngettext(
            "%(n)s page (prices included) is waiting for a moderator",
            "%(n)s pages (prices included) are waiting for a moderator",
            len(waiting),
        )
        % {"n": len(waiting)}
        if waiting
        else "",
        items=[
            {"label": page.title, "url": reverse("wagtailadmin_pages:edit", args=[page.pk]), "detail": ""}
            for page in waiting[:PANEL_ITEMS]
        ],
        link=(reverse("marketplace_products:index"), _("All my products")),
        empty=_("No change is waiting for approval."),
        count=len(waiting),
    )
    return [ship, low_panel, changes]


class VendorSummaryPanel(Component):
    """Admin home: for each of a vendor member's vendors, its page, products and stock."""

    name = "marketplace_vendor"
    template_name = "marketplace/admin/vendor_summary_panel.html"
    order = 60

    def __init__(self, vendors):
        self.vendors = vendors

    def get_context_data(self, parent_context):
        return {"vendors": self.vendors, "stock_url": reverse("marketplace_stock")}


def dashboard_panels_for(request, applications_url):
    user = request.user
    panels = vendor_panels(user)
    summaries = vendor_summaries(user)
    if summaries:
        panels.append(VendorSummaryPanel(summaries))
    if can_review_applications(user):
        pending = VendorApplication.objects.filter(status=VendorApplication.Status.PENDING).count()
        panels.append(
            DashboardPanel(
                "marketplace-applications",
                _("Vendor applications"),
                order=40,
                summary=ngettext(
                    "%(n)s application waiting for review", "%(n)s applications waiting for review", pending
                )
                % {"n": pending},
                link=(applications_url, _("Review applications")),
                count=pending,
            )
        )
    return panels
