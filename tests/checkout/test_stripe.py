"""Card payments through a fake Stripe: localstripe on a loopback port (tests/support/localstripe.py).

The Stripe SDK talks real HTTP to localstripe, which creates and confirms PaymentIntents, declines its
special test cards and refunds charges. What localstripe cannot do is faked at the SDK's HTTP-client
level, and each such test says so: idempotency keys (localstripe ignores them, so we check the header
our code sends) and a response whose amount differs from the order.
"""

import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import stripe

from cms.errors import DomainError
from marketplace.checkout import services, stripe_gateway
from marketplace.checkout.models import Order, OrderEvent, Payment, PaymentMethod, Refund, StripeEvent
from tests.factories import place_order, stock
from tests.support.localstripe import CARD_CHARGE_DECLINED, CARD_OK, SECRET_KEY, WEBHOOK_SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer(django_user_model):
    return django_user_model.objects.create_user("card-buyer", "card@example.cn", "pw")


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("staff", "staff@example.cn", "pw", is_staff=True)


@pytest.fixture
def shop(make_vendor, make_product, changshan):
    coop = make_vendor("常山胡柚合作社", changshan)
    return {
        "tangelo": make_product(coop, "常山胡柚", "58.00", stock=10),
        "oil": make_product(coop, "常山山茶油", "128.50", stock=5, category="processed"),
    }


def place(buyer, *lines, method=PaymentMethod.CARD):
    return place_order(buyer, *lines, method=method)


def intents_for(fake, order):
    return [i for i in fake.intents() if i["metadata"].get("order_number") == order.number]


class CapturingHTTPClient(stripe.RequestsClient):
    """The SDK's own HTTP client, recording each outgoing request's method, URL and headers.

    `lose_first`: that many requests fail with a connection error before they leave (a dropped network),
    so the SDK retries them. `rewrite(method, url, body_dict)`: change a response before the SDK sees it.
    """

    def __init__(self, *, lose_first=0, rewrite=None):
        super().__init__()
        self.calls, self.lose, self.rewrite = [], lose_first, rewrite

    def request(self, method, url, headers, post_data=None):
        self.calls.append((method, url, dict(headers or {})))
        if self.lose:
            self.lose -= 1
            raise stripe.APIConnectionError("connection reset (simulated by the test)", should_retry=True)
        content, status, response_headers = super().request(method, url, headers, post_data)
        if self.rewrite and 200 <= status < 300:
            body = json.loads(content)
            body = self.rewrite(method, url, body)
            content = json.dumps(body).encode()
        return content, status, response_headers

    def creates(self):
        return [c for c in self.calls if c[0] == "post" and c[1].endswith("/v1/payment_intents")]


@pytest.fixture
def capturing_client(stripe_fake, monkeypatch):
    """Make stripe_gateway use a StripeClient built like its own (same retries) on a CapturingHTTPClient."""

    def install(**kwargs):
        http = CapturingHTTPClient(**kwargs)
        sdk = stripe.StripeClient(
            SECRET_KEY, base_addresses={"api": stripe_fake.url}, max_network_retries=2, http_client=http
        )
        monkeypatch.setattr(stripe_gateway, "client", lambda: sdk)
        return http

    return install


def test_card_payment_is_confirmed_and_the_order_paid_with_its_stock_kept(stripe_fake, buyer, shop):
    order = place(buyer, (shop["tangelo"], 2), (shop["oil"], 1))
    assert stock(shop["tangelo"]) == 8 and stock(shop["oil"]) == 4

    payment = stripe_gateway.start_payment(order, payment_method_id=stripe_fake.payment_method(CARD_OK))

    order.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert order.status == Order.Status.PAID and order.paid_at is not None
    assert payment.amount == order.total == Decimal("244.50")
    intent = stripe_fake.intent(payment.stripe_payment_intent)
    assert intent["status"] == "succeeded"
    assert (intent["amount"], intent["currency"]) == (24450, "cny")
    assert intent["metadata"] == {"order_number": order.number}
    assert intent["description"] == f"山海集市 {order.number}"
    # Paid lines keep their stock for good: nothing returns when the payment window passes.
    assert set(order.lines.values_list("reserved_quantity", flat=True)) == {0}
    assert services.expire_unpaid_orders(now=order.payment_due_at + timedelta(minutes=1)) == []
    assert stock(shop["tangelo"]) == 8 and stock(shop["oil"]) == 4
    assert OrderEvent.objects.filter(order=order, action="paid").count() == 1


def test_a_declined_card_leaves_the_order_pending_and_the_stock_held_until_expiry(stripe_fake, buyer, shop):
    order = place(buyer, (shop["tangelo"], 3))

    with pytest.raises(DomainError) as excinfo:
        stripe_gateway.start_payment(order, payment_method_id=stripe_fake.payment_method(CARD_CHARGE_DECLINED))

    assert excinfo.value.code == "payment_failed"
    assert "declined" in excinfo.value.message
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert not order.payments.filter(status=Payment.Status.SUCCEEDED).exists()
    assert [i["status"] for i in intents_for(stripe_fake, order)] == ["requires_payment_method"]
    assert stock(shop["tangelo"]) == 7  # still held for the buyer

    assert services.expire_unpaid_orders(now=order.payment_due_at + timedelta(seconds=1)) == [order.number]
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert stock(shop["tangelo"]) == 10


def test_another_card_after_a_decline_pays_the_order(stripe_fake, buyer, shop):
    order = place(buyer, (shop["tangelo"], 1))
    with pytest.raises(DomainError):
        stripe_gateway.start_payment(order, payment_method_id=stripe_fake.payment_method(CARD_CHARGE_DECLINED))

    payment = stripe_gateway.start_payment(order, payment_method_id=stripe_fake.payment_method(CARD_OK))

    order.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and order.status == Order.Status.PAID
    assert stock(shop["tangelo"]) == 9


def test_refresh_payment_marks_the_order_paid_when_no_webhook_came(stripe_fake, buyer, shop):
    order = place(buyer, (shop["oil"], 2))
    payment = stripe_gateway.start_payment(order)  # the browser flow: Stripe.js confirms with the client secret
    assert payment.status == Payment.Status.PENDING
    assert payment.stripe_client_secret.startswith(payment.stripe_payment_intent)

    assert stripe_fake.confirm_in_browser(payment.stripe_payment_intent)["status"] == "succeeded"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT  # no webhook is registered: nothing told us yet

    assert stripe_gateway.refresh_payment(payment) == "paid"
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PAID and payment.status == Payment.Status.SUCCEEDED
    assert stripe_gateway.refresh_payment(payment) == "paid"  # again: nothing more happens
    assert OrderEvent.objects.filter(order=order, action="paid").count() == 1
    assert not StripeEvent.objects.exists()


def test_full_refund_of_a_stripe_payment_goes_through_stripe_and_returns_the_stock(stripe_fake, buyer, staff, shop):
    order = place(buyer, (shop["tangelo"], 2), (shop["oil"], 1))
    payment = stripe_gateway.start_payment(order, payment_method_id=stripe_fake.payment_method(CARD_OK))

    services.refund(order, user=staff, reason="买家退货")

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert order.refunded_total == order.total
    assert stock(shop["tangelo"]) == 10 and stock(shop["oil"]) == 5
    refund = Refund.objects.get(payment=payment)
    assert refund.amount == order.total
    at_stripe = stripe_fake.refunds_of(payment.stripe_payment_intent)
    assert [(r["id"], r["amount"]) for r in at_stripe] == [(refund.stripe_refund, 24450)]


def test_partial_refund_refunds_one_line_at_stripe(stripe_fake, buyer, staff, shop):
    order = place(buyer, (shop["tangelo"], 3), (shop["oil"], 1))
    payment = stripe_gateway.start_payment(order, payment_method_id=stripe_fake.payment_method(CARD_OK))
    tangelo_line = order.lines.get(product=shop["tangelo"])

    services.refund(order, user=staff, lines={tangelo_line.pk: 1}, reason="一个坏果")

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.refunded_total == Decimal("58.00")
    assert stock(shop["tangelo"]) == 8 and stock(shop["oil"]) == 4
    assert [r["amount"] for r in stripe_fake.refunds_of(payment.stripe_payment_intent)] == [5800]

    services.refund(order, user=staff, reason="全部退")  # the rest
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED and order.refunded_total == order.total
    assert stock(shop["tangelo"]) == 10 and stock(shop["oil"]) == 5
    assert sorted(r["amount"] for r in stripe_fake.refunds_of(payment.stripe_payment_intent)) == [5800, 12850 + 11600]
    assert Refund.objects.filter(payment=payment).count() == 2


def test_start_payment_twice_creates_one_intent_and_one_payment(stripe_fake, buyer, shop):
    order = place(buyer, (shop["oil"], 1))

    first = stripe_gateway.start_payment(order)
    second = stripe_gateway.start_payment(order)

    assert first.pk == second.pk
    assert order.payments.count() == 1
    assert len(intents_for(stripe_fake, order)) == 1


def test_a_retried_create_sends_the_same_idempotency_key(capturing_client, stripe_fake, buyer, shop):
    """localstripe ignores Idempotency-Key, so this checks what our code sends: the SDK's HTTP client is
    replaced by one that records the outgoing headers and drops the first request (a connection reset);
    the SDK's retry must carry the same key, derived from the order and the card."""
    http = capturing_client(lose_first=1)
    order = place(buyer, (shop["oil"], 1))
    pm = stripe_fake.payment_method(CARD_OK)

    payment = stripe_gateway.start_payment(order, payment_method_id=pm)

    creates = http.creates()
    assert len(creates) == 2  # the lost attempt and the retry
    keys = {headers["Idempotency-Key"] for _m, _u, headers in creates}
    assert keys == {f"order-{order.number}-intent-{pm}"}
    assert payment.status == Payment.Status.SUCCEEDED
    assert len(intents_for(stripe_fake, order)) == 1


def test_a_new_card_after_a_decline_is_a_new_idempotent_attempt(capturing_client, stripe_fake, buyer, shop):
    """Checked at the SDK's HTTP client (localstripe ignores the header): Stripe refuses a key reused with
    other parameters, so the second card must get its own key while a browser-flow create keeps one key."""
    http = capturing_client()
    order = place(buyer, (shop["oil"], 1))
    declined, good = stripe_fake.payment_method(CARD_CHARGE_DECLINED), stripe_fake.payment_method(CARD_OK)
    with pytest.raises(DomainError):
        stripe_gateway.start_payment(order, payment_method_id=declined)
    stripe_gateway.start_payment(order, payment_method_id=good)

    keys = [headers["Idempotency-Key"] for _m, _u, headers in http.creates()]
    assert keys == [f"order-{order.number}-intent-{declined}", f"order-{order.number}-intent-{good}"]

    other = place(buyer, (shop["oil"], 1))
    stripe_gateway.start_payment(other)
    assert http.creates()[-1][2]["Idempotency-Key"] == f"order-{other.number}-intent"


def test_an_intent_whose_amount_differs_from_the_order_is_flagged_not_paid(capturing_client, stripe_fake, buyer, shop):
    """The create response is faked at the SDK's HTTP-client level (localstripe charges what it is asked):
    the intent comes back succeeded for 1 fen more than the order."""

    def overcharge(method, url, body):
        if method == "post" and url.endswith("/v1/payment_intents"):
            body["amount"] += 1
        return body

    capturing_client(rewrite=overcharge)
    order = place(buyer, (shop["tangelo"], 1))

    payment = stripe_gateway.start_payment(order, payment_method_id=stripe_fake.payment_method(CARD_OK))

    order.refresh_from_db()
    assert payment.status == Payment.Status.FLAGGED
    assert "5801" in payment.flag_reason and "5800" in payment.flag_reason
    assert order.status == Order.Status.PENDING_PAYMENT
    assert OrderEvent.objects.filter(order=order, action="payment_flagged").exists()
    assert not OrderEvent.objects.filter(order=order, action="paid").exists()


@pytest.mark.django_db(transaction=True)
def test_localstripe_delivers_a_signed_webhook_to_the_live_server(stripe_fake, live_server, buyer, shop):
    """A real delivery: localstripe signs payment_intent.succeeded with our secret and POSTs it (about 1 s
    after the charge) to /stripe/webhook/ on pytest-django's live server."""
    hook = "shanhai-live-server"
    stripe_fake.register_webhook(
        hook, f"{live_server.url}/stripe/webhook/", WEBHOOK_SECRET, events=["payment_intent.succeeded"]
    )
    try:
        order = place(buyer, (shop["oil"], 1))
        payment = stripe_gateway.start_payment(order)
        stripe_fake.confirm_in_browser(payment.stripe_payment_intent)

        # Until the webhook's transaction is through: on in-memory SQLite the live server shares this test's
        # connection, so the order can read as paid before the same transaction marks the event processed.
        applied = StripeEvent.objects.filter(
            type="payment_intent.succeeded",
            payload__data__object__id=payment.stripe_payment_intent,
            processed_at__isnull=False,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            order.refresh_from_db()
            if order.status == Order.Status.PAID and applied.exists():
                break
            time.sleep(0.1)
    finally:
        stripe_fake.disable_webhook(hook)

    assert order.status == Order.Status.PAID, stripe_fake.log()[-2000:]
    event = StripeEvent.objects.get(
        type="payment_intent.succeeded", payload__data__object__id=payment.stripe_payment_intent
    )
    assert event.processed_at is not None and event.result == "paid"
    assert stock(shop["oil"]) == 4
