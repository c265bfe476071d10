"""X-Idempotency-Key on the canteen order API, as on /api/orders/ (issue #18, point 8)."""

import pytest

from marketplace.checkout.models import Order
from tests.support.api import client_for, unit_order_body

pytestmark = pytest.mark.django_db


def test_retried_unit_order_is_placed_once(unit_a, goods):
    buyer = client_for(unit_a.users["buyer"])
    url = f"/api/canteen/units/{unit_a.pk}/orders/"
    body = unit_order_body(unit_a, goods["huyou"], qty=10)
    first = buyer.post(url, body, "application/json", HTTP_X_IDEMPOTENCY_KEY="mini-1")
    assert first.status_code == 201, first.content
    again = buyer.post(url, body, "application/json", HTTP_X_IDEMPOTENCY_KEY="mini-1")
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    assert Order.objects.count() == 1
    changed = buyer.post(
        url, unit_order_body(unit_a, goods["huyou"], qty=20), "application/json", HTTP_X_IDEMPOTENCY_KEY="mini-1"
    )
    assert changed.status_code == 422 and changed.json()["code"] == "idempotency_mismatch"
    assert Order.objects.count() == 1
    other = buyer.post(url, body, "application/json", HTTP_X_IDEMPOTENCY_KEY="mini-2")
    assert other.status_code == 201 and Order.objects.count() == 2
    too_long = buyer.post(url, body, "application/json", HTTP_X_IDEMPOTENCY_KEY="k" * 81)
    assert too_long.status_code == 400 and Order.objects.count() == 2
