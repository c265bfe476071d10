"""E-mails about orders, sent after the transaction commits, through django-tasks.

The task takes ids, not objects, and reads the order afresh, so a worker process can run it.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from .models import Order, VendorOrder

SUBJECTS = {
    "placed": "订单已提交 / Order placed: {number}",
    "paid": "订单已付款 / Order paid: {number}",
    "shipped": "订单已发货 / Order shipped: {number}",
    "cancelled": "订单已取消 / Order cancelled: {number}",
    "refunded": "订单已退款 / Order refunded: {number}",
    "vendor_new_order": "新订单 / New order: {number}",
}


@task()
def send_order_email(order_id, kind, vendor_order_id=None):
    order = Order.objects.select_related("buyer").get(pk=order_id)
    part = VendorOrder.objects.select_related("vendor").get(pk=vendor_order_id) if vendor_order_id else None
    if kind == "vendor_new_order":
        recipients = list(part.vendor.members.exclude(user__email="").values_list("user__email", flat=True)) + (
            [part.vendor.contact_email] if part.vendor.contact_email else []
        )
    else:
        # A guest's order (no account) goes to the e-mail the guest gave, if any.
        recipients = [order.contact_email] if order.contact_email else []
    recipients = sorted(set(recipients))
    if not recipients:
        return 0
    context = {"order": order, "part": part, "kind": kind, "site_url": settings.WAGTAILADMIN_BASE_URL}
    # Buyers read Chinese first; the body carries both languages.
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("marketplace/email/order_email.txt", context)
    return send_mail(SUBJECTS[kind].format(number=order.number), body, None, recipients)


def _enqueue(order, kind, vendor_order=None):
    order_id, part_id = order.pk, vendor_order.pk if vendor_order else None
    transaction.on_commit(lambda: send_order_email.enqueue(order_id, kind, part_id))


def order_placed(order):
    _enqueue(order, "placed")
    if order.status != Order.Status.AWAITING_APPROVAL:  # vendors hear of it once it is approved
        for part in order.vendor_orders.all():
            _enqueue(order, "vendor_new_order", part)


def order_approved(order):
    for part in order.vendor_orders.all():
        _enqueue(order, "vendor_new_order", part)


def order_paid(order):
    _enqueue(order, "paid")


def order_cancelled(order, pending_payments=()):
    _enqueue(order, "cancelled")
    from . import stripe_gateway

    for payment in pending_payments:
        if payment.stripe_payment_intent:
            intent_id = payment.stripe_payment_intent
            transaction.on_commit(lambda intent_id=intent_id: stripe_gateway.cancel_intent_quietly(intent_id))


def order_refunded(order, amount):
    _enqueue(order, "refunded")


def vendor_order_shipped(part):
    _enqueue(part.order, "shipped", part)


def payment_method_changed(order, pending_payments=()):
    """The payer switched methods (services.change_payment_method): the old method's PaymentIntents are cancelled
    at Stripe after commit, as for a cancelled order (a failure is only logged; an open intent expires by itself)."""
    from . import stripe_gateway

    for payment in pending_payments:
        if payment.stripe_payment_intent:
            intent_id = payment.stripe_payment_intent
            transaction.on_commit(lambda intent_id=intent_id: stripe_gateway.cancel_intent_quietly(intent_id))
