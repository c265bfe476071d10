"""Messages about orders — e-mail and SMS — sent after the transaction commits, through django-tasks.

Services call the functions at the bottom (order_placed, order_paid, …); each queues `send_order_notice` after
commit (several notices about one order go as one `send_order_notices` task, one queue write). The task takes
ids, not objects, reads the order afresh (so a worker process can run it), composes the e-mail and the SMS, and
hands them to `cms.notify.notify`, which picks the channel per recipient: buyers and guests by e-mail if they gave
one, else by SMS; vendors and unit approvers by both.
SMS template keys and their parameters are listed in README "Notifications: e-mail and SMS".
"""

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from cms.notify import Recipient, Sms, absolute_url, channels, notify, user_recipient

from . import extensions, stripe_client
from .models import Order, PaymentMethod, VendorOrder

logger = logging.getLogger(__name__)

SUBJECTS = {
    "placed": "订单已提交 / Order placed: {number}",
    "awaiting_approval": "订单待审批 / Order waiting for approval: {number}",
    "approval_requested": "请审批订单 / Please approve order: {number}",
    "approved": "订单已批准，请付款 / Order approved, please pay: {number}",
    "rejected": "订单未获批准 / Order not approved: {number}",
    "paid": "订单已付款 / Order paid: {number}",
    "shipped": "订单已发货 / Order shipped: {number}",
    "cancelled": "订单已取消 / Order cancelled: {number}",
    "refunded": "订单已退款 / Order refunded: {number}",
    "vendor_new_order": "新订单 / New order: {number}",
    "delivery_confirmed": "买家已确认收货 / Delivery confirmed: {number}",
}


def buyer_recipient(order):
    """Who hears about an order: the buyer's account (e-mail, or the mobile number it signed up with), or the
    guest's e-mail and mobile number."""
    if order.buyer_id:
        return user_recipient(order.buyer)
    return Recipient(email=order.guest_email or "", phone=order.guest_phone or "")


def guest_link_channel(order):
    """How the private link of a guest's order was sent: "email", "sms" or "" (nothing could be sent)."""
    found = channels(buyer_recipient(order))
    return found[0] if found else ""


def order_path(order):
    """The page where the buyer sees and pays the order: a guest's private link, the page an extension gives
    (a unit's order page), or the buyer's order page."""
    if order.buyer_id is None and order.access_token:
        return reverse("order_access", args=[order.access_token])
    return extensions.order_path(order) or reverse("order_detail", args=[order.number])


def _vendor_recipients(part):
    vendor = part.vendor
    people = [user_recipient(member.user) for member in vendor.members.select_related("user")]
    people.append(Recipient(email=vendor.contact_email or "", phone=vendor.contact_phone or ""))
    return sorted(people, key=lambda r: (r.email, r.phone))


def _expired(order):
    return order.events.filter(action="expired").exists()


def _buyer_sms(order, kind, part, reason):
    link = absolute_url(order_path(order))
    names = {"number": order.number, "total": order.total, "link": link}
    if kind == "placed":
        return Sms("order_placed", names, _("Order %(number)s placed, %(total)s CNY. Pay and view: %(link)s") % names)
    if kind == "awaiting_approval":
        params = {"number": order.number, "link": link}
        text = _("Order %(number)s waits for your unit's approval; pay only once approved: %(link)s") % params
        return Sms("order_awaiting_approval", params, text)
    if kind == "approved":
        text = _("Order %(number)s is approved. Please pay %(total)s CNY: %(link)s") % names
        return Sms("order_approved", names, text)
    if kind == "rejected":
        params = {"number": order.number, "reason": reason or "-"}
        return Sms("order_rejected", params, _("Order %(number)s was not approved. Reason: %(reason)s") % params)
    if kind == "paid":
        params = {"number": order.number, "link": link}
        return Sms("order_paid", params, _("Payment received for order %(number)s: %(link)s") % params)
    if kind == "shipped":
        params = {
            "number": order.number,
            "carrier": str(part.carrier_name),
            "tracking": part.tracking_number,
            "link": link,
        }
        text = _("Order %(number)s shipped: %(carrier)s %(tracking)s. %(link)s") % params
        return Sms("order_shipped", params, text)
    if kind == "cancelled":
        params = {"number": order.number, "link": link}
        if _expired(order):
            return Sms(
                "order_expired", params, _("Order %(number)s was not paid in time and is cancelled: %(link)s") % params
            )
        return Sms("order_cancelled", params, _("Order %(number)s is cancelled: %(link)s") % params)
    if kind == "refunded":
        params = {"number": order.number, "amount": order.refunded_total, "link": link}
        return Sms("order_refunded", params, _("Order %(number)s refunded, %(amount)s CNY in all: %(link)s") % params)
    return None


@task()
def send_order_notice(order_id: int, kind: str, vendor_order_id: int | None = None, reason: str = "") -> dict:
    order = Order.objects.select_related("buyer").get(pk=order_id)
    part = VendorOrder.objects.select_related("vendor").get(pk=vendor_order_id) if vendor_order_id else None
    context = {
        "order": order,
        "part": part,
        "kind": kind,
        "auto_days": settings.ORDER_AUTO_CONFIRM_DAYS,
        "reason": reason,
        "site_url": settings.WAGTAILADMIN_BASE_URL,
        "bank": {
            "name": getattr(settings, "BANK_ACCOUNT_NAME", ""),
            "bank": getattr(settings, "BANK_ACCOUNT_BANK", ""),
            "number": getattr(settings, "BANK_ACCOUNT_NUMBER", ""),
        },
    }
    # Buyers read Chinese first; the e-mail body carries both languages, the SMS is Chinese.
    with translation.override(settings.LANGUAGE_CODE):
        work = kind in ("vendor_new_order", "approval_requested", "delivery_confirmed")
        if kind == "delivery_confirmed":
            recipients = _vendor_recipients(part)
            link = absolute_url(reverse("vendor_orders:detail", args=[part.pk]))
            params = {"number": order.number, "link": link}
            sms = Sms(
                "vendor_delivery_confirmed", params, _("Order %(number)s: the buyer has the goods. %(link)s") % params
            )
        elif kind == "vendor_new_order":
            recipients = _vendor_recipients(part)
            link = absolute_url(reverse("vendor_orders:detail", args=[part.pk]))
            params = {"number": order.number, "total": part.subtotal, "link": link}
            sms = Sms("vendor_new_order", params, _("New order %(number)s, %(total)s CNY. Ship it: %(link)s") % params)
        elif kind == "approval_requested":
            # Who approves is the extensions' to say (canteen: the unit's approvers), below.
            recipients = []
            link = absolute_url(order_path(order))
            params = {"number": order.number, "total": order.total, "link": link}
            text = _("Order %(number)s (%(total)s CNY) waits for your approval: %(link)s") % params
            sms = Sms("order_approval_requested", params, text)
        else:
            recipients = [buyer_recipient(order)]
            sms = _buyer_sms(order, kind, part, reason)
        recipients += extensions.notice_recipients(order, kind)
        context["link"] = absolute_url(order_path(order)) if not work or kind == "approval_requested" else link
        body = render_to_string("marketplace/email/order_email.txt", context)
    return notify(recipients, subject=SUBJECTS[kind].format(number=order.number), body=body, sms=sms, work=work)


# Kept for callers and task queues that still name the old task.
send_order_email = send_order_notice


@task()
def send_order_notices(order_id: int, notices: list) -> list:
    """Several notices about one order ([kind, vendor_order_id, reason] each), queued as one task: an order
    placed by bank transfer tells the buyer and every vendor, for one queue write after commit. One notice
    failing is logged and does not keep the others from being sent."""
    results = []
    for kind, vendor_order_id, reason in notices:
        try:
            results.append(send_order_notice.call(order_id, kind, vendor_order_id, reason))
        except Exception:
            logger.exception("order %s: the %s notice could not be sent", order_id, kind)
            results.append(None)
    return results


def _enqueue(order, kind, vendor_order=None, reason="", *more):
    """Queue notices about `order` after commit: (kind, vendor_order, reason), then more such triples."""
    notices = [[kind, vendor_order.pk if vendor_order else None, reason]]
    notices += [[k, part.pk if part else None, why] for k, part, why in more]
    order_id = order.pk
    if len(notices) == 1:
        transaction.on_commit(lambda: send_order_notice.enqueue(order_id, *notices[0]), robust=True)
    else:
        transaction.on_commit(lambda: send_order_notices.enqueue(order_id, notices), robust=True)


def order_placed(order):
    if order.status == Order.Status.AWAITING_APPROVAL:
        # The buyer waits for the unit's approvers; vendors hear of it once it is approved.
        _enqueue(order, "awaiting_approval", None, "", ("approval_requested", None, ""))
        return
    _enqueue(order, "placed", None, "", *_vendor_notices(order, paid=False))


def _vendor_notices(order, *, paid):
    """Vendors hear of their new lines when the buyer is to pay by bank transfer (the order is placed or
    approved), or when an online payment arrives."""
    by_transfer = order.payment_method == PaymentMethod.BANK_TRANSFER
    if paid != by_transfer:
        return [("vendor_new_order", part, "") for part in order.vendor_orders.all()]
    return []


def order_approved(order):
    _enqueue(order, "approved", None, "", *_vendor_notices(order, paid=False))


def order_rejected(order, reason=""):
    _enqueue(order, "rejected", reason=reason)


def order_paid(order):
    _enqueue(order, "paid", None, "", *_vendor_notices(order, paid=True))


def order_cancelled(order, pending_payments=()):
    _enqueue(order, "cancelled")
    for payment in pending_payments:
        if payment.stripe_payment_intent:
            intent_id = payment.stripe_payment_intent
            transaction.on_commit(lambda intent_id=intent_id: stripe_client.cancel_intent_quietly(intent_id))


def order_refunded(order, amount):
    _enqueue(order, "refunded")


def vendor_order_shipped(part):
    _enqueue(part.order, "shipped", part)


def delivery_confirmed(part):
    """The buyer (or the expiry job for them) confirmed receipt of a vendor's part: the vendor hears of it."""
    _enqueue(part.order, "delivery_confirmed", part)


def payment_method_changed(order, pending_payments=()):
    """The payer switched methods (services.change_payment_method): the old method's PaymentIntents are cancelled
    at Stripe after commit, as for a cancelled order (a failure is only logged; an open intent expires by itself)."""
    for payment in pending_payments:
        if payment.stripe_payment_intent:
            intent_id = payment.stripe_payment_intent
            transaction.on_commit(lambda intent_id=intent_id: stripe_client.cancel_intent_quietly(intent_id))


# -- after-sale requests (售后) ---------------------------------------------------------------------------------

# Which side hears of each step: the vendor of what the buyer did, the buyer of what the vendor or staff did.
AFTER_SALE_TO_VENDOR = ("requested", "return_shipped", "escalated", "withdrawn")
AFTER_SALE_SUBJECT = "售后申请 / After-sale request: {number}"


def _after_sale_text(request, step):
    names = {"number": request.order.number, "vendor": request.vendor_order.vendor_name}
    texts = {
        "requested": _("Order %(number)s: the buyer asks for an after-sale refund or return."),
        "return_shipped": _("Order %(number)s: the buyer sent the goods back; confirm when they arrive."),
        "escalated": _("Order %(number)s: the after-sale request went to the platform to decide."),
        "withdrawn": _("Order %(number)s: the buyer withdrew the after-sale request."),
        "accepted": _("Order %(number)s: %(vendor)s accepted your after-sale request."),
        "refused": _("Order %(number)s: %(vendor)s refused your after-sale request; you may ask the platform."),
        "refunded": _("Order %(number)s: your after-sale refund has been made."),
        "closed": _("Order %(number)s: the platform closed your after-sale request."),
    }
    return texts[step] % names


@task()
def send_after_sale_notice(request_id: int, step: str) -> dict:
    from .models import AfterSaleRequest

    request = AfterSaleRequest.objects.select_related("order__buyer", "vendor_order__vendor").get(pk=request_id)
    with translation.override(settings.LANGUAGE_CODE):
        if step in AFTER_SALE_TO_VENDOR:
            recipients = _vendor_recipients(request.vendor_order)
            link = absolute_url(reverse("vendor_orders:detail", args=[request.vendor_order_id]))
        else:
            recipients = [buyer_recipient(request.order)]
            link = absolute_url(reverse("after_sale_detail", args=[request.order.number, request.pk]))
        text = _after_sale_text(request, step)
        with translation.override("en"):
            english = _after_sale_text(request, step)
        params = {"number": request.order.number, "link": link}
        sms = Sms(f"after_sale_{step}", params, f"{text} {link}")
        body = f"{text}\n{english}\n\n{link}\n"
    return notify(
        recipients,
        subject=AFTER_SALE_SUBJECT.format(number=request.order.number),
        body=body,
        sms=sms,
        work=step in AFTER_SALE_TO_VENDOR,
    )


def after_sale_notice(request, step):
    """Tell the other side of an after-sale step, after commit (a failure never undoes the step)."""
    request_id = request.pk
    transaction.on_commit(lambda: send_after_sale_notice.enqueue(request_id, step), robust=True)
