"""Shipping rules in the Wagtail admin: a vendor sees and edits only its own; staff see every vendor's."""

from decimal import Decimal

import pytest

from marketplace.checkout.models import ShippingRule
from tests.factories.users import make_vendor_user

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/snippets/checkout/shippingrule/"


@pytest.fixture
def shop(make_vendor, changshan, kecheng):
    a = make_vendor("常山胡柚合作社", changshan)
    b = make_vendor("柯城橘子农场", kecheng)
    return {
        "a": a,
        "b": b,
        "a_rule": ShippingRule.objects.create(vendor=a, name="A 的运费模板", first_fee=Decimal("10.00")),
        "b_rule": ShippingRule.objects.create(vendor=b, name="B 的运费模板", first_fee=Decimal("12.00")),
        "a_user": make_vendor_user(a, "vendor-a"),
    }


def form_data(vendor, **fields):
    data = {
        "vendor": vendor.pk,
        "name": "新模板",
        "name_en": "",
        "charge_by": "count",
        "first_units": "1",
        "first_fee": "8.00",
        "additional_units": "1",
        "additional_fee": "3.00",
        "free_above": "88.00",
        "excluded_provinces": ["西藏自治区", "新疆维吾尔自治区"],
        "canteen_free_area": "衢州市",
        "canteen_fee": "20.00",
        "regions-TOTAL_FORMS": "1",
        "regions-INITIAL_FORMS": "0",
        "regions-MIN_NUM_FORMS": "0",
        "regions-MAX_NUM_FORMS": "1000",
        "regions-0-provinces": ["浙江省", "上海市"],
        "regions-0-first_fee": "5.00",
        "regions-0-additional_fee": "1.00",
        "regions-0-free_above": "",
        "regions-0-ORDER": "1",
        "regions-0-id": "",
        "regions-0-DELETE": "",
    }
    data.update(fields)
    return data


def test_a_vendor_sees_and_edits_only_its_own_rules(client, shop):
    client.force_login(shop["a_user"])
    listing = client.get(LIST_URL)
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "A 的运费模板" in page and "B 的运费模板" not in page
    assert client.get(f"{LIST_URL}edit/{shop['a_rule'].pk}/").status_code == 200
    assert client.get(f"{LIST_URL}edit/{shop['b_rule'].pk}/").status_code in (403, 302)
    response = client.post(f"{LIST_URL}edit/{shop['b_rule'].pk}/", form_data(shop["b"], name="改了", first_fee="0.00"))
    assert response.status_code in (403, 302)
    shop["b_rule"].refresh_from_db()
    assert shop["b_rule"].name == "B 的运费模板"
    # The edit form offers only the vendor's own vendor page.
    form = client.get(f"{LIST_URL}edit/{shop['a_rule'].pk}/").context["form"]
    assert list(form.fields["vendor"].queryset) == [shop["a"]]


def test_a_vendor_saves_rules_with_regions(client, shop):
    client.force_login(shop["a_user"])
    response = client.post(f"{LIST_URL}edit/{shop['a_rule'].pk}/", form_data(shop["a"]))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    rule = ShippingRule.objects.get(pk=shop["a_rule"].pk)
    assert rule.first_fee == Decimal("8.00") and rule.free_above == Decimal("88.00")
    assert rule.excluded_provinces == ["新疆维吾尔自治区", "西藏自治区"] or set(rule.excluded_provinces) == {
        "西藏自治区",
        "新疆维吾尔自治区",
    }
    assert [r.provinces for r in rule.regions.all()] == [["浙江省", "上海市"]] or set(rule.regions.get().provinces) == {
        "浙江省",
        "上海市",
    }
    # Not another vendor's page, even by posting its id.
    response = client.post(f"{LIST_URL}edit/{shop['a_rule'].pk}/", form_data(shop["b"]))
    assert response.status_code == 200 and "vendor" in response.context["form"].errors


def test_staff_see_every_vendors_rules(admin_client, shop):
    page = admin_client.get(LIST_URL).content.decode()
    assert "A 的运费模板" in page and "B 的运费模板" in page
