"""JSON API helpers: a client that sends a bearer token, posting JSON, an order body, and a before/after snapshot."""

import datetime

from django.test import Client
from django.utils import timezone

from cms.models import ApiToken
from marketplace.checkout.models import Order
from tests.factories.checkout import ADDRESS_FIELDS, stock


def bearer_client(secret):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def client_for(user, name="test"):
    """A client with a new API token of `user`, asking for English messages."""
    _token, secret = ApiToken.issue(user, name)
    return bearer_client(secret)


def post_json(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", **headers)


def order_body(*lines, method="bank_transfer", **extra):
    body = {
        "lines": [
            {"product": p.pk, "quantity": q, **({"expected_unit_price": rest[0]} if rest else {})}
            for p, q, *rest in lines
        ],
        "address": ADDRESS_FIELDS,
        "payment_method": method,
    }
    body.update(extra)
    return body


def snapshot(shop):
    """Everything an order touches: stock of each product and the number of orders."""
    return {name: stock(p) for name, p in shop.items() if hasattr(p, "track_stock")}, Order.objects.count()


def unit_order_body(unit, product, qty=50, days=3):
    """A canteen order for POST /api/canteen/units/<id>/orders/: `qty` of `product` in `days` days."""
    return {
        "lines": [{"product": product.pk, "quantity": qty}],
        "address_id": unit.addresses.first().pk,
        "delivery_date": (timezone.localdate() + datetime.timedelta(days=days)).isoformat(),
        "delivery_window": "08:00-10:00",
        "purchase_order_number": "PO-7",
    }
