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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.models import Page, WorkflowState

from cms.validators import MAX_DB_INT

from .models import ProductPage, VendorApplication, VendorMember, VendorPage
from .services.errors import MarketplaceError
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
            except MarketplaceError as error:
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
        except MarketplaceError as error:
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


class VendorDashboardPanel(Component):
    """Admin home: a vendor's products and low stock; for reviewers, the pending applications."""

    name = "marketplace_vendor"
    template_name = "marketplace/admin/dashboard_panel.html"
    order = 50

    def __init__(self, vendors, pending_applications=None, applications_url=None):
        self.vendors = vendors
        self.pending_applications = pending_applications
        self.applications_url = applications_url

    def get_context_data(self, parent_context):
        return {
            "vendors": self.vendors,
            "pending_applications": self.pending_applications,
            "applications_url": self.applications_url,
            "stock_url": reverse("marketplace_stock"),
        }


def _in_moderation_count(products):
    ids = [str(pk) for pk in products.values_list("pk", flat=True)]
    if not ids:
        return 0
    return (
        WorkflowState.objects.filter(
            status=WorkflowState.STATUS_IN_PROGRESS,
            base_content_type=ContentType.objects.get_for_model(Page),
            object_id__in=ids,
        )
        .values("object_id")
        .distinct()
        .count()
    )


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
                "low_stock": list(low_stock(products).order_by("stock_quantity", "title")[:20]),
            }
        )
    return summaries


def dashboard_panel_for(request, applications_url):
    user = request.user
    vendors = vendor_summaries(user)
    pending = None
    if can_review_applications(user):
        pending = VendorApplication.objects.filter(status=VendorApplication.Status.PENDING).count()
    if not vendors and pending is None:
        return None
    return VendorDashboardPanel(vendors, pending, applications_url)
