"""立即购买 (buy now) on the product page: the product goes into the cart and the buyer goes straight to checkout."""

import pytest
from django.urls import reverse

from marketplace.checkout.cart import SESSION_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def tangelo(make_vendor, make_product, changshan):
    return make_product(make_vendor("常山胡柚合作社", changshan), "常山胡柚", "58.00", stock=20)


def test_product_page_offers_add_to_cart_and_buy_now(client, tangelo):
    page = client.get(tangelo.url).content.decode()
    assert 'class="buy-box__row buy-bar"' in page
    assert 'class="button button--secondary buy-box__add" type="submit"' in page
    assert 'name="buy_now" value="1"' in page


def test_buy_now_adds_and_goes_to_checkout(client, tangelo):
    response = client.post(reverse("cart_add"), {"product": tangelo.pk, "quantity": 2, "next": "/", "buy_now": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("checkout")
    assert client.session[SESSION_KEY] == {str(tangelo.pk): [2, "58.00"]}


def test_add_to_cart_still_goes_to_the_cart(client, tangelo):
    response = client.post(reverse("cart_add"), {"product": tangelo.pk, "quantity": 1, "next": "/"})
    assert response["Location"] == reverse("cart")
