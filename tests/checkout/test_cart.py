"""The cart: visitor (session) and user (CartItem) carts, merging at login, tier prices and the flags."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cms.errors import DomainError
from marketplace.checkout.cart import SESSION_KEY, Cart
from marketplace.checkout.models import CartItem, Order
from marketplace.models import ProductStock
from tests.factories.users import make_mobile_buyer

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(make_vendor, make_product, changshan, kecheng):
    coop = make_vendor("常山胡柚合作社", changshan)
    shao = make_vendor("邵永丰食品", kecheng)
    return {
        "coop": coop,
        "shao": shao,
        "tangelo": make_product(coop, "常山胡柚", "58.00", stock=20, tiers=[(5, "52.00")]),
        "cake": make_product(shao, "邵永丰麻饼", "30.00", stock=3, category="snacks"),
        "bulk": make_product(coop, "胡柚整箱", "200.00", stock=50, min_order_quantity=5),
        "rice": make_product(coop, "食堂大米", "120.00", stock=50, category="processed", audience="canteens"),
    }


@pytest.fixture
def buyer(db):
    return make_mobile_buyer(password="pw-Shanhai-2024")


def add(client, product, quantity=None):
    data = {"product": product.pk, "next": "/"}
    if quantity is not None:
        data["quantity"] = quantity
    return client.post(reverse("cart_add"), data)


def update(client, action, product=None, quantity=None):
    data = {"action": action}
    if product is not None:
        data["product"] = product.pk
    if quantity is not None:
        data["quantity"] = quantity
    return client.post(reverse("cart_update"), data)


def session_cart(client):
    return client.session.get(SESSION_KEY, {})


def test_visitor_adds_changes_and_removes(client, shop):
    response = add(client, shop["tangelo"], 2)
    assert response.status_code == 302 and response["Location"] == reverse("cart")
    add(client, shop["tangelo"], 1)
    assert session_cart(client) == {str(shop["tangelo"].pk): [3, "58.00"]}
    update(client, "update", shop["tangelo"], 6)
    # Six reach the bulk tier: the buyer now sees (and is charged) the tier price.
    assert session_cart(client)[str(shop["tangelo"].pk)] == [6, "52.00"]
    update(client, "remove", shop["tangelo"])
    assert session_cart(client) == {}
    assert not CartItem.objects.exists()


def test_update_to_zero_removes(client, shop):
    add(client, shop["cake"], 1)
    update(client, "update", shop["cake"], 0)
    assert session_cart(client) == {}


def test_user_cart_lives_in_cart_items(client, shop, buyer):
    client.force_login(buyer)
    add(client, shop["tangelo"], 2)
    add(client, shop["cake"], 1)
    update(client, "update", shop["tangelo"], 5)
    items = {item.product_id: item for item in CartItem.objects.filter(user=buyer)}
    assert items[shop["tangelo"].pk].quantity == 5
    assert items[shop["tangelo"].pk].unit_price_seen == Decimal("52.00")
    assert items[shop["cake"].pk].quantity == 1
    update(client, "remove", shop["cake"])
    assert list(CartItem.objects.filter(user=buyer).values_list("product_id", flat=True)) == [shop["tangelo"].pk]
    assert session_cart(client) == {}


def test_add_defaults_to_the_minimum_order(client, shop):
    add(client, shop["bulk"])
    assert session_cart(client)[str(shop["bulk"].pk)][0] == 5


def test_session_cart_merges_into_the_account_at_login(client, shop, buyer):
    CartItem.objects.create(user=buyer, product=shop["tangelo"], quantity=2, unit_price_seen=Decimal("58.00"))
    add(client, shop["tangelo"], 3)
    add(client, shop["cake"], 1)
    response = client.post(reverse("login"), {"identifier": "13800138000", "password": "pw-Shanhai-2024"})
    assert response.status_code == 302
    items = {item.product_id: item for item in CartItem.objects.filter(user=buyer)}
    # 2 + 3 = 5 reaches the bulk tier, so the merged line shows the tier price.
    assert (items[shop["tangelo"].pk].quantity, items[shop["tangelo"].pk].unit_price_seen) == (5, Decimal("52.00"))
    assert items[shop["cake"].pk].quantity == 1
    assert session_cart(client) == {}


def test_tier_price_applies_by_quantity(buyer, shop):
    cart = Cart(user=buyer)
    cart.add(shop["tangelo"], 4)
    (line,) = cart.lines
    assert (line.unit_price, line.line_total, line.tier_applied) == (Decimal("58.00"), Decimal("232.00"), False)
    cart.set_quantity(shop["tangelo"].pk, 5)
    (line,) = cart.lines
    assert (line.unit_price, line.line_total, line.tier_applied) == (Decimal("52.00"), Decimal("260.00"), True)
    assert cart.total == Decimal("260.00")


def test_price_rise_is_flagged_and_checkout_refuses_until_accepted(client, shop, buyer):
    client.force_login(buyer)
    add(client, shop["cake"], 1)
    cake = shop["cake"]
    cake.unit_price = Decimal("36.00")
    cake.save_revision().publish()

    (line,) = Cart(user=buyer).lines
    assert line.price_rose and (line.unit_price_seen, line.unit_price) == (Decimal("30.00"), Decimal("36.00"))
    page = client.get(reverse("cart")).content.decode()
    assert 'data-flag="price_rose"' in page and "¥30.00" in page and "¥36.00" in page

    # Changing the quantity does not accept the rise on the quiet.
    update(client, "update", cake, 2)
    assert Cart(user=buyer).lines[0].price_rose

    address = {
        "address": "new",
        "payment_method": "bank_transfer",
        "idempotency_key": "k1",
        "new-recipient": "张三",
        "new-phone": "13800138000",
        "new-province": "浙江省",
        "new-city": "杭州市",
        "new-district": "拱墅区",
        "new-street": "湖墅南路 1 号",
    }
    response = client.post(reverse("checkout"), address)
    assert response.status_code == 302 and response["Location"] == reverse("cart")
    assert not Order.objects.exists()

    update(client, "accept_prices")
    assert not Cart(user=buyer).lines[0].price_rose
    response = client.post(reverse("checkout"), address)
    order = Order.objects.get()
    assert order.total == Decimal("72.00")
    assert response["Location"] == reverse("order_detail", args=[order.number])


def test_below_minimum_sold_out_and_more_than_stock_are_flagged(buyer, shop):
    cart = Cart(user=buyer)
    cart.add(shop["bulk"], 5)
    cart.set_quantity(shop["bulk"].pk, 4)
    cart.add(shop["cake"], 3)
    lines = {line.product_id: line for line in cart.lines}
    assert lines[shop["bulk"].pk].below_minimum and not lines[shop["bulk"].pk].ok
    assert lines[shop["cake"].pk].ok
    ProductStock.objects.filter(product=shop["cake"]).update(quantity=2)
    lines = {line.product_id: line for line in Cart(user=buyer).lines}
    assert lines[shop["cake"].pk].more_than_stock and lines[shop["cake"].pk].stock_left == 2
    ProductStock.objects.filter(product=shop["cake"]).update(quantity=0)
    cart = Cart(user=buyer)
    lines = {line.product_id: line for line in cart.lines}
    assert lines[shop["cake"].pk].sold_out
    assert not cart.can_check_out


def test_unavailable_product_is_flagged(buyer, shop):
    cart = Cart(user=buyer)
    cart.add(shop["cake"], 1)
    shop["cake"].available = False
    shop["cake"].save_revision().publish()
    (line,) = Cart(user=buyer).lines
    assert line.unavailable and not line.ok


def test_sold_out_and_canteen_only_cannot_be_added(client, shop, buyer):
    ProductStock.objects.filter(product=shop["cake"]).update(quantity=0)
    with pytest.raises(DomainError) as excinfo:
        Cart(user=buyer).add(shop["cake"], 1)
    assert excinfo.value.code == "out_of_stock"
    response = add(client, shop["rice"], 1)
    assert response["Location"] == "/"
    assert session_cart(client) == {}


def test_cart_page_groups_lines_by_vendor_with_subtotals(client, shop):
    add(client, shop["tangelo"], 5)
    add(client, shop["cake"], 2)
    add(client, shop["bulk"], 5)
    response = client.get(reverse("cart"))
    page = response.content.decode()
    assert response.status_code == 200
    sections = page.split('class="cart-vendor"')[1:]
    assert len(sections) == 2
    coop_section = next(s for s in sections if "常山胡柚合作社" in s)
    shao_section = next(s for s in sections if "邵永丰食品" in s)
    assert "常山胡柚" in coop_section and "胡柚整箱" in coop_section and "邵永丰麻饼" not in coop_section
    assert "¥1,260.00" in coop_section  # 5 × 52 + 5 × 200
    assert "¥60.00" in shao_section
    assert "¥1,320.00" in page


def test_header_shows_the_cart_count(client, shop, buyer):
    page = client.get(reverse("cart")).content.decode()
    assert "data-cart-count" not in page
    add(client, shop["tangelo"], 1)
    add(client, shop["cake"], 1)
    assert "data-cart-count>(2)</span>" in client.get(reverse("cart")).content.decode()
    client.force_login(buyer)  # the visitor's two lines merge into the account
    assert CartItem.objects.filter(user=buyer).count() == 2
    update(client, "remove", shop["cake"])
    assert "data-cart-count>(1)</span>" in client.get(reverse("cart")).content.decode()


def test_product_page_buy_box(client, shop):
    page = client.get(shop["bulk"].url).content.decode()
    assert 'name="quantity" value="5" min="5"' in page
    ProductStock.objects.filter(product=shop["cake"]).update(quantity=0)
    page = client.get(shop["cake"].url).content.decode()
    assert "buy-box__blocked" in page and "disabled" in page
    page = client.get(shop["rice"].url).content.decode()
    assert "buy-box__blocked" in page
