"""A unit buyer's checkout asks whom the order is for, the unit pre-selected; a personal order needs that choice."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from marketplace.canteen.models import UnitMember
from marketplace.checkout.models import CartItem, Order
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PERSONAL_ORDER = {
    "payment_method": "bank_transfer",
    "idempotency_key": "key-personal",
    "address": "new",
    "new-recipient": "张三",
    "new-phone": "138 0013 8000",
    "new-province": "浙江省",
    "new-city": "杭州市",
    "new-district": "拱墅区",
    "new-street": "湖墅南路 1 号",
}


def with_cart(client, user, product, quantity=10):
    CartItem.objects.create(user=user, product=product, quantity=quantity, unit_price_seen=product.price_for(quantity))
    client.force_login(user)
    return client


def test_a_unit_buyer_is_asked_first_with_the_unit_pre_selected(client, unit_a, goods):
    with_cart(client, unit_a.users["buyer"], goods["huyou"])
    page = client.get(reverse("cart")).content.decode()
    assert f'href="{reverse("checkout")}"' in page  # the cart's button leads to the choice below
    response = client.get(reverse("checkout"))
    assert response.status_code == 200
    assert response.templates[0].name == "marketplace/checkout/order_for.html"
    html = response.content.decode()
    assert f'value="{unit_a.pk}"' in html and 'value="personal"' in html
    checked = [chunk for chunk in html.split("<input")[1:] if 'name="order_for"' in chunk and "checked" in chunk]
    assert len(checked) == 1 and f'value="{unit_a.pk}"' in checked[0]  # the unit, by default
    assert unit_a.name in html
    assert 'name="payment_method"' not in html  # no way to place an order from this step
    # Going on with the default leads to the unit's checkout (canteen, delivery date, purchase order number).
    chosen = client.get(reverse("checkout"), {"order_for": str(unit_a.pk)})
    assert chosen.status_code == 302 and chosen.url == reverse("canteen_checkout", args=[unit_a.pk])
    unit_page = client.get(chosen.url).content.decode()
    assert 'name="delivery_date"' in unit_page and 'name="address"' in unit_page
    assert not Order.objects.exists()


def test_choosing_another_units_id_is_refused(client, unit_a, unit_b, goods):
    with_cart(client, unit_a.users["buyer"], goods["huyou"])
    response = client.get(reverse("checkout"), {"order_for": str(unit_b.pk)})
    assert response.status_code == 200 and response.context["choice"].errors["order_for"]


def test_a_personal_order_posted_without_the_choice_is_refused_and_places_nothing(client, unit_a, goods):
    with_cart(client, unit_a.users["buyer"], goods["huyou"])
    response = client.post(reverse("checkout"), PERSONAL_ORDER)
    assert response.status_code == 200
    assert response.templates[0].name == "marketplace/checkout/order_for.html"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["请选择这笔订单是单位订单还是个人订单：尚未下单。"]
    assert not Order.objects.exists()
    assert CartItem.objects.filter(user=unit_a.users["buyer"]).count() == 1


def test_the_personal_order_after_the_explicit_choice(client, unit_a, goods):
    with_cart(client, unit_a.users["buyer"], goods["huyou"])
    form_page = client.get(reverse("checkout"), {"order_for": "personal"})
    html = form_page.content.decode()
    assert 'name="payment_method"' in html
    assert '<input type="hidden" name="order_for" value="personal">' in html
    assert f'href="{reverse("canteen_checkout", args=[unit_a.pk])}"' in html  # the way back to the unit order
    placed = client.post(reverse("checkout"), {**PERSONAL_ORDER, "order_for": "personal"})
    order = Order.objects.get()
    assert placed.status_code == 302 and placed.url == reverse("order_detail", args=[order.number])
    assert order.buyer == unit_a.users["buyer"] and order.buyer_unit is None and order.canteen_name == ""


@pytest.mark.parametrize("who", ["private", "approver", "finance"])
def test_people_who_cannot_order_for_a_unit_check_out_directly(client, unit_a, goods, who):
    user = make_user("private-buyer", email="") if who == "private" else unit_a.users[who]
    assert not UnitMember.objects.filter(user=user, role="buyer").exists()
    with_cart(client, user, goods["huyou"])
    html = client.get(reverse("checkout")).content.decode()
    assert 'name="payment_method"' in html and 'name="order_for"' not in html
    placed = client.post(reverse("checkout"), PERSONAL_ORDER)
    assert placed.status_code == 302 and Order.objects.get().buyer_unit is None
