"""A double submit of the web checkout with a new address saves one address (issue #18, point 8)."""

import pytest

from marketplace.checkout.models import DeliveryAddress, Order
from tests.support.web import checkout, put_in_cart

pytestmark = pytest.mark.django_db


def test_double_submit_with_a_new_address_saves_it_once(buyer_client, buyer, shop):
    put_in_cart(buyer, shop["cake"], 1)
    first = checkout(buyer_client, key="double-1")
    assert first.status_code == 302
    put_in_cart(buyer, shop["cake"], 1)  # the second tab still had the cart
    second = checkout(buyer_client, key="double-1")
    assert second.status_code == 302
    assert Order.objects.count() == 1
    assert DeliveryAddress.objects.filter(user=buyer).count() == 1
