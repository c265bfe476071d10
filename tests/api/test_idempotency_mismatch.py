"""A retry with the same X-Idempotency-Key and a different body answers 422, as Stripe does (issue #18, point 8)."""

import pytest

from marketplace.checkout.models import Order
from tests.factories import stock
from tests.support.api import order_body, post_json

pytestmark = pytest.mark.django_db


def test_same_key_different_body_is_422_and_changes_nothing(api, shop):
    first = post_json(api, "/api/orders/", order_body((shop["cake"], 1)), HTTP_X_IDEMPOTENCY_KEY="app-1")
    assert first.status_code == 201
    left = stock(shop["cake"])
    changed = post_json(api, "/api/orders/", order_body((shop["cake"], 2)), HTTP_X_IDEMPOTENCY_KEY="app-1")
    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency_mismatch"
    assert changed.json()["message"]
    assert Order.objects.count() == 1 and stock(shop["cake"]) == left
    same = post_json(api, "/api/orders/", order_body((shop["cake"], 1)), HTTP_X_IDEMPOTENCY_KEY="app-1")
    assert same.status_code == 200 and same.json()["number"] == first.json()["number"]
