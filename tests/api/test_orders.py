"""POST/GET /api/orders/, cancel, and the cart: happy paths, idempotency, every refusal, nothing changed on error."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from cms.models import ApiToken
from marketplace.checkout.models import CartItem, DeliveryAddress, Order, OrderLine
from tests.factories import ADDRESS_FIELDS, place_order, stock
from tests.support.api import bearer_client, order_body, post_json, snapshot

pytestmark = pytest.mark.django_db


def test_place_order_with_bank_transfer(api, shop, buyer):
    response = post_json(api, "/api/orders/", order_body((shop["tangelo"], 5), (shop["cake"], 2), note="请周末送"))
    assert response.status_code == 201, response.json()
    body = response.json()
    order = Order.objects.get()
    assert body["number"] == order.number and order.buyer == buyer
    assert body["status"] == "pending_payment"
    assert body["total"] == "320.00"  # 5 × 52.00 (tier) + 2 × 30.00
    assert body["currency"] == "CNY" and body["payment_method"] == "bank_transfer"
    assert body["payment_reference"] == order.payment_reference and body["payment_reference"].startswith("SHZ")
    assert set(body["bank_account"]) == {"name", "bank", "number"} and body["bank_account"]["number"]
    assert body["payment_due_at"] and body["client_secret"] is None and body["payment_error"] is None
    assert body["address"] == ADDRESS_FIELDS and body["note"] == "请周末送"
    lines = {line["name"]: line for line in body["lines"]}
    assert lines["常山胡柚"] == {
        "product": shop["tangelo"].pk,
        "name": "常山胡柚",
        "vendor_name": "常山胡柚合作社",
        "unit": "斤",
        "unit_price": "52.00",
        "quantity": 5,
        "line_total": "260.00",
        "refunded_quantity": 0,
    }
    parts = {part["vendor_name"]: part for part in body["vendor_parts"]}
    assert parts["常山胡柚合作社"]["subtotal"] == "260.00" and parts["邵永丰食品"]["subtotal"] == "60.00"
    assert parts["邵永丰食品"]["status"] == "pending"
    # Stock is reserved.
    assert stock(shop["tangelo"]) == 5 and stock(shop["cake"]) == 1


def test_place_order_with_a_saved_address(api, shop, buyer, other_buyer):
    mine = DeliveryAddress.objects.create(user=buyer, **{**ADDRESS_FIELDS, "recipient": "李四"})
    theirs = DeliveryAddress.objects.create(user=other_buyer, **ADDRESS_FIELDS)
    body = order_body((shop["cake"], 1))
    del body["address"]
    response = post_json(api, "/api/orders/", {**body, "address_id": theirs.pk})
    assert response.status_code == 400 and response.json()["code"] == "unknown_address"
    assert not Order.objects.exists()
    response = post_json(api, "/api/orders/", {**body, "address_id": mine.pk})
    assert response.status_code == 201
    assert response.json()["address"]["recipient"] == "李四"


def test_idempotency_key(api, shop):
    body = order_body((shop["cake"], 1))
    first = post_json(api, "/api/orders/", body, HTTP_X_IDEMPOTENCY_KEY="app-7f3a")
    again = post_json(api, "/api/orders/", body, HTTP_X_IDEMPOTENCY_KEY="app-7f3a")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["number"] == again.json()["number"]
    assert Order.objects.count() == 1 and stock(shop["cake"]) == 2
    other = post_json(api, "/api/orders/", body, HTTP_X_IDEMPOTENCY_KEY="app-8b1c")
    assert other.status_code == 201 and other.json()["number"] != first.json()["number"]
    assert Order.objects.count() == 2 and stock(shop["cake"]) == 1
    assert set(Order.objects.values_list("idempotency_key", flat=True)) == {"app-7f3a", "app-8b1c"}


def test_idempotency_keys_are_per_buyer(api, shop, other_buyer):
    _token, secret = ApiToken.issue(other_buyer)
    body = order_body((shop["cake"], 1))
    mine = post_json(api, "/api/orders/", body, HTTP_X_IDEMPOTENCY_KEY="same")
    theirs = post_json(bearer_client(secret), "/api/orders/", body, HTTP_X_IDEMPOTENCY_KEY="same")
    assert theirs.status_code == 201 and theirs.json()["number"] != mine.json()["number"]


def test_too_long_idempotency_key_is_refused(api, shop):
    response = post_json(api, "/api/orders/", order_body((shop["cake"], 1)), HTTP_X_IDEMPOTENCY_KEY="k" * 81)
    assert response.status_code == 400
    assert response.json()["field"] == "X-Idempotency-Key"
    assert not Order.objects.exists()


def _bad(shop, name, quantity):
    return order_body((shop[name], quantity))


BAD_REQUESTS = [
    # (id, body builder, status, code)
    ("zero", lambda s: _bad(s, "tangelo", 0), 400, "invalid_quantity"),
    ("negative", lambda s: _bad(s, "tangelo", -1), 400, "invalid_quantity"),
    ("fractional", lambda s: _bad(s, "tangelo", 1.5), 400, "invalid_quantity"),
    ("fractional string", lambda s: _bad(s, "tangelo", "1.5"), 400, "invalid_quantity"),
    ("string", lambda s: _bad(s, "tangelo", "two"), 400, "invalid_quantity"),
    ("numeric string", lambda s: _bad(s, "tangelo", "2"), 400, "invalid_quantity"),
    ("boolean", lambda s: _bad(s, "tangelo", True), 400, "invalid_quantity"),
    ("null", lambda s: _bad(s, "tangelo", None), 400, "invalid_quantity"),
    ("absurd", lambda s: _bad(s, "tangelo", 10**9), 400, "invalid_quantity"),
    ("huge", lambda s: _bad(s, "tangelo", 10**30), 400, "invalid_quantity"),
    ("below minimum", lambda s: _bad(s, "bulk", 4), 400, "below_minimum"),
    ("more than stock", lambda s: order_body((s["tangelo"], 2), (s["cake"], 4)), 409, "out_of_stock"),
    ("canteen only", lambda s: _bad(s, "rice", 1), 400, "not_for_sale_to_buyer"),
    (
        "unknown product",
        lambda s: {**_bad(s, "cake", 1), "lines": [{"product": 999999, "quantity": 1}]},
        400,
        "unknown_product",
    ),
    (
        "product not a number",
        lambda s: {**_bad(s, "cake", 1), "lines": [{"product": "x", "quantity": 1}]},
        400,
        "invalid",
    ),
    ("empty lines", lambda s: {**_bad(s, "cake", 1), "lines": []}, 400, "empty_cart"),
    ("no lines", lambda s: {k: v for k, v in _bad(s, "cake", 1).items() if k != "lines"}, 400, "invalid"),
    ("price changed", lambda s: order_body((s["cake"], 1, "25.00")), 400, "price_changed"),
    ("bad price", lambda s: order_body((s["cake"], 1, "cheap")), 400, "invalid"),
    ("bad payment method", lambda s: _bad(s, "cake", 1) | {"payment_method": "bitcoin"}, 400, "invalid_payment_method"),
    ("no address", lambda s: {k: v for k, v in _bad(s, "cake", 1).items() if k != "address"}, 400, "address_required"),
    ("address incomplete", lambda s: _bad(s, "cake", 1) | {"address": {"recipient": "张三"}}, 400, "invalid"),
    ("address and address_id", lambda s: _bad(s, "cake", 1) | {"address_id": 1}, 400, "invalid"),
    (
        "district of another city",
        lambda s: _bad(s, "cake", 1) | {"address": {**ADDRESS_FIELDS, "district": "柯城区"}},
        400,
        "invalid_address",
    ),
    ("note too long", lambda s: _bad(s, "cake", 1) | {"note": "长" * 201}, 400, "invalid"),
]


@pytest.mark.parametrize(
    ("build", "status", "code"), [case[1:] for case in BAD_REQUESTS], ids=[case[0] for case in BAD_REQUESTS]
)
def test_bad_orders_are_refused_and_change_nothing(api, shop, build, status, code):
    before = snapshot(shop)
    response = post_json(api, "/api/orders/", build(shop))
    assert response.status_code == status, response.json()
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    assert set(body) == {"code", "message", "field", "errors"}
    assert snapshot(shop) == before
    assert not OrderLine.objects.exists()


def test_unavailable_product_is_400(api, shop):
    shop["cake"].available = False
    shop["cake"].save_revision().publish()
    response = post_json(api, "/api/orders/", order_body((shop["cake"], 1)))
    assert response.status_code == 400 and response.json()["code"] == "unavailable"
    assert stock(shop["cake"]) == 3 and not Order.objects.exists()


def test_validation_errors_name_the_field(api, shop):
    response = post_json(api, "/api/orders/", order_body((shop["cake"], 1), (shop["tangelo"], "x")))
    body = response.json()
    assert body["field"] == "lines.1.quantity"
    assert body["message"] == "Quantities must be whole numbers."
    assert body["errors"][0]["field"] == "lines.1.quantity"


def test_malformed_json_is_400(api, shop):
    response = api.post("/api/orders/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Order.objects.exists()


def test_list_shows_own_orders_newest_first_paginated(api, shop, buyer, other_buyer):
    first = place_order(buyer, (shop["cake"], 1))
    second = place_order(buyer, (shop["tangelo"], 2))
    place_order(other_buyer, (shop["cake"], 1))
    response = api.get("/api/orders/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["number"] for item in body["items"]] == [second.number, first.number]
    assert body["items"][0]["total"] == "116.00" and body["items"][0]["line_count"] == 1
    page2 = api.get("/api/orders/?page=2&page_size=1").json()
    assert page2["pages"] == 2 and page2["next_page"] is None
    assert [item["number"] for item in page2["items"]] == [first.number]
    assert api.get("/api/orders/?page=0").status_code == 400
    assert api.get("/api/orders/?page_size=1000").status_code == 400


def test_detail_is_own_only(api, shop, buyer, other_buyer):
    mine = place_order(buyer, (shop["cake"], 1))
    theirs = place_order(other_buyer, (shop["tangelo"], 1))
    response = api.get(f"/api/orders/{mine.number}/")
    assert response.status_code == 200 and response.json()["number"] == mine.number
    for number in (theirs.number, "SH000000NOPE"):
        response = api.get(f"/api/orders/{number}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_cancel_unpaid_then_409(api, shop, buyer):
    order = place_order(buyer, (shop["cake"], 3))
    assert stock(shop["cake"]) == 0
    response = post_json(api, f"/api/orders/{order.number}/cancel/", {})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert stock(shop["cake"]) == 3
    response = post_json(api, f"/api/orders/{order.number}/cancel/", {})
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"
    assert stock(shop["cake"]) == 3


def test_cancel_someone_elses_order_is_404_and_changes_nothing(api, shop, other_buyer):
    order = place_order(other_buyer, (shop["cake"], 2))
    response = post_json(api, f"/api/orders/{order.number}/cancel/", {})
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT and stock(shop["cake"]) == 1


def test_cart(api, buyer, shop):
    CartItem.objects.create(user=buyer, product=shop["tangelo"], quantity=5, unit_price_seen=Decimal("52.00"))
    CartItem.objects.create(user=buyer, product=shop["cake"], quantity=4, unit_price_seen=Decimal("25.00"))
    response = api.get("/api/cart/")
    assert response.status_code == 200
    body = response.json()
    lines = {line["name"]: line for line in body["lines"]}
    assert lines["常山胡柚"]["unit_price"] == "52.00" and lines["常山胡柚"]["line_total"] == "260.00"
    assert lines["常山胡柚"]["flags"] == [] and lines["常山胡柚"]["ok"] is True
    assert lines["邵永丰麻饼"]["unit_price_seen"] == "25.00" and lines["邵永丰麻饼"]["unit_price"] == "30.00"
    assert lines["邵永丰麻饼"]["flags"] == ["price_changed", "out_of_stock"]
    assert body["total"] == "380.00" and body["count"] == 2
    assert body["can_check_out"] is False and body["has_price_rises"] is True


def test_other_users_cart_is_not_shown(api, other_buyer, shop):
    CartItem.objects.create(user=other_buyer, product=shop["cake"], quantity=1, unit_price_seen=Decimal("30.00"))
    assert api.get("/api/cart/").json()["lines"] == []


def test_online_payment_without_stripe_is_refused_and_nothing_is_ordered(api, shop, settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    before = snapshot(shop)
    for method in ("card", "alipay", "wechat_pay"):
        response = post_json(api, "/api/orders/", order_body((shop["cake"], 1), method=method))
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid_payment_method" and body["field"] == "payment_method"
        assert "bank transfer" in body["message"]
    assert snapshot(shop) == before


def test_wagtail_content_api_still_answers(home_page):
    assert Client().get("/api/v2/pages/").status_code == 200


@pytest.mark.parametrize("retry", [False, True])
def test_the_placed_order_answer_is_what_the_schema_renders(api, shop, retry):
    """POST /api/orders/ renders its answer without validating it again (cms.json_api.api.trusted_answer): it must be
    byte for byte what validating it against OrderOut and rendering would give, for a new order and for a retry."""
    from cms.json_api.api import api as ninja_api
    from marketplace.checkout.api import OrderOut, _order_out

    headers = {"HTTP_X_IDEMPOTENCY_KEY": "same"}
    response = post_json(api, "/api/orders/", order_body((shop["tangelo"], 5), (shop["cake"], 2)), **headers)
    if retry:
        response = post_json(api, "/api/orders/", order_body((shop["tangelo"], 5), (shop["cake"], 2)), **headers)
    assert response.status_code == (200 if retry else 201), response.json()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    order = Order.objects.get(number=response.json()["number"])
    with translation.override("en"):
        validated = OrderOut.model_validate(_order_out(order)).model_dump()
        expected = ninja_api.create_response(None, validated, status=response.status_code)
    assert response.content == expected.content


def test_a_declined_card_answers_the_order_with_its_payment_error(api, shop, stripe_fake):
    """The answer's payment_error (a translated message) is rendered as the schema says, the order kept."""
    from tests.support.localstripe import CARD_CHARGE_DECLINED

    declined = stripe_fake.payment_method(CARD_CHARGE_DECLINED)
    response = post_json(api, "/api/orders/", order_body((shop["cake"], 1), method="card", payment_method_id=declined))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending_payment" and body["payment_method"] == "card"
    assert set(body["payment_error"]) == {"code", "message"} and body["payment_error"]["message"]
    assert isinstance(body["payment_error"]["message"], str) and body["bank_account"] is None


def test_only_an_order_with_an_idempotency_key_keeps_its_request_digest(api, shop):
    """The request's digest is worked out only for a request with a key (a retry is compared with it)."""
    post_json(api, "/api/orders/", order_body((shop["cake"], 1)))
    post_json(api, "/api/orders/", order_body((shop["cake"], 1)), HTTP_X_IDEMPOTENCY_KEY="k-1")
    digests = dict(Order.objects.values_list("idempotency_key", "idempotency_fingerprint"))
    assert digests[""] == "" and len(digests["k-1"]) == 64


def test_a_sold_out_refusal_is_not_logged_as_a_warning_but_a_bad_request_is(api, shop, caplog):
    """409 answers (sold out, wrong state) are expected in a rush: Django's per-response warning is left out."""
    with caplog.at_level("WARNING", logger="django.request"):
        sold_out = post_json(api, "/api/orders/", order_body((shop["cake"], 4)))
        bad = post_json(api, "/api/orders/", {"lines": []})
    assert sold_out.status_code == 409 and bad.status_code in (400, 422)
    logged = [record.getMessage() for record in caplog.records if record.name == "django.request"]
    assert len(logged) == 1 and "Conflict" not in logged[0] and logged[0].endswith(": /api/orders/")
