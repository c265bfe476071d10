"""Stripe webhooks posted to /stripe/webhook/ through the Django test client, signed with Stripe's real scheme.

Stripe-Signature is `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint secret>`;
stripe.Webhook.construct_event (what the view uses) checks it and refuses timestamps older than 300 s.
No network: STRIPE_API_BASE points at a closed port (the `stripe_settings` fixture).
"""

import hashlib
import hmac
import itertools
import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest

from marketplace.checkout import services
from marketplace.checkout.models import Order, OrderEvent, Payment, PaymentMethod, Refund, StripeEvent
from tests.factories import place_order, stock
from tests.support.localstripe import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db

URL = "/stripe/webhook/"
_serial = itertools.count(1)


def sign(payload: bytes, secret=WEBHOOK_SECRET, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(kind, obj, event_id=None):
    return {
        "id": event_id or f"evt_test_{next(_serial):06d}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "livemode": False,
        "api_version": "2025-03-31.basil",
        "data": {"object": obj},
    }


def intent(payment, status="succeeded", amount=None, currency="cny", **extra):
    amount = payment.order.amount_fen if amount is None else amount
    obj = {
        "id": payment.stripe_payment_intent,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount if status == "succeeded" else 0,
        "currency": currency,
        "status": status,
        "metadata": {"order_number": payment.order.number},
        "last_payment_error": None,
    }
    obj.update(extra)
    return obj


def post(client, body, signature=None, **kwargs):
    payload = json.dumps(body).encode() if isinstance(body, dict) else body
    headers = {} if signature is False else {"HTTP_STRIPE_SIGNATURE": signature or sign(payload, **kwargs)}
    return client.post(URL, data=payload, content_type="application/json", **headers)


@pytest.fixture
def buyer(django_user_model):
    return django_user_model.objects.create_user("hook-buyer", "hook@example.cn", "pw")


@pytest.fixture
def tangelo(make_vendor, make_product, changshan):
    return make_product(make_vendor("常山胡柚合作社", changshan), "常山胡柚", "58.00", stock=10)


@pytest.fixture
def payment(stripe_settings, buyer, tangelo):
    """A card order for 2 胡柚 (116.00) with a pending Payment, as start_payment leaves it in the browser flow."""
    order = place_order(buyer, (tangelo, 2), method=PaymentMethod.CARD)
    return Payment.objects.create(
        order=order,
        method=PaymentMethod.CARD,
        amount=order.total,
        stripe_payment_intent=f"pi_test_{order.number}",
        stripe_client_secret=f"pi_test_{order.number}_secret_x",
    )


def refreshed(payment):
    payment.refresh_from_db()
    payment.order.refresh_from_db()
    return payment, payment.order


def test_succeeded_marks_the_order_paid(client, payment, tangelo):
    response = post(client, event("payment_intent.succeeded", intent(payment)))

    assert response.status_code == 200 and response.content == b"paid"
    payment, order = refreshed(payment)
    assert payment.status == Payment.Status.SUCCEEDED and order.status == Order.Status.PAID
    assert stock(tangelo) == 8
    record = StripeEvent.objects.get()
    assert record.type == "payment_intent.succeeded" and record.processed_at and record.result == "paid"


def test_the_same_event_three_times_is_applied_once(client, payment):
    body = event("payment_intent.succeeded", intent(payment))

    results = [post(client, body) for _ in range(3)]

    assert [r.status_code for r in results] == [200, 200, 200]
    assert [r.content for r in results] == [b"paid", b"duplicate", b"duplicate"]
    assert StripeEvent.objects.filter(event_id=body["id"]).count() == 1
    assert OrderEvent.objects.filter(order=payment.order, action="paid").count() == 1


def test_payment_failed_after_succeeded_leaves_the_order_paid(client, payment):
    post(client, event("payment_intent.succeeded", intent(payment)))
    failure = {"code": "card_declined", "message": "Your card was declined."}
    late = event(
        "payment_intent.payment_failed", intent(payment, "requires_payment_method", last_payment_error=failure)
    )

    assert post(client, late).status_code == 200

    payment, order = refreshed(payment)
    assert order.status == Order.Status.PAID and payment.status == Payment.Status.SUCCEEDED


def test_payment_failed_marks_a_pending_payment_failed(client, payment, tangelo):
    failure = {"code": "card_declined", "message": "Your card was declined."}
    body = event(
        "payment_intent.payment_failed", intent(payment, "requires_payment_method", last_payment_error=failure)
    )

    assert post(client, body).content == b"failed"

    payment, order = refreshed(payment)
    assert payment.status == Payment.Status.FAILED
    assert order.status == Order.Status.PENDING_PAYMENT and stock(tangelo) == 8  # held until expiry


@pytest.mark.parametrize("how", ["cancelled", "expired"])
def test_succeeded_for_a_cancelled_or_expired_order_is_flagged(client, payment, tangelo, buyer, how):
    order = payment.order
    if how == "cancelled":
        services.cancel_order(order, user=buyer, reason="不要了")
    else:
        assert services.expire_unpaid_orders(now=order.payment_due_at + timedelta(seconds=1)) == [order.number]
    assert stock(tangelo) == 10

    response = post(client, event("payment_intent.succeeded", intent(payment)))

    assert response.status_code == 200
    payment, order = refreshed(payment)
    assert payment.status == Payment.Status.FLAGGED
    assert "cancelled" in payment.flag_reason
    assert order.status == Order.Status.CANCELLED
    assert stock(tangelo) == 10  # returned once, not taken again
    assert set(order.lines.values_list("reserved_quantity", flat=True)) == {0}
    assert not OrderEvent.objects.filter(order=order, action="paid").exists()


@pytest.mark.parametrize(
    "forge",
    ["wrong secret", "tampered body", "no header", "garbage header"],
)
def test_a_forged_signature_is_refused_and_nothing_recorded(client, payment, forge):
    body = event("payment_intent.succeeded", intent(payment))
    payload = json.dumps(body).encode()
    if forge == "wrong secret":
        response = post(client, payload, signature=sign(payload, secret="whsec_someone_else"))
    elif forge == "tampered body":
        signature = sign(payload)
        response = post(client, payload.replace(b'"succeeded"', b'"succeeded" '), signature=signature)
    elif forge == "no header":
        response = post(client, payload, signature=False)
    else:
        response = post(client, payload, signature="t=abc,v1=zzz")

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    payment, order = refreshed(payment)
    assert payment.status == Payment.Status.PENDING and order.status == Order.Status.PENDING_PAYMENT


def test_a_replayed_event_with_an_old_timestamp_is_refused(client, payment):
    payload = json.dumps(event("payment_intent.succeeded", intent(payment))).encode()
    old = int(time.time()) - 301  # Stripe's default tolerance is 300 s

    response = post(client, payload, signature=sign(payload, timestamp=old))

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert refreshed(payment)[1].status == Order.Status.PENDING_PAYMENT


def test_webhook_secret_not_configured_refuses_everything(client, payment, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert post(client, event("payment_intent.succeeded", intent(payment))).status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize(
    ("changes", "reason"),
    [({"currency": "usd"}, "usd"), ({"amount": 11599}, "11599"), ({"amount": 1160000}, "1160000")],
)
def test_wrong_currency_or_amount_is_flagged_not_paid(client, payment, changes, reason):
    response = post(client, event("payment_intent.succeeded", intent(payment, **changes)))

    assert response.status_code == 200 and response.content == b"flagged"
    payment, order = refreshed(payment)
    assert payment.status == Payment.Status.FLAGGED and reason in payment.flag_reason
    assert order.status == Order.Status.PENDING_PAYMENT


def charge_refunded(payment, refunds):
    return {
        "id": f"ch_test_{payment.order.number}",
        "object": "charge",
        "amount": payment.order.amount_fen,
        "amount_refunded": sum(amount for _id, amount in refunds),
        "currency": "cny",
        "payment_intent": payment.stripe_payment_intent,
        "refunded": sum(amount for _id, amount in refunds) >= payment.order.amount_fen,
        "refunds": {
            "object": "list",
            "data": [{"id": rid, "object": "refund", "amount": amount, "currency": "cny"} for rid, amount in refunds],
        },
    }


def test_a_dashboard_refund_is_recorded_once(client, payment):
    post(client, event("payment_intent.succeeded", intent(payment)))

    first = post(client, event("charge.refunded", charge_refunded(payment, [("re_dash_1", 5800)])))
    # Stripe sends a new event (new id) for the next refund, listing both.
    second = post(client, event("charge.refunded", charge_refunded(payment, [("re_dash_2", 100), ("re_dash_1", 5800)])))
    # And the first event once more.
    again = post(client, event("charge.refunded", charge_refunded(payment, [("re_dash_1", 5800)])))

    assert [r.content for r in (first, second, again)] == [
        b"refunds recorded: 1",
        b"refunds recorded: 1",
        b"refunds recorded: 0",
    ]
    refunds = Refund.objects.filter(payment=payment).order_by("stripe_refund")
    assert [(r.stripe_refund, r.amount, r.reason) for r in refunds] == [
        ("re_dash_1", Decimal("58.00"), "stripe"),
        ("re_dash_2", Decimal("1.00"), "stripe"),
    ]
    payment, order = refreshed(payment)
    assert order.refunded_total == Decimal("59.00")
    assert OrderEvent.objects.filter(order=order, action="stripe_refund_recorded").count() == 2


def test_our_own_refund_is_not_recorded_twice_by_its_webhook(client, payment, django_user_model, monkeypatch):
    from marketplace.checkout import stripe_client

    post(client, event("payment_intent.succeeded", intent(payment)))
    monkeypatch.setattr(stripe_client, "create_refund", lambda payment, amount, key, metadata=None: "re_ours_1")
    staff = django_user_model.objects.create_user("staff", "s@example.cn", "pw", is_staff=True)
    services.refund(payment.order, user=staff)

    response = post(client, event("charge.refunded", charge_refunded(payment, [("re_ours_1", 11600)])))

    assert response.content == b"refunds recorded: 0"
    assert Refund.objects.filter(payment=payment).count() == 1
    assert refreshed(payment)[1].refunded_total == Decimal("116.00")


def test_a_dispute_marks_the_payment_disputed(client, payment):
    post(client, event("payment_intent.succeeded", intent(payment)))
    dispute = {
        "id": "dp_test_1",
        "object": "dispute",
        "amount": payment.order.amount_fen,
        "currency": "cny",
        "charge": "ch_test_1",
        "payment_intent": payment.stripe_payment_intent,
        "reason": "fraudulent",
        "status": "needs_response",
    }

    response = post(client, event("charge.dispute.created", dispute))

    assert response.status_code == 200 and response.content == b"disputed"
    payment, order = refreshed(payment)
    assert payment.status == Payment.Status.DISPUTED
    assert OrderEvent.objects.filter(order=order, action="payment_disputed", note="fraudulent").exists()


def test_an_unknown_intent_is_answered_and_changes_nothing(client, payment, tangelo):
    body = event("payment_intent.succeeded", intent(payment, id="pi_not_ours"))

    response = post(client, body)

    assert response.status_code == 200 and response.content == b"unknown payment intent"
    payment, order = refreshed(payment)
    assert payment.status == Payment.Status.PENDING and order.status == Order.Status.PENDING_PAYMENT
    assert stock(tangelo) == 8
    assert OrderEvent.objects.filter(order=order).count() == 1  # placed
    assert StripeEvent.objects.get().result == "unknown payment intent"


def test_other_event_types_are_recorded_and_ignored(client, payment):
    response = post(client, event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert response.content == b"ignored"
    assert refreshed(payment)[1].status == Order.Status.PENDING_PAYMENT


def test_only_post_is_allowed(client):
    assert client.get(URL).status_code == 405
