"""Checkout through the test client: addresses, placing an order, the order page, cancelling, payment pages."""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from marketplace.checkout.models import CartItem, DeliveryAddress, Order, Payment, PaymentMethod
from marketplace.models import ProductStock
from tests.factories import make_mobile_buyer, place_order, stock
from tests.support.web import checkout, put_in_cart

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_language():
    """A request to /en/… leaves English active in this thread (LocaleMiddleware); put Chinese back after."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def shop(make_vendor, make_product, changshan, kecheng):
    coop = make_vendor("常山胡柚合作社", changshan)
    shao = make_vendor("邵永丰食品", kecheng)
    return {
        "tangelo": make_product(coop, "常山胡柚", "58.00", stock=20, tiers=[(5, "52.00")]),
        "cake": make_product(shao, "邵永丰麻饼", "30.00", stock=3, category="snacks"),
    }


@pytest.fixture
def buyer(db):
    return make_mobile_buyer()


# -- addresses ------------------------------------------------------------------------------------


def address_data(**fields):
    data = {
        "recipient": "李四",
        "phone": "13900139000",
        "province": "浙江省",
        "city": "衢州市",
        "district": "柯城区",
        "street": "府山街道 2 号",
    }
    data.update(fields)
    return data


def test_address_add_edit_default_delete(buyer_client, buyer, home_page):
    buyer_client.post(reverse("address_add"), address_data())
    first = DeliveryAddress.objects.get(user=buyer)
    assert first.is_default  # the first address is the default by itself
    buyer_client.post(reverse("address_add"), address_data(recipient="王五", street="新路 3 号"))
    second = DeliveryAddress.objects.get(recipient="王五")
    assert not second.is_default

    response = buyer_client.post(reverse("address_edit", args=[second.pk]), address_data(phone="123"))
    assert response.status_code == 200 and response.context["form"].errors["phone"]
    # 柯城区 is in 衢州市, not in 丽水市: refused, with the message on the district.
    response = buyer_client.post(reverse("address_edit", args=[second.pk]), address_data(city="丽水市"))
    assert [e.code for e in response.context["form"].errors.as_data()["district"]] == ["district"]
    assert "丽水市" in response.context["form"].errors["district"][0]
    buyer_client.post(
        reverse("address_edit", args=[second.pk]), address_data(recipient="王五", city="丽水市", district="莲都区")
    )
    second.refresh_from_db()
    assert (second.city, second.district) == ("丽水市", "莲都区")

    buyer_client.post(reverse("address_default", args=[second.pk]))
    assert list(DeliveryAddress.objects.filter(is_default=True)) == [second]

    page = buyer_client.get(reverse("account_addresses")).content.decode()
    assert "王五" in page and "李四" in page

    assert buyer_client.get(reverse("address_delete", args=[second.pk])).status_code == 200
    buyer_client.post(reverse("address_delete", args=[second.pk]))
    assert list(DeliveryAddress.objects.all()) == [first]
    first.refresh_from_db()
    assert first.is_default


def test_another_users_address_is_404(buyer_client, django_user_model, home_page):
    other = django_user_model.objects.create_user("13700137000", "", "pw")
    theirs = DeliveryAddress.objects.create(user=other, **address_data())
    for name in ("address_edit", "address_delete"):
        assert buyer_client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert buyer_client.post(reverse("address_delete", args=[theirs.pk])).status_code == 404
    assert buyer_client.post(reverse("address_default", args=[theirs.pk])).status_code == 404
    assert buyer_client.post(reverse("address_edit", args=[theirs.pk]), address_data(recipient="X")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.recipient == "李四"
    assert "李四" not in buyer_client.get(reverse("account_addresses")).content.decode()


def test_account_pages_need_login(client, home_page):
    for name in ("account", "account_addresses", "orders", "checkout"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next=")


def test_account_page_has_the_api_tokens_section(buyer_client, home_page):
    page = buyer_client.get(reverse("account")).content.decode()
    assert 'id="api-tokens"' in page


# -- checkout -------------------------------------------------------------------------------------


def test_bank_transfer_checkout_end_to_end(buyer_client, buyer, shop, settings):
    put_in_cart(buyer, shop["tangelo"], 5)
    put_in_cart(buyer, shop["cake"], 2)
    page = buyer_client.get(reverse("checkout")).content.decode()
    assert "¥320.00" in page

    response = checkout(buyer_client, note="请周末送达")
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("order_detail", args=[order.number])
    assert (order.total, order.payment_method, order.note) == (Decimal("320.00"), "bank_transfer", "请周末送达")
    assert order.vendor_orders.count() == 2
    assert (order.recipient, order.phone) == ("张三", "13800138000")
    assert stock(shop["tangelo"]) == 15 and stock(shop["cake"]) == 1
    assert not CartItem.objects.filter(user=buyer).exists()
    # The new address is kept for next time.
    assert DeliveryAddress.objects.get(user=buyer).is_default

    page = buyer_client.get(response["Location"]).content.decode()
    assert order.payment_reference in page
    assert settings.BANK_ACCOUNT_NUMBER in page and settings.BANK_ACCOUNT_NAME in page
    assert "¥320.00" in page and "常山胡柚合作社" in page and "邵永丰食品" in page
    assert order.payment_due_at.astimezone().strftime("%Y-%m-%d") in page

    # A double submit (same idempotency key) gives the same order back, not a second one.
    put_in_cart(buyer, shop["cake"], 1)
    checkout(buyer_client)
    assert Order.objects.count() == 1


def test_checkout_with_a_saved_address(buyer_client, buyer, shop):
    saved = DeliveryAddress.objects.create(user=buyer, is_default=True, **address_data())
    put_in_cart(buyer, shop["cake"], 1)
    response = buyer_client.post(
        reverse("checkout"), {"address": str(saved.pk), "payment_method": "bank_transfer", "idempotency_key": "k"}
    )
    assert response.status_code == 302
    assert Order.objects.get().recipient == "李四"


def test_empty_cart_cannot_check_out(buyer_client, shop):
    response = checkout(buyer_client)
    assert response.status_code == 302 and response["Location"] == reverse("cart")
    assert not Order.objects.exists()


def test_more_than_stock_shows_the_message_and_changes_nothing(buyer_client, buyer, shop, monkeypatch):
    put_in_cart(buyer, shop["tangelo"], 2)
    put_in_cart(buyer, shop["cake"], 2)
    # Someone else buys cake after it went into our cart, but before the cart page flags it.
    ProductStock.objects.filter(product=shop["cake"]).update(quantity=1)
    response = checkout(buyer_client)
    assert response["Location"] == reverse("cart")  # the cart flags it first
    page = buyer_client.get(reverse("cart")).content.decode()
    assert 'data-flag="more_than_stock"' in page

    # The service refuses too when stock runs out between the cart check and the order.
    # (The cart's own check is skipped here to reach the service's.)
    monkeypatch.setattr("marketplace.checkout.cart.Cart.can_check_out", property(lambda self: True))
    ProductStock.objects.filter(product=shop["cake"]).update(quantity=1)
    response = checkout(buyer_client)
    assert response.status_code == 200
    assert "邵永丰麻饼" in str(response.context["form"].non_field_errors())
    assert not Order.objects.exists()
    assert stock(shop["tangelo"]) == 20 and stock(shop["cake"]) == 1
    assert CartItem.objects.filter(user=buyer).count() == 2


def test_online_methods_are_not_offered_without_stripe(buyer_client, buyer, shop, settings):
    settings.STRIPE_SECRET_KEY = ""
    put_in_cart(buyer, shop["cake"], 1)
    form = buyer_client.get(reverse("checkout")).context["form"]
    assert [value for value, _label in form.fields["payment_method"].choices] == ["bank_transfer"]
    response = checkout(buyer_client, payment_method="alipay")
    assert response.status_code == 200 and response.context["form"].errors["payment_method"]
    assert not Order.objects.exists()

    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_x", "pk_test_x"
    form = buyer_client.get(reverse("checkout")).context["form"]
    assert {value for value, _label in form.fields["payment_method"].choices} == {
        "card",
        "alipay",
        "wechat_pay",
        "bank_transfer",
    }


# -- orders ---------------------------------------------------------------------------------------


def place(buyer, product, quantity=1, method=PaymentMethod.BANK_TRANSFER):
    return place_order(buyer, (product, quantity), method=method)


def test_someone_elses_or_an_unknown_order_is_404(buyer_client, shop, django_user_model):
    other = django_user_model.objects.create_user("13700137000", "", "pw")
    theirs = place(other, shop["cake"])
    for name in ("order_detail", "order_pay", "order_pay_return"):
        assert buyer_client.get(reverse(name, args=[theirs.number])).status_code == 404
        assert buyer_client.get(reverse(name, args=["SH000000NOPE00"])).status_code == 404
    assert buyer_client.post(reverse("order_cancel", args=[theirs.number])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Order.Status.PENDING_PAYMENT


def test_buyer_cancels_an_unpaid_order(buyer_client, buyer, shop):
    order = place(buyer, shop["cake"], 2)
    assert stock(shop["cake"]) == 1
    page = buyer_client.get(reverse("order_detail", args=[order.number])).content.decode()
    assert reverse("order_cancel", args=[order.number]) in page
    response = buyer_client.post(reverse("order_cancel", args=[order.number]))
    assert response["Location"] == reverse("order_detail", args=[order.number])
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and stock(shop["cake"]) == 3
    page = buyer_client.get(reverse("order_detail", args=[order.number])).content.decode()
    assert reverse("order_cancel", args=[order.number]) not in page
    # Cancelling again shows the service's message instead.
    buyer_client.post(reverse("order_cancel", args=[order.number]))
    assert order.number in buyer_client.get(reverse("order_detail", args=[order.number])).content.decode()


def test_order_list_and_timeline(buyer_client, buyer, shop):
    order = place(buyer, shop["tangelo"], 2)
    page = buyer_client.get(reverse("orders")).content.decode()
    assert order.number in page and "¥116.00" in page
    page = buyer_client.get(f"/en/orders/{order.number}/").content.decode()
    assert '<ol class="timeline">' in page and "Order placed" in page


def test_bank_transfer_order_has_no_payment_page(buyer_client, buyer, shop):
    order = place(buyer, shop["cake"])
    response = buyer_client.get(reverse("order_pay", args=[order.number]))
    assert response["Location"] == reverse("order_detail", args=[order.number])


def test_pay_page_and_return_against_the_stripe_fake(buyer_client, buyer, shop, settings, stripe_fake):
    """The pay page creates the PaymentIntent on localstripe and hands Stripe.js its client secret; the fake
    plays Stripe.js's confirmation; the return page asks Stripe and shows the order paid."""
    settings.CHECKOUT_PAYMENT_METHODS = ["card", "bank_transfer"]
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_shanhai"
    settings.STRIPE_JS_URL = "http://127.0.0.1:9/stripe.js"
    order = place(buyer, shop["cake"], method=PaymentMethod.CARD)
    page = buyer_client.get(reverse("order_pay", args=[order.number])).content.decode()
    payment = order.payments.get()
    assert payment.stripe_payment_intent.startswith("pi_") and payment.status == Payment.Status.PENDING
    assert '<script src="http://127.0.0.1:9/stripe.js"></script>' in page
    assert f'data-client-secret="{payment.stripe_client_secret}"' in page
    assert 'data-publishable-key="pk_test_shanhai"' in page
    assert 'data-method="card"' in page and "marketplace/js/pay.js" in page
    return_url = "http://testserver" + reverse("order_pay_return", args=[order.number])
    assert f'data-return-url="{return_url}"' in page
    # Stripe.js is loaded on the payment page only.
    assert (
        "127.0.0.1:9/stripe.js" not in buyer_client.get(reverse("order_detail", args=[order.number])).content.decode()
    )

    stripe_fake.confirm_in_browser(payment.stripe_payment_intent)
    response = buyer_client.get(reverse("order_pay_return", args=[order.number]))
    assert response["Location"] == reverse("order_detail", args=[order.number])
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PAID and payment.status == Payment.Status.SUCCEEDED
