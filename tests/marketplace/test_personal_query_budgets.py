"""Query budgets of the truly personal pages: cart, checkout, account, an order, the canteen unit's page and its
monthly statement. Each is counted on a warm request with a little data and again with much more (cart lines,
orders, vendors): the count is fixed, never one query per row. A lower number after an optimisation is
welcome: update the budget. A higher one is a finding."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from marketplace.checkout import services as checkout
from marketplace.checkout.cart import Cart
from marketplace.checkout.models import PaymentMethod
from marketplace.checkout.services import LineRequest
from tests.factories import ADDRESS, make_paid_unit_order, make_user
from tests.support.queries import warm_count

pytestmark = pytest.mark.django_db

# Each includes the session and the user (2) of a signed-in request. The header's cart count and links come from
# the reader's entry in cms.personal_cache (no query once it is made; `warm_count` counts a warm request).
BUDGETS = {
    # The cart's products with their tier prices, vendors, shipping rules and regions in one query (as placing the
    # order reads them), its lines and the buyer's default address.
    "cart": 5,
    "checkout": 5,  # the cart's two, and the buyer's addresses read once (choices and pre-filled mobile number)
    "account": 5,
    "order": 7,  # its parts, its lines once (parts and fee lines), after-sale requests (售后), events
    "canteen dashboard": 6,  # with whether the unit has purchase agreements from fairs (the link to them)
    "canteen statement": 6,  # with the shipping fees kept apart from produce
}


@pytest.fixture
def shop(home_page, make_vendor, make_product, changshan, kecheng):
    vendors = [make_vendor(f"常山商家{i}", changshan if i % 2 else kecheng) for i in range(6)]
    products = [
        make_product(vendors[i % 6], f"胡柚礼盒{i}", f"{20 + i}.00", tiers=[(10, "15.00")] if i % 2 else ())
        for i in range(12)
    ]
    return products


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def counts(client, paths):
    return {name: warm_count(client, path) for name, path in paths.items()}


def test_buyer_pages_cost_the_same_with_one_line_and_twelve(shop):
    buyer = make_user("buyer", email="")
    client = signed_in(buyer)

    def order_with(products):
        return checkout.place_order(
            buyer=buyer,
            lines=[LineRequest(p.pk, 1) for p in products],
            payment_method=PaymentMethod.BANK_TRANSFER,
            address=ADDRESS,
        )

    order = order_with(shop[:1])
    Cart(user=buyer).add(shop[0], 1)
    paths = {"cart": "/cart/", "checkout": "/checkout/", "account": "/account/", "order": f"/orders/{order.number}/"}
    small = counts(client, paths)
    big_order = order_with(shop)
    for product in shop:
        Cart(user=buyer).add(product, 2)
    for _ in range(5):
        order_with(shop[:3])
    paths["order"] = f"/orders/{big_order.number}/"
    large = counts(client, paths)
    assert small == large == {name: BUDGETS[name] for name in paths}, (small, large)


def test_canteen_pages_cost_the_same_with_one_order_and_many(shop, unit_a):
    finance = unit_a.users["finance"]
    client = signed_in(finance)
    today = timezone.localdate()
    month = today.strftime("%Y-%m")
    paths = {
        "canteen dashboard": f"/canteen/{unit_a.pk}/",
        "canteen statement": f"/canteen/{unit_a.pk}/statement/?month={month}",
    }
    make_paid_unit_order(unit_a, unit_a.users["buyer"], today, [(shop[0], 5)])
    small = counts(client, paths)
    for i in range(12):
        make_paid_unit_order(
            unit_a, unit_a.users["buyer"], today - datetime.timedelta(days=i % 3), [(p, 3) for p in shop[: 1 + i % 6]]
        )
    large = counts(client, paths)
    assert small == large == {name: BUDGETS[name] for name in paths}, (small, large)
