"""The buyer's pages: cart, checkout, payment, orders, and the account page with addresses.

Thin views: forms parse the request, `cart.py` keeps the cart, `services.py` and `stripe_gateway.py`
act, and a refused operation's DomainError.message (translated from the error table) is shown as it is.
"""

import functools
import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cms.divisions import provinces
from cms.errors import DomainError

from . import addresses, after_sale, extensions, payment_methods, services, shipping, stripe_gateway
from .cart import Cart
from .forms import (
    PERSONAL,
    AddressForm,
    AddToCartForm,
    AfterSaleForm,
    CartLineForm,
    CheckoutForm,
    OrderForForm,
    PaymentMethodChangeForm,
    ReturnShipmentForm,
    offered_payment_methods,
)
from .models import AfterSaleRequest, DeliveryAddress, Order, OrderEvent, OrderLine, Payment, PaymentMethod, VendorOrder
from .order_access import ORDER_LINKS_SESSION_KEY, grant_order_access, guest_token

logger = logging.getLogger(__name__)


# -- cart -------------------------------------------------------------------------------------------


def _cart_destination(request):
    """Where the cart's shipping is worked out to: the province chosen on the cart page (?province=), else the
    buyer's default address, else nowhere yet (fees are shown at checkout)."""
    province = shipping.canonical_province(request.GET.get("province", ""))
    if province in provinces():
        return shipping.ProvinceOnly(province)
    if request.user.is_authenticated:
        return DeliveryAddress.objects.filter(user=request.user).first()
    return None


@never_cache
def cart(request):
    the_cart = Cart.for_request(request)
    destination = _cart_destination(request)
    if not the_cart.is_empty:
        the_cart.quote_shipping(destination)
    context = {
        "cart": the_cart,
        "provinces": provinces(),
        "destination_province": shipping.canonical_province(getattr(destination, "province", "")),
    }
    return TemplateResponse(request, "marketplace/checkout/cart.html", context)


@require_POST
def cart_add(request):
    """Add to the cart from the product page; a refusal goes back to the product page with the message.

    "Buy now" (`buy_now`) adds the same way and goes straight on to the checkout instead of the cart."""
    form = AddToCartForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = reverse("cart")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        Cart.for_request(request).add(form.cleaned_data["product"], form.cleaned_data["quantity"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, _("Added to your cart."))
    return redirect("checkout" if request.POST.get("buy_now") else "cart")


@require_POST
def cart_update(request):
    form = CartLineForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("cart")
    the_cart, data = Cart.for_request(request), form.cleaned_data
    try:
        if data["action"] == "remove":
            the_cart.remove(data["product"])
            messages.success(request, _("Removed from your cart."))
        elif data["action"] == "update":
            the_cart.set_quantity(data["product"], data["quantity"])
        else:
            the_cart.accept_prices()
            messages.success(request, _("You accepted the new prices."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("cart")


# -- checkout ---------------------------------------------------------------------------------------


@never_cache
@login_required
def checkout(request):
    the_cart = Cart.for_request(request)
    if the_cart.is_empty:
        messages.info(request, _("Your cart is empty."))
        return redirect("cart")
    # Someone who may order for others too (a canteen unit's buyer) first says whom the cart is for.
    order_for = extensions.order_for_choices(request.user)
    if order_for:
        chosen = (request.POST if request.method == "POST" else request.GET).get("order_for")
        if chosen != PERSONAL:
            return _order_for_step(request, the_cart, order_for, chosen)
    recalculate = request.method == "POST" and "recalculate" in request.POST
    if recalculate:
        form = CheckoutForm.keeping(request.POST, user=request.user)
    else:
        form = CheckoutForm(request.POST if request.method == "POST" else None, user=request.user)
    the_cart.quote_shipping(form.shipping_address())
    if request.method == "POST" and not recalculate and form.is_valid():
        if not the_cart.can_check_out:
            messages.error(request, _("Please check the marked lines in your cart first."))
            return redirect("cart")
        address, new_address_form = form.chosen_address()
        data = form.cleaned_data
        the_cart.quote_shipping(address)
        if data.get("shipping_seen") is not None and data["shipping_seen"] != the_cart.shipping_total:
            form.add_error(
                None,
                _("Shipping to this address costs %(fee)s. Please check the fees and place the order again.")
                % {"fee": f"¥{the_cart.shipping_total:.2f}"},
            )
            return _checkout_page(request, the_cart, form, order_for)
        # A double submit (same idempotency key) gets the first order back and saves no second address.
        retried = Order.objects.filter(buyer=request.user, idempotency_key=data["idempotency_key"]).exists()
        try:
            order = services.place_order(
                buyer=request.user,
                lines=the_cart.line_requests(),
                payment_method=data["payment_method"],
                address=address,
                note=data["note"],
                idempotency_key=data["idempotency_key"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            the_cart.remove_products(order.lines.exclude(product=None).values_list("product_id", flat=True))
            if new_address_form is not None and not retried:
                saved = new_address_form.save(commit=False)
                saved.user = request.user
                addresses.save_address(saved, make_default=new_address_form.cleaned_data.get("make_default"))
            if order.payment_method in PaymentMethod.online():
                return redirect("order_pay", number=order.number)
            messages.success(request, _("Thank you! Your order is placed."))
            return redirect("order_detail", number=order.number)
    return _checkout_page(request, the_cart, form, order_for)


def _checkout_page(request, the_cart, form, order_for):
    return TemplateResponse(
        request,
        "marketplace/checkout/checkout.html",
        {
            "cart": the_cart,
            "form": form,
            "new_address": form.new_address,
            "no_payment_methods": not offered_payment_methods(),
            "order_for": order_for,
            "order_for_personal": PERSONAL,
        },
    )


def _order_for_step(request, the_cart, order_for, chosen):
    """A unit buyer first says whom the cart is for, the unit pre-selected: a unit order goes to the unit's
    checkout (the chosen OrderFor's url); only an explicit "for myself" reaches the personal one. A personal
    order posted without that choice is refused here, before anything is placed."""
    choice = OrderForForm(request.GET if request.method == "GET" and chosen else None, order_for=order_for)
    if request.method == "GET" and chosen and choice.is_valid():
        return redirect(choice.chosen().url)
    if request.method == "POST":
        messages.error(
            request, _("Choose whether this order is for your unit or a personal one: nothing is ordered yet.")
        )
    return TemplateResponse(request, "marketplace/checkout/order_for.html", {"cart": the_cart, "choice": choice})


# -- orders -----------------------------------------------------------------------------------------


GUEST_BASE_TEMPLATE = "marketplace/checkout/guest_base.html"


def _own_order(request, number):
    """The buyer's own order, or a guest's order this browser holds the access token of; else 404."""
    order = Order.objects.filter(number=number).first()
    if order is None or not services.may_open_order(
        order, user=request.user, access_token=guest_token(request, number)
    ):
        raise Http404(_("No such order."))
    return order


def order_access_required(view):
    """Like login_required, but a guest holding the order's access token in the session may pass too."""

    @functools.wraps(view)
    def wrapper(request, number, *args, **kwargs):
        if not request.user.is_authenticated and not guest_token(request, number):
            return login_required(view)(request, number, *args, **kwargs)
        return view(request, number, *args, **kwargs)

    return wrapper


@never_cache
def order_access(request, token):
    """The private link to a guest's order (in its e-mails and on the ticket page): remember it, show the order."""
    order = Order.objects.filter(access_token=token, buyer=None).first() if token else None
    if order is None:
        raise Http404(_("No such order."))
    grant_order_access(request, order)
    return redirect("order_detail", number=order.number)


@never_cache
@login_required
def order_list(request):
    orders = Order.objects.filter(buyer=request.user).prefetch_related("vendor_orders")
    return TemplateResponse(request, "marketplace/checkout/order_list.html", {"orders": orders})


BUYER_EVENT_LABELS = {
    "placed": lambda e: _("Order placed"),
    "paid": lambda e: _("Payment received"),
    "bank_transfer_recorded": lambda e: _("Bank transfer received"),
    "cancelled": lambda e: _("Order cancelled"),
    "payment_method_changed": lambda e: (
        _("Payment method changed to %(method)s")
        % {"method": PaymentMethod(e.data["to"]).label if e.data.get("to") in PaymentMethod.values else ""}
    ),
    "expired": lambda e: _("Cancelled: not paid in time"),
    "vendor_shipped": lambda e: (
        _("%(vendor)s shipped their part (tracking number %(tracking)s)")
        % {"vendor": e.data.get("vendor", ""), "tracking": e.data.get("tracking", "")}
    ),
    "delivery_confirmed": lambda e: (
        _("You confirmed receipt of %(vendor)s's part") % {"vendor": e.data.get("vendor", "")}
    ),
    "auto_confirmed": lambda e: (
        _("Receipt of %(vendor)s's part confirmed automatically") % {"vendor": e.data.get("vendor", "")}
    ),
    "completed": lambda e: _("Order completed"),
    "part_refunded": lambda e: _("%(vendor)s's part refunded") % {"vendor": e.data.get("vendor", "")},
    "refunded": lambda e: _("Refunded"),
    "partly_refunded": lambda e: _("Partly refunded"),
    "part_cancelled": lambda e: _("You cancelled %(vendor)s's part") % {"vendor": e.data.get("vendor", "")},
    "after_sale_requested": lambda e: _("After-sale request to %(vendor)s") % {"vendor": e.data.get("vendor", "")},
    "after_sale_refunded": lambda e: _("After-sale refund of %(amount)s made") % {"amount": e.data.get("amount", "")},
}


def _money(amount):
    from cms.templatetags.cms_tags import cny

    return cny(amount) if amount else ""


# The steps of one after-sale request as its page shows them.
AFTER_SALE_EVENT_LABELS = {
    "after_sale_requested": lambda e: _("You asked for after-sale"),
    "after_sale_accepted": lambda e: _("The vendor accepted"),
    "after_sale_refused": lambda e: _("The vendor refused: %(reason)s") % {"reason": e.note},
    "after_sale_escalated": lambda e: _("You asked the platform to decide"),
    "after_sale_auto_escalated": lambda e: _("The vendor did not answer in time: the platform decides"),
    "after_sale_return_shipped": lambda e: (
        _("You sent the goods back (tracking number %(tracking)s)") % {"tracking": e.data.get("tracking", "")}
    ),
    "after_sale_return_received": lambda e: _("The vendor received the goods back"),
    "after_sale_approved": lambda e: _("The platform approved the refund"),
    "after_sale_rejected": lambda e: _("The platform rejected the request: %(note)s") % {"note": e.note},
    "after_sale_withdrawn": lambda e: _("You withdrew the request"),
    "after_sale_refunded": lambda e: _("Refunded %(amount)s") % {"amount": _money(e.data.get("amount"))},
}


def buyer_timeline(order):
    """The events a buyer may see, with a readable label each (staff-only notes are left out)."""
    timeline = []
    for event in order.events.all():
        if event.action in BUYER_EVENT_LABELS:
            label = BUYER_EVENT_LABELS[event.action](event)
        elif event.action.startswith("status:") and event.to_status in Order.Status.values:
            label = Order.Status(event.to_status).label
        else:
            continue
        timeline.append({"at": event.created_at, "label": label})
    return timeline


@never_cache
@order_access_required
def order_detail(request, number):
    order = _own_order(request, number)
    # Every line once, each with its review if any (the 评价 action is offered on received lines not yet reviewed):
    # a part's lines fill its `lines` relation, the rest (fees) are shown below the parts.
    parts = list(order.vendor_orders.all())
    lines = list(OrderLine.objects.filter(order=order).select_related("review").order_by("pk"))
    for part in parts:
        part_lines = [line for line in lines if line.vendor_order_id == part.pk]
        for line in part_lines:
            line.vendor_order = part  # as prefetch_related would: line.is_received_product asks its part
        services.remember_rows(part, lines=part_lines)
    public = order.buyer_id is not None and order.buyer_unit_id is None
    requests = list(AfterSaleRequest.objects.filter(order=order).order_by("-created_at", "-pk"))
    for part in parts:
        part.order = order
        # 申请售后 is offered while the window is open and something is left to ask for; 取消 before shipping.
        part.can_ask_after_sale = (
            public and after_sale.window_error(part) is None and any(after_sale.available_quantities(part).values())
        )
        part.can_cancel = public and part.status == VendorOrder.Status.TO_SHIP
        part.after_sale_requests = [r for r in requests if r.vendor_order_id == part.pk]
    awaiting_payment = order.status == Order.Status.PENDING_PAYMENT
    paid_online = order.payment_method in PaymentMethod.online()
    # Online payment for an order placed while Stripe was configured and is not now: the page says so and
    # offers the switch to bank transfer instead of a payment page that cannot take the money.
    online_unavailable = awaiting_payment and paid_online and not payment_methods.is_available(order.payment_method)
    switch_form = PaymentMethodChangeForm(order=order) if awaiting_payment else None
    context = {
        "order": order,
        "parts": parts,
        "other_lines": [line for line in lines if line.vendor_order_id is None],
        "timeline": buyer_timeline(order),
        "is_bank_transfer": order.payment_method == PaymentMethod.BANK_TRANSFER,
        "can_pay_online": awaiting_payment and paid_online and not online_unavailable,
        "online_unavailable": online_unavailable,
        "switch_form": switch_form if switch_form is not None and switch_form.has_choices else None,
        "bank": {
            "name": settings.BANK_ACCOUNT_NAME,
            "bank": settings.BANK_ACCOUNT_BANK,
            "number": settings.BANK_ACCOUNT_NUMBER,
        },
        "shipped_statuses": (VendorOrder.Status.SHIPPED, VendorOrder.Status.DELIVERED),
        "can_confirm_delivery": order.buyer_id is not None and order.buyer_unit_id is None,
        "base_template": GUEST_BASE_TEMPLATE if order.is_guest else "cms/accounts/account_base.html",
        "related_url": (request.session.get(ORDER_LINKS_SESSION_KEY) or {}).get(order.number, ""),
    }
    return TemplateResponse(request, "marketplace/checkout/order_detail.html", context)


@require_POST
@order_access_required
def order_cancel(request, number):
    order = _own_order(request, number)
    try:
        services.cancel_order(
            order,
            user=request.user,
            reason=_("cancelled by the buyer"),
            access_token=guest_token(request, number),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Order %(number)s is cancelled.") % {"number": order.number})
    return redirect("order_detail", number=order.number)


def _buyer_part(request, number, part):
    """The buyer's order and one vendor part of it; else 404."""
    order = _own_order(request, number)
    return order, get_object_or_404(VendorOrder, pk=part, order=order)


def _part_action(request, number, part, service, success):
    """One buyer step on one vendor part of their order: `service(part, user=…)`, then `success` (with
    %(vendor)s) or the service's refusal as a message, and back to the order."""
    order, vendor_order = _buyer_part(request, number, part)
    try:
        service(vendor_order, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success % {"vendor": vendor_order.vendor_name})
    return redirect("order_detail", number=order.number)


@require_POST
@login_required
def order_confirm_delivery(request, number, part):
    """确认收货: the buyer confirms a shipped vendor part arrived."""
    success = _("Thank you! You confirmed receipt of %(vendor)s's part.")
    return _part_action(request, number, part, services.confirm_delivery, success)


@require_POST
@login_required
def order_cancel_part(request, number, part):
    """Cancel one vendor's part before it ships: its money comes back, the rest of the order goes on."""
    success = _("%(vendor)s's part is cancelled and its money is being refunded.")
    return _part_action(request, number, part, services.cancel_vendor_part, success)


@never_cache
@login_required
def after_sale_new(request, number, part):
    """申请售后: the request form for one vendor part (quantities per line, kind, reason, note, photos)."""
    order, vendor_order = _buyer_part(request, number, part)
    vendor_order.order = order
    problem = after_sale.window_error(vendor_order)
    if problem:
        messages.error(request, problem.message)
        return redirect("order_detail", number=order.number)
    lines = list(vendor_order.lines.order_by("pk"))
    available = after_sale.available_quantities(vendor_order)
    if not any(available.values()):
        messages.error(request, _("Everything of this part is refunded or already asked for."))
        return redirect("order_detail", number=order.number)
    form = AfterSaleForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        lines=lines,
        available=available,
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = after_sale.create_request(
                vendor_order,
                user=request.user,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                quantities=form.quantities(),
                note=form.cleaned_data["note"],
                photos=form.cleaned_data.get("photos") or [],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Your request is sent to %(vendor)s.") % {"vendor": vendor_order.vendor_name})
            return redirect("after_sale_detail", number=order.number, pk=created.pk)
    context = {"order": order, "part": vendor_order, "form": form}
    return TemplateResponse(request, "marketplace/checkout/after_sale_form.html", context)


def after_sale_timeline(request_row):
    events = OrderEvent.objects.filter(order_id=request_row.order_id, action__startswith="after_sale_")
    return [
        {"at": event.created_at, "label": AFTER_SALE_EVENT_LABELS[event.action](event)}
        for event in events
        if event.data.get("request") == request_row.pk and event.action in AFTER_SALE_EVENT_LABELS
    ]


@never_cache
@login_required
def after_sale_detail(request, number, pk, return_form=None):
    """One after-sale request: what was asked, the answers, the timeline and what the buyer may do now."""
    order = _own_order(request, number)
    row = get_object_or_404(after_sale.requests_for_order(order), pk=pk)
    allows = AfterSaleRequest.TRANSITIONS.allows
    awaiting_return = row.status == AfterSaleRequest.Status.ACCEPTED and row.kind == AfterSaleRequest.Kind.RETURN
    context = {
        "order": order,
        "after_sale": row,
        "timeline": after_sale_timeline(row),
        "can_withdraw": allows(row.status, AfterSaleRequest.Status.WITHDRAWN),
        "can_escalate": row.status in after_sale.BUYER_ESCALATES,
        "return_form": return_form or (ReturnShipmentForm() if awaiting_return else None),
    }
    return TemplateResponse(request, "marketplace/checkout/after_sale_detail.html", context)


@require_POST
@login_required
def after_sale_action(request, number, pk, action):
    """The buyer's steps on a request: withdraw, escalate to the platform, send a return back."""
    order = _own_order(request, number)
    row = get_object_or_404(AfterSaleRequest, pk=pk, order=order)
    try:
        if action == "withdraw":
            after_sale.withdraw(row, user=request.user)
            messages.success(request, _("You withdrew the request."))
        elif action == "escalate":
            after_sale.escalate(row, user=request.user)
            messages.success(request, _("The platform will look at your request and decide."))
        elif action == "return":
            form = ReturnShipmentForm(request.POST)
            if not form.is_valid():
                return after_sale_detail(request, number, pk, return_form=form)
            after_sale.ship_return(
                row,
                user=request.user,
                carrier=form.cleaned_data["carrier"],
                tracking_number=form.cleaned_data["tracking_number"],
            )
            messages.success(request, _("Thank you: the vendor refunds you once the goods are back."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("after_sale_detail", number=order.number, pk=row.pk)


@require_POST
@order_access_required
def order_payment_method(request, number):
    """Switch an unpaid order to another available payment method (services.change_payment_method says which
    are allowed and refuses the rest with a message); online → the payment page, bank transfer → the order page
    with the account and the payment reference."""
    order = _own_order(request, number)
    try:
        order = services.change_payment_method(
            order,
            request.POST.get("payment_method", ""),
            user=request.user,
            access_token=guest_token(request, number),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("order_detail", number=order.number)
    if order.payment_method in PaymentMethod.online():
        return redirect("order_pay", number=order.number)
    messages.success(request, _("You pay by bank transfer now: the account and the payment reference are below."))
    return redirect("order_detail", number=order.number)


@never_cache
@order_access_required
def order_pay(request, number):
    order = _own_order(request, number)
    if order.payment_method not in PaymentMethod.online() or order.status != Order.Status.PENDING_PAYMENT:
        return redirect("order_detail", number=order.number)
    if not payment_methods.is_available(order.payment_method):
        # The order page explains it and offers bank transfer instead.
        return redirect("order_detail", number=order.number)
    try:
        payment = stripe_gateway.start_payment(order)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("order_detail", number=order.number)
    order.refresh_from_db()
    if order.status != Order.Status.PENDING_PAYMENT:  # the intent had already succeeded
        return redirect("order_detail", number=order.number)
    context = {
        "order": order,
        "payment": payment,
        "stripe_js_url": settings.STRIPE_JS_URL,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "return_url": request.build_absolute_uri(reverse("order_pay_return", args=[order.number])),
    }
    return TemplateResponse(request, "marketplace/checkout/pay.html", context)


@never_cache
@order_access_required
def order_pay_return(request, number):
    """Stripe sends the buyer back here: ask Stripe how the payment went, so a late webhook never matters."""
    order = _own_order(request, number)
    for payment in order.payments.exclude(stripe_payment_intent=None).filter(status=Payment.Status.PENDING):
        try:
            stripe_gateway.refresh_payment(payment)
        except (DomainError, stripe.StripeError) as error:
            logger.warning("Could not refresh payment %s of %s: %s", payment.pk, order.number, error)
    order.refresh_from_db()
    if order.status == Order.Status.PAID:
        messages.success(request, _("Thank you! Your payment is received."))
    elif order.status == Order.Status.PENDING_PAYMENT:
        messages.info(request, _("Your payment is not confirmed yet. If you paid, this page will update shortly."))
    return redirect("order_detail", number=order.number)


# -- account ----------------------------------------------------------------------------------------


# The JSON API adds its token section as "cms/accounts/api_tokens.html"; until then a placeholder shows.
API_TOKENS_TEMPLATES = ["cms/accounts/api_tokens.html", "cms/accounts/api_tokens_placeholder.html"]


@never_cache
@login_required
def account(request):
    context = {
        "addresses": DeliveryAddress.objects.filter(user=request.user),
        # Only what order_rows.html prints: an order row is wide (guest, delivery, payment and canteen columns).
        "orders": Order.objects.filter(buyer=request.user).only("number", "status", "placed_at", "total")[:5],
        "api_tokens_template": select_template(API_TOKENS_TEMPLATES),
        # What apps built on checkout show here (canteen: "My buyer units").
        "account_sections": extensions.account_sections(request),
    }
    return TemplateResponse(request, "marketplace/checkout/account.html", context)


@never_cache
@login_required
def address_list(request):
    context = {"addresses": DeliveryAddress.objects.filter(user=request.user)}
    return TemplateResponse(request, "marketplace/checkout/address_list.html", context)


def _address_form_view(request, address):
    initial = {} if address.pk else {"phone": addresses.suggested_phone(request.user)}
    form = AddressForm(request.POST or None, instance=address, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.user = request.user
        addresses.save_address(saved, make_default=form.cleaned_data.get("make_default"))
        messages.success(request, _("Address saved."))
        return redirect("account_addresses")
    return TemplateResponse(request, "marketplace/checkout/address_form.html", {"form": form, "address": address})


@never_cache
@login_required
def address_add(request):
    return _address_form_view(request, DeliveryAddress(user=request.user))


@never_cache
@login_required
def address_edit(request, pk):
    return _address_form_view(request, get_object_or_404(DeliveryAddress, pk=pk, user=request.user))


@never_cache
@login_required
def address_delete(request, pk):
    address = get_object_or_404(DeliveryAddress, pk=pk, user=request.user)
    if request.method == "POST":
        addresses.delete_address(address)
        messages.success(request, _("Address deleted."))
        return redirect("account_addresses")
    return TemplateResponse(request, "marketplace/checkout/address_delete.html", {"address": address})


@require_POST
@login_required
def address_default(request, pk):
    addresses.set_default(get_object_or_404(DeliveryAddress, pk=pk, user=request.user))
    messages.success(request, _("Default address changed."))
    return redirect("account_addresses")
