"""Canteen pages for unit members (/canteen/…): thin callers of canteen.services.

A member of unit A asking for unit B's pages or orders gets 404, like an unknown unit.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cms.errors import DomainError

from ..checkout.cart import Cart
from ..checkout.exports import CSV, XLSX, XLSX_CONTENT_TYPE, spreadsheet_response
from ..checkout.models import Order, OrderLine, PaymentMethod, VendorOrder
from . import chart, exports, services
from .forms import (
    BudgetForm,
    CanteenAddressForm,
    MemberForm,
    ReceiptForm,
    RejectForm,
    ReorderForm,
    UnitApplicationForm,
    UnitCheckoutForm,
    month_choice,
)
from .models import BuyerUnit, UnitMember

Role = UnitMember.Role


def _member_unit(request, pk):
    unit = BuyerUnit.objects.filter(pk=pk).first()
    if unit is None:
        raise Http404(_("No such unit."))
    roles = services.roles_of(request.user, unit)
    if not roles:
        raise Http404(_("No such unit."))
    return unit, roles


def _order(request, number):
    try:
        order = services.get_unit_order(request.user, number)
    except DomainError as error:
        raise Http404(error.message) from error
    return order


@never_cache
@login_required
def unit_list(request):
    memberships = UnitMember.objects.filter(user=request.user).select_related("unit").order_by("unit__name")
    units = {}
    for member in memberships:
        units.setdefault(member.unit, []).append(member.get_role_display())
    return TemplateResponse(request, "marketplace/canteen/unit_list.html", {"units": units.items()})


@never_cache
@login_required
def unit_apply(request):
    form = UnitApplicationForm(request.POST or None)
    address_form = CanteenAddressForm(request.POST or None, prefix="canteen")
    if request.method == "POST" and form.is_valid() and address_form.is_valid():
        try:
            services.apply_for_unit(user=request.user, data=form.cleaned_data, addresses=[address_form.cleaned_data])
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Thank you! Staff will verify your unit."))
            return redirect("canteen_units")
    return TemplateResponse(request, "marketplace/canteen/apply.html", {"form": form, "address_form": address_form})


@never_cache
@login_required
def dashboard(request, pk):
    unit, roles = _member_unit(request, pk)
    orders = _order_rows(services.unit_orders(unit)[:50])
    awaiting = (
        _order_rows(services.unit_orders(unit).filter(status=Order.Status.AWAITING_APPROVAL))
        if Role.APPROVER in roles
        else []
    )
    context = {
        "unit": unit,
        "roles": roles,
        "orders": orders,
        "awaiting": awaiting,
        "is_buyer": Role.BUYER in roles,
        "is_finance": Role.FINANCE in roles,
        "this_month": timezone.localdate().strftime("%Y-%m"),
        "unit_links": unit_links(request, unit),
    }
    return TemplateResponse(request, "marketplace/canteen/dashboard.html", context)


ORDER_ROW_COLUMNS = (
    "number",
    "placed_at",
    "buyer__username",
    "requested_delivery_date",
    "delivery_window",
    "purchase_order_number",
    "status",
    "total",
)


def _order_rows(orders):
    """The unit's order rows as plain values, ready to print: model instances (with their buyers and parts), a
    `{% url %}`, a date filter and a status display per row cost ≈ 0.4 ms a row; this costs a tenth of it."""
    order_url = reverse("canteen_order", args=["0"])[:-2]  # the prefix; a number is letters and digits only
    labels = {value: str(label) for value, label in Order.Status.choices}
    rows = []
    for number, placed_at, buyer, delivery_date, window, po_number, status, total in orders.values_list(
        *ORDER_ROW_COLUMNS
    ):
        rows.append(
            {
                "number": number,
                "url": f"{order_url}{number}/",
                "placed": timezone.localtime(placed_at).strftime("%Y-%m-%d %H:%M") if placed_at else "",
                "buyer": buyer,
                "delivery": f"{delivery_date.isoformat() if delivery_date else ''} {window}",
                "purchase_order_number": po_number or "—",
                "status": status,
                "status_label": labels.get(status, status),
                "total": total,
            }
        )
    return rows


UNIT_LINKS_HOOK = "register_canteen_unit_links"


def unit_links(request, unit):
    """Links other apps add to a unit's page (the fairs' purchase agreements, …): each `register_canteen_unit_links`
    hook takes the request and the unit and returns dicts with `url` and `label`."""
    from wagtail import hooks

    return [link for hook in hooks.get_hooks(UNIT_LINKS_HOOK) for link in (hook(request, unit) or ())]


@never_cache
@login_required
def unit_checkout(request, pk):
    unit, roles = _member_unit(request, pk)
    if Role.BUYER not in roles or not unit.is_verified:
        raise PermissionDenied
    the_cart = Cart.for_request(request)
    if the_cart.is_empty:
        messages.info(request, _("Your cart is empty."))
        return redirect("cart")
    form = UnitCheckoutForm(request.POST if request.method == "POST" else None, unit=unit)
    # The delivery fees (the vendors' canteen delivery terms) to the canteen chosen, before ordering.
    chosen = form.data.get("address") if form.is_bound else form.fields["address"].initial
    the_cart.quote_shipping(next((a for a in form.addresses if str(a.pk) == str(chosen)), None), canteen=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.place_unit_order(
                user=request.user,
                unit=unit,
                lines=the_cart.line_requests(),
                delivery=services.Delivery(
                    address=form.chosen_address(),
                    date=data["delivery_date"],
                    window=data["delivery_window"],
                    purchase_order_number=data["purchase_order_number"],
                ),
                payment_method=data["payment_method"],
                note=data["note"],
                idempotency_key=data["idempotency_key"],
            )
        except DomainError as error:
            form.add_error("delivery_date" if error.field == "delivery_date" else None, error.message)
        else:
            the_cart.remove_products(order.lines.exclude(product=None).values_list("product_id", flat=True))
            if order.status == Order.Status.AWAITING_APPROVAL:
                messages.success(request, _("Your order is placed and waits for an approver."))
            else:
                messages.success(request, _("Thank you! Your order is placed."))
            return redirect("canteen_order", number=order.number)
    return TemplateResponse(
        request, "marketplace/canteen/checkout.html", {"unit": unit, "cart": the_cart, "form": form}
    )


@never_cache
@login_required
def order_detail(request, number):
    order = _order(request, number)
    roles = services.roles_of(request.user, order.buyer_unit)
    parts = order.vendor_orders.select_related("invoice_file", "inspection_photo", "received_by").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
    )
    context = {
        "order": order,
        "unit": order.buyer_unit,
        "parts": parts,
        "roles": roles,
        "can_approve": Role.APPROVER in roles
        and order.status == Order.Status.AWAITING_APPROVAL
        and order.buyer_id != request.user.pk,
        "is_buyer": Role.BUYER in roles,
        "can_receive": bool(roles) and order.status not in (*Order.OPEN_UNPAID, Order.Status.CANCELLED),
        "receivable_status": VendorOrder.Status.SHIPPED,
        "receipt_form": ReceiptForm(),
        "reorder_form": ReorderForm(),
        "reject_form": RejectForm(),
        "is_bank_transfer": order.payment_method == PaymentMethod.BANK_TRANSFER,
        "events": order.events.select_related("user"),
    }
    return TemplateResponse(request, "marketplace/canteen/order_detail.html", context)


def _act(request, order, action, success):
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("canteen_order", number=order.number)


@require_POST
@login_required
def order_approve(request, number):
    order = _order(request, number)
    return _act(
        request,
        order,
        lambda: services.approve_order(order, user=request.user),
        _("Order %(number)s is approved.") % {"number": order.number},
    )


@require_POST
@login_required
def order_reject(request, number):
    order = _order(request, number)
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        order,
        lambda: services.reject_order(order, user=request.user, reason=reason),
        _("Order %(number)s is rejected.") % {"number": order.number},
    )


@require_POST
@login_required
def order_receive(request, number, part_id):
    order = _order(request, number)
    part = order.vendor_orders.filter(pk=part_id).first()
    if part is None:
        raise Http404(_("No such order."))
    form = ReceiptForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("canteen_order", number=order.number)

    def receive():
        services.confirm_receipt(
            part, user=request.user, note=form.cleaned_data["note"], photo=form.cleaned_data.get("photo")
        )

    return _act(request, order, receive, _("Receipt confirmed for %(vendor)s.") % {"vendor": part.vendor_name})


@require_POST
@login_required
def order_request_invoice(request, number, part_id):
    order = _order(request, number)
    part = order.vendor_orders.filter(pk=part_id).first()
    if part is None:
        raise Http404(_("No such order."))
    return _act(request, order, lambda: services.request_invoice(part, user=request.user), _("Invoice requested."))


@require_POST
@login_required
def order_reorder(request, number):
    order = _order(request, number)
    form = ReorderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a delivery date."))
        return redirect("canteen_order", number=order.number)
    try:
        new = services.reorder(
            order,
            user=request.user,
            delivery_date=form.cleaned_data["delivery_date"],
            purchase_order_number=form.cleaned_data["purchase_order_number"],
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("canteen_order", number=order.number)
    messages.success(request, _("Ordered again as %(number)s.") % {"number": new.number})
    return redirect("canteen_order", number=new.number)


STATEMENT_COLUMNS = [
    ("number", _("Order number")),
    ("placed_at", _("Placed")),
    ("buyer", _("Placed by")),
    ("purchase_order_number", _("Purchase order number")),
    ("canteen", _("Canteen")),
    ("status", _("Status")),
    ("amount", _("Amount (CNY)")),
    ("shipping", _("Of which shipping (CNY)")),
    ("paid", _("Paid")),
]


@never_cache
@login_required
def statement(request, pk):
    unit, roles = _member_unit(request, pk)
    if not roles & {Role.FINANCE, Role.APPROVER}:
        raise Http404(_("No such unit."))
    year, month = month_choice(request.GET.get("month"), timezone.localdate())
    data = services.statement(unit, year, month)
    export = request.GET.get("format")
    if export in (CSV, XLSX):
        return spreadsheet_response(
            export, STATEMENT_COLUMNS, data["rows"], f"statement-{unit.pk}-{year}-{month:02d}", _("Statement")
        )
    first = datetime.date(year, month, 1)
    previous = (first - datetime.timedelta(days=1)).strftime("%Y-%m")
    following = (first + datetime.timedelta(days=32)).strftime("%Y-%m")
    context = {
        "unit": unit,
        "data": data,
        "month": first,
        "month_value": first.strftime("%Y-%m"),
        "previous": previous,
        "following": following,
    }
    return TemplateResponse(request, "marketplace/canteen/statement.html", context)


def _year(request):
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


def _share_page(request, *, unit, year, share, per_unit=None, printable=False):
    """The share page, its printable page for filing (A4, no site header) or its Excel workbook (?format=xlsx)."""
    if request.GET.get("format") == XLSX:
        name = unit.name if unit else _("All units")
        content = exports.share_workbook(share, unit_name=name, per_unit=per_unit)
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        filename = f"share-{unit.pk if unit else 'all'}-{year}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if unit:
        page_url = reverse("canteen_share", args=[unit.pk])
        print_url = reverse("canteen_share_print", args=[unit.pk])
    else:
        page_url, print_url = reverse("canteen_staff_share"), reverse("canteen_staff_share_print")
    context = {
        "unit": unit,
        "share": share,
        "year": year,
        "svg": chart.share_chart(share),
        "per_unit": per_unit,
        "page_url": f"{page_url}?year={year}",
        "print_url": f"{print_url}?year={year}",
        "xlsx_url": f"{page_url}?year={year}&format={XLSX}",
        "today": timezone.localdate(),
    }
    template = "marketplace/canteen/share_print.html" if printable else "marketplace/canteen/share.html"
    return TemplateResponse(request, template, context)


@never_cache
@login_required
def share(request, pk, printable=False):
    unit, _roles = _member_unit(request, pk)
    year = _year(request)
    return _share_page(request, unit=unit, year=year, share=services.compute_share(year, unit), printable=printable)


@never_cache
@login_required
def staff_share(request, printable=False):
    if not (request.user.is_staff or request.user.is_superuser):
        raise Http404
    year = _year(request)
    result = services.compute_share(year)
    per_unit = [(unit, services.compute_share(year, unit)) for unit in BuyerUnit.objects.filter(status="verified")]
    return _share_page(request, unit=None, year=year, share=result, per_unit=per_unit, printable=printable)


# -- the unit's own administration (approvers; finance for the budget) ----------------------------------


def _unit_with_role(request, pk, *roles):
    """The unit when the user has one of `roles` in it; 404 otherwise, as for another unit's pages."""
    unit, have = _member_unit(request, pk)
    if not have & set(roles):
        raise Http404(_("No such unit."))
    return unit, have


@never_cache
@login_required
def budget(request, pk):
    unit, _roles = _unit_with_role(request, pk, Role.FINANCE, Role.APPROVER)
    year = timezone.localdate().year
    current = unit.budgets.filter(year=year).first()
    initial = {"year": year, "target_share": "0.100"}
    if current:
        initial.update(food_budget=current.food_budget, target_share=current.target_share)
    form = BudgetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.set_annual_budget(
                unit, data["year"], data["food_budget"], data["target_share"], request.user
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The budget for %(year)s is saved.") % {"year": saved.year})
            return redirect("canteen_budget", pk=unit.pk)
    context = {"unit": unit, "form": form, "budgets": unit.budgets.all()}
    return TemplateResponse(request, "marketplace/canteen/budget.html", context)


@never_cache
@login_required
def members(request, pk):
    unit, _roles = _unit_with_role(request, pk, Role.APPROVER)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.add_member(
                unit, user=request.user, identifier=form.cleaned_data["identifier"], role=form.cleaned_data["role"]
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("%(user)s is now %(role)s of this unit.")
                % {"user": member.user.get_username(), "role": member.get_role_display()},
            )
            return redirect("canteen_members", pk=unit.pk)
    rows = unit.members.select_related("user").order_by("user__username", "role")
    return TemplateResponse(request, "marketplace/canteen/members.html", {"unit": unit, "form": form, "rows": rows})


@require_POST
@login_required
def member_remove(request, pk, member_id):
    unit, _roles = _unit_with_role(request, pk, Role.APPROVER)
    member = get_object_or_404(unit.members.select_related("unit", "user"), pk=member_id)
    try:
        services.remove_member(member, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(user)s is no longer %(role)s of this unit.")
            % {"user": member.user.get_username(), "role": member.get_role_display()},
        )
    return redirect("canteen_members", pk=unit.pk)


@never_cache
@login_required
def addresses(request, pk):
    unit, _roles = _unit_with_role(request, pk, Role.APPROVER)
    form = CanteenAddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_address(unit, user=request.user, data=form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The canteen is added."))
            return redirect("canteen_addresses", pk=unit.pk)
    context = {"unit": unit, "form": form, "addresses": unit.addresses.all()}
    return TemplateResponse(request, "marketplace/canteen/addresses.html", context)


@never_cache
@login_required
def address_edit(request, pk, address_id):
    unit, _roles = _unit_with_role(request, pk, Role.APPROVER)
    address = get_object_or_404(unit.addresses.select_related("unit"), pk=address_id)
    form = CanteenAddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_address(address, user=request.user, data=form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The canteen is saved."))
            return redirect("canteen_addresses", pk=unit.pk)
    context = {"unit": unit, "form": form, "address": address}
    return TemplateResponse(request, "marketplace/canteen/address_edit.html", context)


@require_POST
@login_required
def address_delete(request, pk, address_id):
    unit, _roles = _unit_with_role(request, pk, Role.APPROVER)
    address = get_object_or_404(unit.addresses.select_related("unit"), pk=address_id)
    try:
        services.delete_address(address, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The canteen is removed."))
    return redirect("canteen_addresses", pk=unit.pk)
