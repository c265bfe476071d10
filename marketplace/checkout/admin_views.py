"""Back-office order views in the Wagtail admin.

- Vendors (`vendor_orders:*`, /admin/vendor-orders/): their own parts of orders only — their lines, the
  buyer's delivery address once paid, a "mark shipped" form, CSV/Excel export.
- Staff (`staff_orders:*`, /admin/orders/): every order, with filters, search, export, the detail page with
  payments, refunds and the event log, and the money actions (bank transfer, cancel, refund, complete).

Thin: forms parse, `services` act, a DomainError's message becomes a Wagtail error message.
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import BaseListingView
from wagtail.admin.widgets import AdminDateInput
from wagtail.admin.widgets.button import Button

from cms.errors import DomainError

from ..models import VendorMember, VendorPage
from . import after_sale, carriers, exports, extensions, services
from .forms import AcceptReturnForm, DecisionForm, RefuseForm
from .models import AfterSaleRequest, Order, OrderLine, Payment, PaymentMethod, Refund, VendorOrder

VIEW_PERMISSION = "checkout.view_order"
CHANGE_PERMISSION = "checkout.change_order"


# --- who may do what ------------------------------------------------------------------------------


def is_order_staff(user):
    """Staff see every order: superusers and holders of checkout.view_order."""
    return bool(user and user.is_active and (user.is_superuser or user.has_perm(VIEW_PERMISSION)))


def can_change_orders(user):
    return bool(user and user.is_active and (user.is_superuser or user.has_perm(CHANGE_PERMISSION)))


def is_vendor_user(user):
    return bool(user and user.is_active and VendorMember.objects.filter(user=user).exists())


def _require(test, user):
    if not test(user):
        raise PermissionDenied


def vendor_parts_for(user):
    """The vendor parts a user may open in the vendor view (their vendors' parts; all for staff)."""
    return services.vendor_orders_for(user).prefetch_related(Prefetch("lines", OrderLine.objects.order_by("pk")))


def can_ship(user, part):
    return VendorMember.objects.filter(user=user, vendor_id=part.vendor_id).exists() or can_change_orders(user)


# --- table cells ------------------------------------------------------------------------------------


class TemplateColumn(Column):
    """A column rendered by one of our templates, which gets the row object as `instance`."""

    def __init__(self, name, template_name, **kwargs):
        kwargs.setdefault("accessor", "pk")  # the template reads `instance`; never call a related manager
        super().__init__(name, **kwargs)
        self.cell_template_name = template_name


def _status_display(instance):
    return instance.get_status_display()


# --- listings -----------------------------------------------------------------------------------------


class ExportingListingView(BaseListingView):
    """A Wagtail listing whose "…" menu offers the filtered list as CSV and Excel, one row per order line."""

    paginate_by = 50
    export_title = "orders"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.export_format = request.GET.get("export")

    def dispatch(self, request, *args, **kwargs):
        self.check_access(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_paginate_by(self, queryset):
        return None if self.export_format in exports.FORMATS else super().get_paginate_by(queryset)

    def export_url(self, export_format):
        params = self.request.GET.copy()
        params.pop(self.page_kwarg, None)
        params.pop("_w_filter_fragment", None)
        params["export"] = export_format
        return self.index_url + "?" + params.urlencode()

    def get_header_more_buttons(self):
        return [
            Button(_("Download XLSX"), url=self.export_url(exports.XLSX), icon_name="download", priority=90),
            Button(_("Download CSV"), url=self.export_url(exports.CSV), icon_name="download", priority=100),
        ]

    def render_to_response(self, context, **response_kwargs):
        if self.export_format in exports.FORMATS:
            filename = f"{self.export_title}-{timezone.localdate():%Y%m%d}"
            columns, rows = self.export_rows(context["object_list"])
            return exports.spreadsheet_response(self.export_format, columns, rows, filename, self.get_page_title())
        return super().render_to_response(context, **response_kwargs)


class VendorOrderFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=VendorOrder.Status.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    placed = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Date placed"), field_name="order__placed_at", widget=DateRangePickerWidget
    )

    class Meta:
        model = VendorOrder
        fields = []


class VendorOrderIndexView(ExportingListingView):
    """A vendor's parts of orders: "My orders"."""

    page_title = gettext_lazy("My orders")
    header_icon = "list-ul"
    index_url_name = "vendor_orders:index"
    index_results_url_name = "vendor_orders:index_results"
    filterset_class = VendorOrderFilterSet
    default_ordering = "-order__placed_at"
    verbose_name = gettext_lazy("order")
    verbose_name_plural = gettext_lazy("orders")
    export_title = "my-orders"

    def check_access(self, user):
        _require(lambda u: is_vendor_user(u) or is_order_staff(u), user)

    def get_base_queryset(self):
        return vendor_parts_for(self.request.user)

    def get_valid_orderings(self):
        return ["order__placed_at", "-order__placed_at", "subtotal", "-subtotal"]

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "order_number",
                label=_("Order"),
                accessor="order.number",
                url_name="vendor_orders:detail",
            ),
            DateColumn("placed", label=_("Placed"), accessor="order.placed_at", sort_key="order__placed_at"),
            StatusTagColumn("status", label=_("Status"), accessor=_status_display),
            TemplateColumn("address", "marketplace/admin/orders/address_cell.html", label=_("Deliver to")),
            TemplateColumn("lines", "marketplace/admin/orders/lines_cell.html", label=_("Items")),
            TemplateColumn(
                "subtotal",
                "marketplace/admin/orders/money_cell.html",
                label=_("Subtotal"),
                accessor="subtotal",
                sort_key="subtotal",
            ),
        ]

    def export_rows(self, parts):
        return exports.VENDOR_COLUMNS, exports.vendor_part_rows(list(parts))


class OrderFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=Order.Status.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    vendor = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Vendor"),
        field_name="vendor_orders__vendor",
        queryset=VendorPage.objects.order_by("title"),
        distinct=True,
    )
    placed = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Date placed"), field_name="placed_at", widget=DateRangePickerWidget
    )
    payment_method = django_filters.ChoiceFilter(
        label=gettext_lazy("Payment method"),
        choices=PaymentMethod.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Order
        fields = []


class OrderIndexView(ExportingListingView):
    """Every order, for staff: "Orders"."""

    page_title = gettext_lazy("Orders")
    header_icon = "list-ul"
    index_url_name = "staff_orders:index"
    index_results_url_name = "staff_orders:index_results"
    filterset_class = OrderFilterSet
    is_searchable = True
    default_ordering = "-placed_at"
    verbose_name = gettext_lazy("order")
    verbose_name_plural = gettext_lazy("orders")
    export_title = "orders"

    def check_access(self, user):
        _require(is_order_staff, user)

    def get_base_queryset(self):
        return Order.objects.select_related("buyer").prefetch_related("vendor_orders")

    def search_queryset(self, queryset):
        query = self.search_query.strip()
        if not query:
            return queryset
        by_transfer = Payment.objects.filter(bank_reference__icontains=query).values("order_id")
        return queryset.filter(
            Q(number__icontains=query)
            | Q(payment_reference__icontains=query)
            | Q(pk__in=by_transfer)
            | Q(guest_phone__icontains=query)
        )

    @cached_property
    def columns(self):
        return [
            TitleColumn("number", label=_("Order"), url_name="staff_orders:detail", sort_key="number"),
            DateColumn("placed_at", label=_("Placed"), sort_key="placed_at"),
            StatusTagColumn("status", label=_("Status"), accessor=_status_display),
            Column("buyer", label=_("Buyer"), accessor=lambda order: order.buyer_label),
            Column(
                "vendors",
                label=_("Vendors"),
                accessor=lambda order: ", ".join(part.vendor_name for part in order.vendor_orders.all()),
            ),
            Column(
                "payment_method", label=_("Payment method"), accessor=lambda order: order.get_payment_method_display()
            ),
            Column("payment_reference", label=_("Payment reference")),
            TemplateColumn(
                "total",
                "marketplace/admin/orders/money_cell.html",
                label=_("Total"),
                accessor="total",
                sort_key="total",
            ),
        ]

    def export_rows(self, orders):
        vendor = None
        if self.filters and self.filters.is_valid():
            vendor = self.filters.form.cleaned_data.get("vendor")
        return exports.STAFF_COLUMNS, exports.staff_order_rows(list(orders), vendor=vendor)


# --- vendor: detail and shipping ------------------------------------------------------------------


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(
        label=gettext_lazy("Carrier"), choices=[("", gettext_lazy("Choose…")), *carriers.choices()]
    )
    tracking_number = forms.CharField(label=gettext_lazy("Tracking number"), max_length=60)


def vendor_part(request, pk):
    """The order part `pk` of the signed-in vendor (any part for order staff), else 404."""
    _require(lambda u: is_vendor_user(u) or is_order_staff(u), request.user)
    # Another vendor's part is not in the queryset: 404, exactly as for a part that does not exist.
    return get_object_or_404(vendor_parts_for(request.user), pk=pk)


def render_vendor_part(request, part, ship_form=None, after_sale_forms=None, **extra):
    """The vendor's page of an order part, with what extensions add (canteen: the invoice form); `extra` is
    context that replaces theirs (a bound form shown again with its errors)."""
    if ship_form is None and part.status == VendorOrder.Status.TO_SHIP and can_ship(request.user, part):
        ship_form = ShipForm()
    title = _("Order %(number)s") % {"number": part.order.number}
    context = {
        "page_title": title,
        "header_title": title,
        "header_icon": "list-ul",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("vendor_orders:index"), "label": _("My orders")},
            {"url": "", "label": part.order.number},
        ],
        "part": part,
        "order": part.order,
        "lines": list(part.lines.all()),
        "show_address": part.status in exports.ADDRESS_VISIBLE,
        "ship_form": ship_form,
        "index_url": reverse("vendor_orders:index"),
        "after_sales": _vendor_after_sales(part, after_sale_forms or {}),
        "extension_templates": extensions.vendor_part_templates(part),
        **extensions.vendor_part_context(request, part),
        **extra,
    }
    return TemplateResponse(request, "marketplace/admin/orders/vendor_detail.html", context)


def _vendor_after_sales(part, forms_by_request):
    """The part's after-sale requests, each with the answer forms its state allows (bound ones when re-shown)."""
    rows = []
    for row in (
        AfterSaleRequest.objects.filter(vendor_order=part)
        .prefetch_related("lines__order_line", "photos__image")
        .order_by("-created_at", "-pk")
    ):
        given = forms_by_request.get(row.pk, {})
        waiting = row.status == AfterSaleRequest.Status.REQUESTED
        rows.append(
            {
                "request": row,
                "accept_form": given.get("accept") or (AcceptReturnForm() if waiting else None),
                "refuse_form": given.get("refuse") or (RefuseForm() if waiting else None),
                "can_confirm_return": row.status == AfterSaleRequest.Status.RETURN_SHIPPED,
            }
        )
    return rows


def vendor_after_sale(request, pk, request_pk, action):
    """The vendor answers an after-sale request of its part: accept (a return with the return address), refuse
    (with a reason), or confirm that the returned goods came back."""
    part = vendor_part(request, pk)
    detail_url = reverse("vendor_orders:detail", args=[part.pk])
    if request.method != "POST":
        return redirect(detail_url)
    row = get_object_or_404(AfterSaleRequest, pk=request_pk, vendor_order=part)
    form = None
    try:
        if action == "accept":
            form = AcceptReturnForm(request.POST)
            if form.is_valid():
                after_sale.accept(row, user=request.user, return_address=form.cleaned_data["return_address"])
                messages.success(request, _("You accepted the after-sale request."))
        elif action == "refuse":
            form = RefuseForm(request.POST)
            if form.is_valid():
                after_sale.refuse(row, user=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("You refused the after-sale request."))
        elif action == "received":
            after_sale.confirm_return(row, user=request.user)
            messages.success(request, _("Return received: the buyer is refunded."))
        else:
            raise PermissionDenied
    except DomainError as error:
        if form is not None:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.error(request, error.message)
    if form is not None and form.errors:
        messages.error(request, _("Please correct the errors below."))
        return render_vendor_part(request, part, after_sale_forms={row.pk: {action: form}})
    return redirect(detail_url)


def vendor_order_detail(request, pk):
    return render_vendor_part(request, vendor_part(request, pk))


def vendor_order_ship(request, pk):
    part = vendor_part(request, pk)
    detail_url = reverse("vendor_orders:detail", args=[part.pk])
    if request.method != "POST":
        return redirect(detail_url)
    if not can_ship(request.user, part):
        raise PermissionDenied
    form = ShipForm(request.POST)
    if not form.is_valid():
        return render_vendor_part(request, part, ship_form=form)
    try:
        services.mark_vendor_order_shipped(
            part,
            carrier=form.cleaned_data["carrier"],
            tracking_number=form.cleaned_data["tracking_number"],
            user=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return render_vendor_part(request, part, ship_form=form)
    messages.success(request, _("Order %(number)s marked as shipped.") % {"number": part.order.number})
    return redirect(detail_url)


# --- staff: detail and actions --------------------------------------------------------------------


class BankTransferForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount received (CNY)"), max_digits=12, decimal_places=2, min_value=0
    )
    received_on = forms.DateField(label=gettext_lazy("Date received"), widget=AdminDateInput)
    bank_reference = forms.CharField(label=gettext_lazy("Bank reference"), max_length=80)


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255, required=False)


class CompleteForm(forms.Form):
    pass


class RefundForm(forms.Form):
    """One quantity field per line that still has something to refund; the "full" button refunds all."""

    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255, required=False)
    refund_shipping = forms.BooleanField(
        label=gettext_lazy("Also refund the shipping fee of the vendor parts these items belong to"),
        help_text=gettext_lazy("A vendor part refunded in whole always gets its shipping fee back."),
        required=False,
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = [line for line in lines if line.quantity > line.refunded_quantity]
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"{line.name} ({line.vendor_name})" if line.vendor_name else line.name,
                help_text=_("Bought %(quantity)s %(unit)s at %(price)s; up to %(left)s can be refunded.")
                % {
                    "quantity": line.quantity,
                    "unit": line.unit,
                    "price": line.unit_price,
                    "left": line.quantity - line.refunded_quantity,
                },
                min_value=0,
                max_value=line.quantity - line.refunded_quantity,
                required=False,
                initial=0,
            )

    def line_fields(self):
        return [(line, self[f"line_{line.pk}"]) for line in self.lines]

    def refund_lines(self):
        """{line_id: quantity} for the quantities entered, or None for "refund everything"."""
        if self.data.get("full"):
            return None
        return {
            line.pk: self.cleaned_data[f"line_{line.pk}"]
            for line in self.lines
            if self.cleaned_data.get(f"line_{line.pk}")
        }


EVENT_LABELS = {
    "placed": gettext_lazy("Placed"),
    "paid": gettext_lazy("Paid"),
    "cancelled": gettext_lazy("Cancelled"),
    "expired": gettext_lazy("Expired unpaid"),
    "bank_transfer_recorded": gettext_lazy("Bank transfer recorded"),
    "vendor_shipped": gettext_lazy("Vendor shipped"),
    "refunded": gettext_lazy("Refunded"),
    "partly_refunded": gettext_lazy("Partly refunded"),
    "payment_flagged": gettext_lazy("Payment flagged"),
    "payment_disputed": gettext_lazy("Payment disputed"),
    "invoice_requested": gettext_lazy("Invoice requested"),
    "invoice_issued": gettext_lazy("Invoice issued"),
    "stripe_refund_recorded": gettext_lazy("Refund recorded by Stripe"),
    "payment_method_changed": gettext_lazy("Payment method changed"),
    "delivery_confirmed": gettext_lazy("Receipt confirmed by the buyer"),
    "auto_confirmed": gettext_lazy("Receipt confirmed automatically"),
    "completed": gettext_lazy("Completed"),
    "part_refunded": gettext_lazy("Vendor part refunded"),
    "received": gettext_lazy("Received (验收)"),
    "part_cancelled": gettext_lazy("Vendor part cancelled by the buyer"),
    "refund_completed": gettext_lazy("Refund completed at the payment service"),
    "after_sale_requested": gettext_lazy("After-sale requested"),
    "after_sale_accepted": gettext_lazy("After-sale accepted by the vendor"),
    "after_sale_refused": gettext_lazy("After-sale refused by the vendor"),
    "after_sale_escalated": gettext_lazy("After-sale escalated by the buyer"),
    "after_sale_auto_escalated": gettext_lazy("After-sale escalated (vendor did not answer)"),
    "after_sale_return_shipped": gettext_lazy("Return sent by the buyer"),
    "after_sale_return_received": gettext_lazy("Return received by the vendor"),
    "after_sale_approved": gettext_lazy("After-sale approved by staff"),
    "after_sale_rejected": gettext_lazy("After-sale rejected by staff"),
    "after_sale_withdrawn": gettext_lazy("After-sale withdrawn by the buyer"),
    "after_sale_refunded": gettext_lazy("After-sale refunded"),
}


# The keys services put into OrderEvent.data, as staff read them.
EVENT_DATA_LABELS = {
    "total": gettext_lazy("total"),
    "amount": gettext_lazy("amount"),
    "reference": gettext_lazy("bank reference"),
    "vendor": gettext_lazy("vendor"),
    "tracking": gettext_lazy("tracking number"),
    "number": gettext_lazy("invoice number"),
    "guest": gettext_lazy("guest order"),
    "shipping": gettext_lazy("shipping"),
    "request": gettext_lazy("after-sale request"),
    "refund": gettext_lazy("refund"),
    "kind": gettext_lazy("kind"),
    "vendor_order": gettext_lazy("vendor part"),
}


def event_details(data):
    """An event's data as "label: value" pairs in the admin's language (yes/no for flags)."""
    parts = []
    for key, value in sorted(data.items()):
        if isinstance(value, bool):
            value = _("yes") if value else _("no")
        parts.append(f"{EVENT_DATA_LABELS.get(key, key)}: {value}")
    return _(", ").join(parts) if parts else ""


def event_rows(order):
    statuses = dict(Order.Status.choices)
    rows = []
    for event in order.events.select_related("user"):
        label = EVENT_LABELS.get(event.action)
        if label is None:
            label = _("Status changed") if event.action.startswith("status:") else event.action
        rows.append(
            {
                "event": event,
                "label": label,
                "from_status": statuses.get(event.from_status, event.from_status),
                "to_status": statuses.get(event.to_status, event.to_status),
                "details": event_details(event.data),
            }
        )
    return rows


def _staff_order(request, pk, *, change=False):
    _require(can_change_orders if change else is_order_staff, request.user)
    return get_object_or_404(Order.objects.select_related("buyer"), pk=pk)


def _render_order(request, order, **forms_):
    can_change = can_change_orders(request.user)
    lines = list(order.lines.order_by("pk"))
    parts = list(order.vendor_orders.select_related("received_by", "inspection_photo").order_by("vendor_name", "pk"))
    for part in parts:
        part.part_lines = [line for line in lines if line.vendor_order_id == part.pk]
    loose_lines = [line for line in lines if line.vendor_order_id is None]
    actions = {}
    if can_change:
        if order.status == Order.Status.PENDING_PAYMENT:
            actions["bank_transfer_form"] = forms_.get("bank_transfer_form") or BankTransferForm(
                initial={"amount": order.total, "received_on": timezone.localdate()}
            )
        if order.is_open_unpaid:
            actions["cancel_form"] = forms_.get("cancel_form") or CancelForm()
        refundable = order.status not in (Order.Status.CANCELLED, Order.Status.REFUNDED, *Order.OPEN_UNPAID)
        if refundable and order.payments.filter(status=Payment.Status.SUCCEEDED).exists():
            actions["refund_form"] = forms_.get("refund_form") or RefundForm(lines=lines)
        if order.status == Order.Status.SHIPPED:
            actions["complete_form"] = CompleteForm()
    title = _("Order %(number)s") % {"number": order.number}
    context = {
        "page_title": title,
        "header_title": title,
        "header_icon": "list-ul",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("staff_orders:index"), "label": _("Orders")},
            {"url": "", "label": order.number},
        ],
        "order": order,
        "parts": parts,
        "loose_lines": loose_lines,
        "payments": list(order.payments.select_related("recorded_by")),
        "refunds": list(Refund.objects.filter(payment__order=order).select_related("created_by", "payment")),
        "events": event_rows(order),
        "can_change": can_change,
        **actions,
    }
    return TemplateResponse(request, "marketplace/admin/orders/staff_detail.html", context)


def order_detail(request, pk):
    return _render_order(request, _staff_order(request, pk))


def _act(request, pk, form_name, make_form, perform, success_message):
    """POST an action form; on success redirect to the order with a message, else show the page again."""
    order = _staff_order(request, pk, change=True)
    if request.method != "POST":
        return redirect("staff_orders:detail", order.pk)
    form = make_form(order, request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return _render_order(request, order, **{form_name: form})
    try:
        perform(order, form)
    except DomainError as error:
        messages.error(request, error.message)
        order.refresh_from_db()
        return _render_order(request, order, **{form_name: form})
    messages.success(request, success_message % {"number": order.number})
    return redirect("staff_orders:detail", order.pk)


def order_bank_transfer(request, pk):
    return _act(
        request,
        pk,
        "bank_transfer_form",
        lambda order, data: BankTransferForm(data),
        lambda order, form: services.record_bank_transfer(
            order,
            amount=form.cleaned_data["amount"],
            received_on=form.cleaned_data["received_on"],
            bank_reference=form.cleaned_data["bank_reference"],
            user=request.user,
        ),
        _("Bank transfer recorded; order %(number)s is paid."),
    )


def order_cancel(request, pk):
    return _act(
        request,
        pk,
        "cancel_form",
        lambda order, data: CancelForm(data),
        lambda order, form: services.cancel_order(
            order, user=request.user, reason=form.cleaned_data["reason"], by_staff=True
        ),
        _("Order %(number)s cancelled; its stock is released."),
    )


def order_refund(request, pk):
    return _act(
        request,
        pk,
        "refund_form",
        lambda order, data: RefundForm(data, lines=list(order.lines.order_by("pk"))),
        lambda order, form: _warn_if_pending(
            request,
            services.refund(
                order,
                user=request.user,
                lines=form.refund_lines(),
                reason=form.cleaned_data["reason"],
                refund_shipping=form.cleaned_data.get("refund_shipping", False),
            ),
        ),
        _("Refund for order %(number)s recorded."),
    )


def _warn_if_pending(request, order):
    """Stripe did not take a refund yet: it is recorded and retried by expire_orders; staff should know."""
    pending = Refund.objects.filter(payment__order=order, status=Refund.Status.PENDING).first()
    if pending is not None:
        messages.warning(
            request,
            _("The payment service has not taken the refund yet (%(error)s); it is retried automatically.")
            % {"error": pending.last_error or "-"},
        )
    return order


def order_complete(request, pk):
    return _act(
        request,
        pk,
        "complete_form",
        lambda order, data: CompleteForm(data),
        lambda order, form: services.mark_order_completed(order, user=request.user),
        _("Order %(number)s marked as completed."),
    )


# --- staff: the after-sale queue ------------------------------------------------------------------------------

QUEUE_ORDER = [
    AfterSaleRequest.Status.ESCALATED,
    AfterSaleRequest.Status.REFUNDING,
    AfterSaleRequest.Status.REQUESTED,
    AfterSaleRequest.Status.REFUSED,
    AfterSaleRequest.Status.ACCEPTED,
    AfterSaleRequest.Status.RETURN_SHIPPED,
]


def after_sale_queue(request):
    """Every after-sale request, those waiting for staff (escalated) first, then refunds still under way, then the
    open ones; closed ones last. `?status=` narrows it."""
    _require(after_sale.is_after_sale_staff, request.user)
    from django.db.models import Case, IntegerField, Value, When

    rank = Case(
        *[When(status=status, then=Value(i)) for i, status in enumerate(QUEUE_ORDER)],
        default=Value(len(QUEUE_ORDER)),
        output_field=IntegerField(),
    )
    rows = AfterSaleRequest.objects.select_related("order", "vendor_order").annotate(rank=rank)
    status = request.GET.get("status", "")
    if status in AfterSaleRequest.Status.values:
        rows = rows.filter(status=status)
    title = _("After-sale requests")
    context = {
        "page_title": title,
        "header_title": title,
        "header_icon": "warning",
        "rows": list(rows.order_by("rank", "created_at")[:200]),
        "statuses": AfterSaleRequest.Status.choices,
        "status": status,
    }
    return TemplateResponse(request, "marketplace/admin/after_sale/queue.html", context)


def _render_after_sale(request, row, decision_form=None):
    title = _("After-sale request #%(pk)s") % {"pk": row.pk}
    context = {
        "page_title": title,
        "header_title": title,
        "header_icon": "warning",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("after_sale_admin:index"), "label": _("After-sale requests")},
            {"url": "", "label": f"#{row.pk}"},
        ],
        "row": row,
        "order": row.order,
        "events": [e for e in event_rows(row.order) if e["event"].data.get("request") == row.pk],
        "decision_form": decision_form or (DecisionForm() if row.status == AfterSaleRequest.Status.ESCALATED else None),
    }
    return TemplateResponse(request, "marketplace/admin/after_sale/detail.html", context)


def after_sale_admin_detail(request, pk):
    _require(after_sale.is_after_sale_staff, request.user)
    row = get_object_or_404(
        AfterSaleRequest.objects.select_related("order", "vendor_order").prefetch_related(
            "lines__order_line", "photos__image"
        ),
        pk=pk,
    )
    return _render_after_sale(request, row)


def after_sale_decide(request, pk, decision):
    """Staff approve (the refund is made once) or reject (with a note) an escalated request."""
    _require(after_sale.is_after_sale_staff, request.user)
    row = get_object_or_404(AfterSaleRequest, pk=pk)
    if request.method != "POST" or decision not in ("approve", "reject"):
        return redirect("after_sale_admin:detail", row.pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            after_sale.decide(row, user=request.user, approve=decision == "approve", note=form.cleaned_data["note"])
        except DomainError as error:
            form.add_error("note" if error.field == "note" else None, error.message)
    if form.errors:
        messages.error(request, _("Please correct the errors below."))
        row.refresh_from_db()
        return _render_after_sale(request, row, decision_form=form)
    if decision == "approve":
        messages.success(request, _("Approved: the buyer is refunded."))
    else:
        messages.success(request, _("Rejected: the request is closed."))
    return redirect("after_sale_admin:detail", row.pk)
