"""The Stripe SDK client and the calls to Stripe that services and notifications make directly (refund,
cancel an intent). The PaymentIntent flow and the webhook, which call the checkout services, are in
stripe_gateway.py."""

import functools
import logging

import stripe
from django.conf import settings

from cms import locking
from cms.errors import DomainError
from marketplace.errors import MarketplaceCode

logger = logging.getLogger(__name__)


@functools.cache
def _client(api_key, api_base):
    return stripe.StripeClient(api_key, base_addresses={"api": api_base}, max_network_retries=2)


def client():
    """The Stripe client, for one call to Stripe: never while this thread holds row locks (cms.locking)."""
    locking.assert_no_locks_held("a call to Stripe")
    if not settings.STRIPE_SECRET_KEY:
        raise DomainError(MarketplaceCode.PAYMENTS_UNAVAILABLE)
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


def create_refund(payment, amount, *, key, metadata=None):
    params = {"payment_intent": payment.stripe_payment_intent, "amount": int((amount * 100).to_integral_value())}
    if metadata:
        params["metadata"] = metadata
    try:
        refund = client().v1.refunds.create(
            params=params,
            options={"idempotency_key": key},
        )
    except stripe.StripeError as exc:
        raise DomainError(MarketplaceCode.REFUND_FAILED, reason=exc.user_message or exc.code or "") from exc
    return refund.id


def cancel_intent_quietly(intent_id):
    try:
        client().v1.payment_intents.cancel(intent_id)
    except (stripe.StripeError, DomainError) as exc:
        logger.info("Could not cancel PaymentIntent %s: %s", intent_id, exc)
