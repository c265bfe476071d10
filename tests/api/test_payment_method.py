"""POST /api/orders/{number}/payment-method/: an unpaid order switches between the methods available now, keeping
its stock; a method that is not configured is 400 `invalid_payment_method`, a paid or overdue order 409."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cms.models import ApiToken
from marketplace.checkout import services
from marketplace.checkout.models import Order, Payment
from tests.factories import stock
from tests.support.api import order_body, post_json

pytestmark = pytest.mark.django_db


def url(order_or_number):
    return f"/api/orders/{getattr(order_or_number, 'number', order_or_number)}/payment-method/"


def place(api, shop, method="bank_transfer", quantity=2):
    response = post_json(api, "/api/orders/", order_body((shop["cake"], quantity), method=method))
    assert response.status_code == 201, response.json()
    return Order.objects.get(number=response.json()["number"])


def test_switch_from_bank_transfer_to_card_and_back(api, shop, stripe_fake):
    order = place(api, shop)
    reference = order.payment_reference
    response = post_json(api, url(order), {"payment_method": "card"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["number"] == order.number and body["payment_method"] == "card" and body["status"] == "pending_payment"
    # A new PaymentIntent at the (fake) Stripe: its client secret is in the answer, the bank details are not.
    assert body["client_secret"] and body["bank_account"] is None and body["payment_error"] is None
    assert Order.objects.get(pk=order.pk).payments.get().status == Payment.Status.PENDING
    assert stock(shop["cake"]) == 1 and Order.objects.count() == 1

    body = post_json(api, url(order), {"payment_method": "bank_transfer"}).json()
    assert body["payment_method"] == "bank_transfer" and body["payment_reference"] == reference
    assert set(body["bank_account"]) == {"name", "bank", "number"} and body["client_secret"] is None
    assert Order.objects.get(pk=order.pk).payments.get().status == Payment.Status.CANCELLED
    assert stock(shop["cake"]) == 1


def test_a_method_that_is_not_configured_is_refused(api, shop, settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    order = place(api, shop)
    for method in ("card", "alipay", "wechat_pay", "cash"):
        response = post_json(api, url(order), {"payment_method": method})
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_payment_method" and response.json()["field"] == "payment_method"
    order.refresh_from_db()
    assert order.payment_method == "bank_transfer" and not order.events.filter(action="payment_method_changed")


def test_paid_overdue_unknown_and_someone_elses_orders(api, shop, stripe_settings, other_buyer, buyer):
    paid = place(api, shop, quantity=1)
    services.record_bank_transfer(paid, amount=paid.total, received_on="2026-01-01", bank_reference="B1", user=buyer)
    response = post_json(api, url(paid), {"payment_method": "card"})
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"

    overdue = place(api, shop, quantity=1)
    Order.objects.filter(pk=overdue.pk).update(payment_due_at=timezone.now() - timedelta(minutes=1))
    response = post_json(api, url(overdue), {"payment_method": "card"})
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"

    assert post_json(api, url("SH000000NOPE00"), {"payment_method": "card"}).status_code == 404
    _token, secret = ApiToken.issue(other_buyer)
    theirs = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert post_json(theirs, url(overdue), {"payment_method": "card"}).status_code == 404
    assert Client().post(url(overdue), {"payment_method": "card"}, "application/json").status_code == 401


def test_the_endpoint_is_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    operation = paths["/api/orders/{number}/payment-method/"]["post"]
    assert operation["operationId"] == "orders_payment_method"
    assert {"200", "400", "401", "404", "409"} <= set(operation["responses"])
