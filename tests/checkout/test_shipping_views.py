"""Shipping fees and 确认收货 through the test client and the JSON API: cart, checkout, order page, API."""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cms.models import ApiToken
from marketplace.checkout import services
from marketplace.checkout.models import CartItem, DeliveryAddress, Order, ShippingRegion, ShippingRule, VendorOrder
from tests.factories.users import make_mobile_buyer

pytestmark = pytest.mark.django_db

NEW_ADDRESS = {
    "address": "new",
    "new-recipient": "张三",
    "new-phone": "138 0013 8000",
    "new-province": "浙江省",
    "new-city": "杭州市",
    "new-district": "拱墅区",
    "new-street": "湖墅南路 1 号",
}


@pytest.fixture(autouse=True)
def default_language():
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def shop(make_vendor, make_product, changshan, kecheng):
    coop = make_vendor("常山胡柚合作社", changshan)
    shao = make_vendor("邵永丰食品", kecheng)
    rule = ShippingRule.objects.create(
        vendor=coop, first_fee=Decimal("10.00"), additional_fee=Decimal("5.00"), excluded_provinces=["西藏自治区"]
    )
    ShippingRegion.objects.create(rule=rule, provinces=["新疆维吾尔自治区"], first_fee=Decimal("25.00"))
    return {
        "coop": coop,
        "shao": shao,
        "tangelo": make_product(coop, "常山胡柚", "30.00", stock=20),
        "cake": make_product(shao, "邵永丰麻饼", "20.00", stock=20, category="snacks"),
    }


@pytest.fixture
def buyer(db):
    return make_mobile_buyer()


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer)
    return client


def put_in_cart(user, product, quantity):
    CartItem.objects.create(user=user, product=product, quantity=quantity, unit_price_seen=product.price_for(quantity))


def test_cart_shows_the_fee_per_vendor_for_the_province_chosen(buyer_client, buyer, shop, home_page):
    put_in_cart(buyer, shop["tangelo"], 2)
    put_in_cart(buyer, shop["cake"], 1)
    page = buyer_client.get(reverse("cart")).content.decode()
    assert "选择省份查看运费" in page and "data-shipping-total" not in page
    response = buyer_client.get(reverse("cart"), {"province": "浙江"})
    groups = response.context["cart"].groups
    assert [g.shipping.fee for g in groups] == [Decimal("15.00"), Decimal("0.00")]
    page = response.content.decode()
    assert 'data-shipping-fee="15.00"' in page and "¥95.00" in page  # 60 + 20 goods, 15 shipping
    page = buyer_client.get(reverse("cart"), {"province": "新疆维吾尔自治区"}).content.decode()
    assert 'data-shipping-fee="25.00"' in page
    page = buyer_client.get(reverse("cart"), {"province": "西藏自治区"}).content.decode()
    assert 'data-flag="not_delivered"' in page and "常山胡柚合作社不配送至西藏自治区" in page


def test_a_visitors_cart_shows_fees_in_english_too(client, shop, home_page):
    client.post(reverse("cart_add"), {"product": shop["tangelo"].pk, "quantity": 3})
    page = client.get("/en/cart/", {"province": "西藏自治区"}).content.decode()
    assert "does not deliver to 西藏自治区" in page
    page = client.get("/en/cart/", {"province": "浙江省"}).content.decode()
    assert "Shipping" in page and "¥20.00" in page


def test_checkout_shows_fees_recomputes_them_for_the_address_and_copies_them(buyer_client, buyer, shop, home_page):
    DeliveryAddress.objects.create(
        user=buyer,
        recipient="李四",
        phone="13900139000",
        province="新疆维吾尔自治区",
        city="乌鲁木齐市",
        district="天山区",
        street="1 号",
        is_default=True,
    )
    put_in_cart(buyer, shop["tangelo"], 2)
    response = buyer_client.get(reverse("checkout"))
    assert response.context["cart"].shipping_total == Decimal("25.00")  # the default address: 新疆, 25 per part
    # Choosing a new address in 浙江 and recalculating: 15, nothing placed, no form errors shown.
    data = {"payment_method": "bank_transfer", "idempotency_key": "k1", "recalculate": "1", **NEW_ADDRESS}
    response = buyer_client.post(reverse("checkout"), data)
    assert response.status_code == 200 and not Order.objects.exists()
    assert response.context["cart"].shipping_total == Decimal("15.00")
    assert 'name="shipping_seen" value="15.00"' in response.content.decode()
    assert "field__error" not in response.content.decode()
    # Placing with the fee the buyer saw.
    data.pop("recalculate")
    response = buyer_client.post(reverse("checkout"), {**data, "shipping_seen": "15.00"})
    order = Order.objects.get()
    assert response.status_code == 302
    assert order.total == Decimal("75.00") and order.vendor_orders.get().shipping_fee == Decimal("15.00")
    page = buyer_client.get(reverse("order_detail", args=[order.number])).content.decode()
    assert 'data-part-shipping="15.00"' in page and "¥75.00" in page


def test_checkout_refuses_a_fee_the_buyer_did_not_see(buyer_client, buyer, shop, home_page):
    put_in_cart(buyer, shop["tangelo"], 2)
    data = {"payment_method": "bank_transfer", "idempotency_key": "k2", "shipping_seen": "0.00", **NEW_ADDRESS}
    response = buyer_client.post(reverse("checkout"), data)
    assert response.status_code == 200 and not Order.objects.exists()
    assert "寄往此地址的运费为¥15.00" in response.content.decode()


def test_checkout_refuses_a_region_not_delivered_to(buyer_client, buyer, shop, home_page):
    put_in_cart(buyer, shop["tangelo"], 1)
    data = {
        "payment_method": "bank_transfer",
        "idempotency_key": "k3",
        **NEW_ADDRESS,
        "new-province": "西藏自治区",
        "new-city": "拉萨市",
        "new-district": "城关区",
    }
    response = buyer_client.post(reverse("checkout"), data)
    assert response.status_code == 200 and not Order.objects.exists()
    assert "常山胡柚合作社不配送至西藏自治区" in response.content.decode()


def paid_shipped_order(buyer, shop):
    from marketplace.checkout.services import Address, LineRequest

    staff = type(buyer).objects.create_superuser("boss", "boss@example.cn", "pw")
    order = services.place_order(
        buyer=buyer,
        lines=[LineRequest(shop["tangelo"].pk, 1)],
        payment_method="bank_transfer",
        address=Address("张三", "13800138000", "浙江省", "杭州市", "拱墅区", "1 号"),
    )
    services.record_bank_transfer(
        order, amount=order.total, received_on=timezone.localdate(), bank_reference="B", user=staff
    )
    services.mark_vendor_order_shipped(order.vendor_orders.get(), carrier="顺丰速运", tracking_number="SF1", user=staff)
    return Order.objects.get(pk=order.pk)


def test_buyer_confirms_receipt_on_the_order_page(buyer_client, buyer, shop, home_page, django_user_model):
    order = paid_shipped_order(buyer, shop)
    part = order.vendor_orders.get()
    page = buyer_client.get(reverse("order_detail", args=[order.number])).content.decode()
    confirm_url = reverse("order_confirm_delivery", args=[order.number, part.pk])
    assert confirm_url in page and "确认收货" in page
    stranger = Client()
    stranger.force_login(django_user_model.objects.create_user("13700137000", "", "pw"))
    assert stranger.post(confirm_url).status_code == 404
    response = buyer_client.post(confirm_url, follow=True)
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    page = response.content.decode()
    assert "您已确认收到常山胡柚合作社的商品" in page and confirm_url not in page
    response = buyer_client.post(confirm_url, follow=True)
    assert "您已确认收到常山胡柚合作社的商品。" in response.content.decode()  # refused, said so


def test_api_cart_fees_and_confirm(buyer, shop):
    _token, secret = ApiToken.issue(buyer, "phone")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    put_in_cart(buyer, shop["tangelo"], 2)
    put_in_cart(buyer, shop["cake"], 1)
    body = api.get("/api/cart/").json()
    assert body["shipping_quoted"] is False and body["shipping_total"] == "0.00"
    body = api.get("/api/cart/", {"province": "新疆"}).json()
    parts = {p["vendor_name"]: p for p in body["parts"]}
    assert parts["常山胡柚合作社"]["shipping_fee"] == "25.00" and parts["邵永丰食品"]["shipping_fee"] == "0.00"
    assert body["total"] == "80.00" and body["grand_total"] == "105.00"
    body = api.get("/api/cart/", {"province": "西藏自治区"}).json()
    refused = next(p for p in body["parts"] if not p["delivers"])
    assert "does not deliver to 西藏自治区" in refused["message"]
    address = DeliveryAddress.objects.create(
        user=buyer,
        recipient="李四",
        phone="13900139000",
        province="浙江省",
        city="杭州市",
        district="拱墅区",
        street="1 号",
    )
    body = api.get("/api/cart/", {"address_id": address.pk}).json()
    assert body["shipping_total"] == "15.00"
    # Placing to 西藏 is refused for that part.
    order_body = {
        "lines": [{"product": shop["tangelo"].pk, "quantity": 1}],
        "address": {
            **{k: getattr(address, k) for k in ("recipient", "phone", "street")},
            "province": "西藏自治区",
            "city": "拉萨市",
            "district": "城关区",
        },
        "payment_method": "bank_transfer",
    }
    response = api.post("/api/orders/", order_body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "not_delivered"
    assert response.json()["field"] == "address"

    order = paid_shipped_order(buyer, shop)
    body = api.get(f"/api/orders/{order.number}/").json()
    part = body["vendor_parts"][0]
    assert part["shipping_fee"] == "10.00" and body["shipping_total"] == "10.00" and part["auto_confirm_at"]
    response = api.post(f"/api/orders/{order.number}/parts/{part['id']}/confirm/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "completed" and response.json()["vendor_parts"][0]["received_at"]
    response = api.post(f"/api/orders/{order.number}/parts/{part['id']}/confirm/")
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"
    assert VendorOrder.objects.get(pk=part["id"]).status == VendorOrder.Status.DELIVERED


def test_schema_lists_the_shipping_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert "orders_confirm_delivery" in operations
    cart = schema["components"]["schemas"]["CartOut"]["properties"]
    assert {"parts", "shipping_total", "grand_total"} <= set(cart)
