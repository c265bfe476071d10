"""Address forms: 省/市/区 from lists checked together, and the mobile number pre-filled at checkout."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.checkout.addresses import suggested_phone
from marketplace.checkout.models import CartItem, DeliveryAddress

pytestmark = pytest.mark.django_db


def put_in_cart(user, product, quantity=1):
    CartItem.objects.create(user=user, product=product, quantity=quantity, unit_price_seen=product.price_for(quantity))


@pytest.fixture
def product(make_vendor, make_product, changshan):
    return make_product(make_vendor("常山胡柚合作社", changshan), "常山胡柚", "58.00", stock=20)


def address(user, **fields):
    data = {
        "recipient": "李四",
        "phone": "13900139000",
        "city": "衢州市",
        "district": "柯城区",
        "street": "府山街道 2 号",
    }
    data.update(fields)
    return DeliveryAddress.objects.create(user=user, **data)


def test_suggested_phone_is_the_accounts_mobile_else_the_default_address_phone(django_user_model):
    phone_account = django_user_model.objects.create_user("13800138000", "", "pw")
    address(phone_account, phone="13900000000", is_default=True)
    assert suggested_phone(phone_account) == "13800138000"

    email_account = django_user_model.objects.create_user("li@example.cn", "li@example.cn", "pw")
    assert suggested_phone(email_account) == ""
    address(email_account, phone="13911112222")
    address(email_account, phone="13933334444", is_default=True)
    assert suggested_phone(email_account) == "13933334444"
    address(email_account, phone="13955556666")
    # From the addresses the checkout form has read already: the same choice, no query.
    loaded = list(DeliveryAddress.objects.filter(user=email_account))
    with CaptureQueriesContext(connection) as queries:
        assert suggested_phone(email_account, loaded) == suggested_phone(email_account) == "13933334444"
    assert len(queries) == 1
    DeliveryAddress.objects.filter(user=email_account).update(is_default=False)
    loaded = list(DeliveryAddress.objects.filter(user=email_account))
    assert suggested_phone(email_account, loaded) == suggested_phone(email_account) == "13955556666"


def test_checkout_prefills_the_mobile_and_shows_the_lists(client, django_user_model, product, home_page):
    buyer = django_user_model.objects.create_user("13800138000", "", "pw")
    put_in_cart(buyer, product)
    client.force_login(buyer)
    page = client.get(reverse("checkout"))
    new = page.context["new_address"]
    assert new["phone"].value() == "13800138000"
    html = page.content.decode()
    assert 'name="new-province"' in html and '<option value="浙江省" selected>浙江省</option>' in html
    assert '<select name="new-city"' in html and '<option value="衢州市">衢州市</option>' in html
    assert "cms/js/divisions" in html


def test_checkout_refuses_a_district_of_another_city(client, django_user_model, product, home_page):
    buyer = django_user_model.objects.create_user("li@example.cn", "li@example.cn", "pw")
    put_in_cart(buyer, product)
    client.force_login(buyer)
    data = {
        "address": "new",
        "new-recipient": "张三",
        "new-phone": "13800138000",
        "new-province": "浙江省",
        "new-city": "杭州市",
        "new-district": "柯城区",
        "new-street": "湖墅南路 1 号",
        "payment_method": "bank_transfer",
        "idempotency_key": "k1",
    }
    page = client.post(reverse("checkout"), data)
    assert page.status_code == 200
    assert [e.code for e in page.context["new_address"].errors.as_data()["district"]] == ["district"]
    assert "杭州市" in page.content.decode()
    assert not buyer.orders.exists()

    with_english = client.post("/en" + reverse("checkout"), data)
    assert "Choose a district or county of 杭州市 from the list." in with_english.content.decode()
    assert ">District<" in with_english.content.decode() or "District" in with_english.content.decode()


def test_the_address_page_prefills_the_mobile_of_the_default_address(client, django_user_model, home_page):
    user = django_user_model.objects.create_user("li@example.cn", "li@example.cn", "pw")
    address(user, phone="13933334444", is_default=True)
    client.force_login(user)
    form = client.get(reverse("address_add")).context["form"]
    assert form["phone"].value() == "13933334444"
    edit = client.get(reverse("address_edit", args=[user.delivery_addresses.get().pk])).context["form"]
    assert edit["city"].value() == "衢州市" and "柯城区" in [v for v, _ in edit.fields["district"].widget.choices]
