"""The canteen JSON API: share figures, unit orders, approval; isolation between units."""

import datetime

import pytest
from django.utils import timezone

from marketplace.checkout.models import Order
from tests.factories import make_paid_unit_order, set_budget
from tests.support.api import client_for, unit_order_body

pytestmark = pytest.mark.django_db


def test_order_approve_and_receive_through_the_api(unit_a, goods):
    buyer, approver = client_for(unit_a.users["buyer"]), client_for(unit_a.users["approver"])
    created = buyer.post(
        f"/api/canteen/units/{unit_a.pk}/orders/", unit_order_body(unit_a, goods["huyou"]), "application/json"
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    assert created.json()["status"] == "awaiting_approval"
    own = buyer.post(f"/api/canteen/orders/{number}/approve/")
    assert own.status_code == 403
    queue = approver.get(f"/api/canteen/units/{unit_a.pk}/orders/?status=awaiting_approval").json()
    assert [o["number"] for o in queue] == [number]
    approved = approver.post(f"/api/canteen/orders/{number}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "pending_payment"
    assert approved.json()["approved_by"] == unit_a.users["approver"].username


def test_bad_delivery_date_is_400(unit_a, goods):
    response = client_for(unit_a.users["buyer"]).post(
        f"/api/canteen/units/{unit_a.pk}/orders/", unit_order_body(unit_a, goods["huyou"], days=1), "application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "delivery_date"
    assert not Order.objects.exists()


def test_unit_b_cannot_reach_unit_a(unit_a, unit_b, goods):
    created = client_for(unit_a.users["buyer"]).post(
        f"/api/canteen/units/{unit_a.pk}/orders/", unit_order_body(unit_a, goods["huyou"]), "application/json"
    )
    number = created.json()["number"]
    outsider = client_for(unit_b.users["approver"])
    assert outsider.get(f"/api/canteen/units/{unit_a.pk}/orders/").status_code == 404
    assert outsider.get(f"/api/canteen/units/{unit_a.pk}/share/").status_code == 404
    assert outsider.get(f"/api/canteen/orders/{number}/").status_code == 404
    assert outsider.post(f"/api/canteen/orders/{number}/approve/").status_code == 404
    assert (
        outsider.post(
            f"/api/canteen/units/{unit_a.pk}/orders/", unit_order_body(unit_a, goods["huyou"]), "application/json"
        ).status_code
        == 404
    )
    assert Order.objects.get().status == "awaiting_approval"
    assert Order.objects.count() == 1


def test_share_endpoint(unit_a, goods):
    set_budget(unit_a, 2024, "100000.00")
    make_paid_unit_order(unit_a, unit_a.users["buyer"], datetime.date(2024, 5, 5), [(goods["kecheng"], 100)])
    make_paid_unit_order(unit_a, unit_a.users["buyer"], datetime.date(2024, 9, 5), [(goods["kecheng"], 100)])
    body = client_for(unit_a.users["finance"]).get(f"/api/canteen/units/{unit_a.pk}/share/?year=2024").json()
    assert body["spend"] == "6000.00"
    assert body["mountain"] == "3000.00"  # 柯城 left the list on 2024-08-01
    assert body["share_of_budget"] == "0.0300"
    assert body["progress"] == "0.3000"
    assert body["months"][4] == {"month": 5, "spend": "3000.00", "mountain": "3000.00", "other": "0.00"}
    assert body["months"][8]["mountain"] == "0.00"
    assert client_for(unit_a.users["finance"]).get("/api/canteen/share/").status_code == 404


def test_reorder_through_the_api(unit_a, unit_b, goods):
    buyer = client_for(unit_a.users["buyer"])
    created = buyer.post(
        f"/api/canteen/units/{unit_a.pk}/orders/", unit_order_body(unit_a, goods["huyou"], qty=10), "application/json"
    )
    number = created.json()["number"]
    body = {"delivery_date": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(), "idempotency_key": "r1"}
    assert (
        client_for(unit_b.users["buyer"])
        .post(f"/api/canteen/orders/{number}/reorder/", body, "application/json")
        .status_code
        == 404
    )
    assert (
        client_for(unit_a.users["finance"])
        .post(f"/api/canteen/orders/{number}/reorder/", body, "application/json")
        .status_code
        == 403
    )
    again = buyer.post(f"/api/canteen/orders/{number}/reorder/", body, "application/json")
    assert again.status_code == 201, again.content
    new = Order.objects.get(number=again.json()["number"])
    assert new.number != number and new.buyer_unit == unit_a
    assert [(line.product_id, line.quantity) for line in new.lines.all()] == [(goods["huyou"].pk, 10)]
    assert again.json()["delivery_window"] == "08:00-10:00"
    repeat = buyer.post(f"/api/canteen/orders/{number}/reorder/", body, "application/json")
    assert repeat.json()["number"] == new.number
    too_soon = buyer.post(
        f"/api/canteen/orders/{number}/reorder/",
        {"delivery_date": timezone.localdate().isoformat()},
        "application/json",
    )
    assert too_soon.status_code == 400
