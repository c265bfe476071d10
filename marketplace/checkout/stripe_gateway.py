"""Stripe PaymentIntents in CNY, webhooks and refunds.

- Every create carries an idempotency key derived from the order, so a retry never charges twice.
- The webhook verifies the signature with STRIPE_WEBHOOK_SECRET, records the event id, and applies
  each event once however often and in whatever order it arrives.
- The payment page also re-fetches the intent, so a late webhook never leaves a paid order unpaid.
- Amount and currency must match the order; otherwise the payment is flagged and the order not paid.
"""

import logging

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cms import locking
from cms.errors import DomainError
from marketplace.errors import MarketplaceCode

from . import services
from .models import Order, Payment, PaymentMethod, Refund, StripeEvent
from .payment_methods import is_available
from .stripe_client import client

logger = logging.getLogger(__name__)

# Our payment methods and Stripe's names for them.
STRIPE_METHOD_TYPES = {
    PaymentMethod.CARD: "card",
    PaymentMethod.ALIPAY: "alipay",
    PaymentMethod.WECHAT_PAY: "wechat_pay",
}


def start_payment(order, *, payment_method_id=None):
    """Create (or return the existing) PaymentIntent for an unpaid order; returns the Payment.

    `payment_method_id` confirms at once (the mobile API and tests); without it the browser confirms
    with Stripe.js and the client secret.
    """
    if order.payment_method not in STRIPE_METHOD_TYPES:
        raise DomainError(MarketplaceCode.PAID_BY_BANK_TRANSFER)
    if not is_available(order.payment_method):
        raise DomainError(MarketplaceCode.SWITCH_TO_BANK_TRANSFER)
    if order.status != Order.Status.PENDING_PAYMENT:
        raise DomainError(MarketplaceCode.NOT_AWAITING_PAYMENT)
    existing = order.payments.filter(status=Payment.Status.PENDING).exclude(stripe_payment_intent=None).first()
    if existing:
        return existing
    params = {
        "amount": order.amount_fen,
        "currency": "cny",
        "payment_method_types": [STRIPE_METHOD_TYPES[order.payment_method]],
        "description": f"山海集市 {order.number}",
        "metadata": {"order_number": order.number},
    }
    # One key per attempt: a retried request (network error, double click) replays the same create, while a
    # new card after a decline is a new attempt (Stripe refuses a key reused with other parameters).
    key = f"order-{order.number}-intent"
    # After the payer switched methods the old intent is cancelled and a new one (maybe for another method)
    # is a new attempt, so it needs a key of its own: Stripe answers a reused key with the first intent.
    switches = order.events.filter(action="payment_method_changed").count()
    if switches:
        key = f"{key}-m{switches}"
    if payment_method_id:
        params.update({"payment_method": payment_method_id, "confirm": True})
        key = f"{key}-{payment_method_id}"
    try:
        intent = client().v1.payment_intents.create(params=params, options={"idempotency_key": key})
    except stripe.StripeError as exc:
        logger.warning("Stripe refused a PaymentIntent for %s: %s", order.number, exc)
        raise DomainError(MarketplaceCode.PAYMENT_FAILED, reason=exc.user_message or exc.code or "") from exc
    try:
        with transaction.atomic():  # a savepoint, so the caller's transaction survives a lost race
            payment = Payment.objects.create(
                order=order,
                method=order.payment_method,
                amount=order.total,
                stripe_payment_intent=intent.id,
                stripe_client_secret=intent.client_secret or "",
            )
    except IntegrityError:
        payment = Payment.objects.get(stripe_payment_intent=intent.id)
    apply_intent(payment, intent)
    return Payment.objects.get(pk=payment.pk)


def apply_intent(payment, intent):
    """Bring our Payment and Order in line with a PaymentIntent that Stripe reported."""
    order = payment.order
    status = intent.status
    if status == "succeeded":
        received = getattr(intent, "amount_received", None) or intent.amount
        if intent.currency.lower() != "cny" or received != order.amount_fen:
            services.flag_payment(
                payment,
                f"amount {received} {intent.currency} does not match order {order.amount_fen} cny",
            )
            return "flagged"
        services.mark_paid(order, payment, note=f"stripe {intent.id}")
        return "paid"
    if status in ("requires_payment_method",) and getattr(intent, "last_payment_error", None):
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(status=Payment.Status.FAILED)
        return "failed"
    if status == "canceled":
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(status=Payment.Status.CANCELLED)
        return "cancelled"
    return status


def refresh_payment(payment):
    """Re-fetch the intent from Stripe (the payment page does this) and apply what it says."""
    if not payment.stripe_payment_intent:
        return None
    intent = client().v1.payment_intents.retrieve(payment.stripe_payment_intent)
    return apply_intent(payment, intent)


class WebhookRejected(Exception):
    pass


def handle_webhook(payload, signature):
    """Verify, record and apply one webhook delivery. Returns a short result string.

    Raises WebhookRejected for a missing or wrong signature (the view answers 400).
    """
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise WebhookRejected("webhook secret not configured")
    try:
        event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise WebhookRejected(str(exc)) from exc
    with transaction.atomic():
        record, _created = StripeEvent.objects.get_or_create(
            event_id=event.id, defaults={"type": event.type, "payload": event.to_dict()}
        )
        # A second delivery of the event waits here until the first is applied, then sees it processed.
        record = locking.lock_one(StripeEvent, record.pk)
        if record.processed_at:
            return "duplicate"
        result = _apply_event(event)
        record.processed_at = timezone.now()
        record.result = result[:255]
        record.save(update_fields=["processed_at", "result"])
    return result


def _payment_for(intent_id):
    return Payment.objects.select_related("order").filter(stripe_payment_intent=intent_id).first()


def _apply_event(event):
    obj = event.data.object
    if event.type in ("payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled"):
        payment = _payment_for(obj.id)
        if payment is None:
            return "unknown payment intent"
        return apply_intent(payment, obj)
    if event.type == "charge.refunded":
        payment = _payment_for(getattr(obj, "payment_intent", None))
        if payment is None:
            return "unknown payment intent"
        return _record_stripe_refunds(payment, obj)
    if event.type == "charge.dispute.created":
        payment = _payment_for(getattr(obj, "payment_intent", None))
        if payment is None:
            return "unknown payment intent"
        Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.DISPUTED, flag_reason="dispute opened")
        services.log_event(payment.order, "payment_disputed", note=str(getattr(obj, "reason", "") or ""))
        return "disputed"
    return "ignored"


def _our_refund_id(stripe_refund):
    """The id of the Refund a Stripe refund was made for (its metadata names it), or None."""
    metadata = getattr(stripe_refund, "metadata", None) or {}
    try:
        return int(metadata.get("shanhai_refund") or 0) or None
    except (TypeError, ValueError, AttributeError):
        return None


def _record_stripe_refunds(payment, charge):
    """Refunds made in Stripe's dashboard appear here; ours are already recorded by their id.

    Our own refunds are recorded before Stripe is asked (services.record_refund) and carry their id in the Stripe
    refund's metadata, so the webhook for one whose answer is not recorded yet completes it instead of counting it
    again. A dashboard refund
    counts towards the order's refunded total (stock stays as it is: Stripe does not say which lines).
    """
    from decimal import Decimal

    order = locking.lock_one(Order, payment.order_id)
    refunds = getattr(getattr(charge, "refunds", None), "data", None) or []
    # Every one of ours still waiting for Stripe's answer, locked before any after-sale request is settled
    # (LOCK_ORDER: refunds before after-sale requests).
    pending = {
        record.pk: record
        for record in locking.lock(
            Refund.objects.filter(status=Refund.Status.PENDING), [_our_refund_id(refund) for refund in refunds]
        )
    }
    recorded = 0
    for refund in refunds:
        if Refund.objects.filter(stripe_refund=refund.id).exists():
            continue
        ours = pending.pop(_our_refund_id(refund), None)
        if ours is not None:
            # Our own refund, whose answer from Stripe was not recorded yet: record it, count nothing twice.
            ours.status, ours.stripe_refund, ours.completed_at = Refund.Status.SUCCEEDED, refund.id, timezone.now()
            ours.save(update_fields=["status", "stripe_refund", "completed_at"])
            services.log_event(order, "refund_completed", note=refund.id, data={"refund": ours.pk})
            services.settle_after_sale(ours)
            continue
        amount = Decimal(refund.amount) / 100
        Refund.objects.create(payment=payment, amount=amount, reason="stripe", stripe_refund=refund.id)
        order.refunded_total = min(order.total, order.refunded_total + amount)
        order.save(update_fields=["refunded_total"])
        services.log_event(order, "stripe_refund_recorded", note=refund.id, data={"amount": str(amount)})
        recorded += 1
    return f"refunds recorded: {recorded}"
