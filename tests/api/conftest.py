"""Fixtures for the JSON API tests: buyers, tokens, a small shop, and a client that sends a token."""

import pytest
from django.test import Client

from cms.models import ApiToken
from marketplace.checkout.models import Order
from marketplace.models import ProductStock

ADDRESS = {
    "recipient": "张三",
    "phone": "13800138000",
    "province": "浙江省",
    "city": "杭州市",
    "district": "拱墅区",
    "street": "湖墅南路 1 号",
}


@pytest.fixture
def buyer(django_user_model):
    return django_user_model.objects.create_user("buyer", "buyer@example.cn", "pw")


@pytest.fixture
def other_buyer(django_user_model):
    return django_user_model.objects.create_user("other", "other@example.cn", "pw")


@pytest.fixture
def token(buyer):
    _token, secret = ApiToken.issue(buyer, "phone")
    return secret


def bearer_client(secret):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def api(token):
    """A client authenticated with the buyer's token, asking for English messages."""
    return bearer_client(token)


@pytest.fixture
def shop(make_vendor, make_product, changshan, kecheng):
    coop = make_vendor("常山胡柚合作社", changshan)
    shao = make_vendor("邵永丰食品", kecheng)
    return {
        "coop": coop,
        "shao": shao,
        "tangelo": make_product(coop, "常山胡柚", "58.00", stock=10, tiers=[(5, "52.00")]),
        "cake": make_product(shao, "邵永丰麻饼", "30.00", stock=3, category="snacks"),
        "rice": make_product(coop, "食堂大米", "120.00", stock=50, category="processed", audience="canteens"),
        "bulk": make_product(coop, "胡柚整箱", "200.00", stock=50, min_order_quantity=5),
    }


def stock(product):
    return ProductStock.objects.get(product=product).quantity


def snapshot(shop):
    """Everything an order touches: stock of each product and the number of orders."""
    return {name: stock(p) for name, p in shop.items() if hasattr(p, "track_stock")}, Order.objects.count()


def order_body(*lines, method="bank_transfer", **extra):
    body = {
        "lines": [
            {"product": p.pk, "quantity": q, **({"expected_unit_price": rest[0]} if rest else {})}
            for p, q, *rest in lines
        ],
        "address": ADDRESS,
        "payment_method": method,
    }
    body.update(extra)
    return body


def post_json(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", **headers)
