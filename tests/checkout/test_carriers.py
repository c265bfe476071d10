"""Carriers from a list: codes, names, tracking links, the vendor's ship form, the order pages, the migration."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import translation

from cms.errors import DomainError
from marketplace.checkout import carriers, services
from marketplace.checkout.models import VendorOrder
from tests.factories.checkout import VENDOR_ORDERS_URL as VENDOR_URL
from tests.factories.checkout import paid_mixed_order, part_of, two_vendor_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(make_vendor, make_product, changshan, kecheng):
    return two_vendor_shop(make_vendor, make_product, changshan, kecheng)


@pytest.fixture
def mixed_order(shop):
    """One paid order with lines from both vendors."""
    return paid_mixed_order(shop)


migration = importlib.import_module("marketplace.migrations.0015_vendor_order_carrier_codes")


def test_the_list_has_the_eight_carriers_with_translated_names():
    assert [c.code for c in carriers.CARRIERS] == ["sf", "zto", "yto", "yunda", "sto", "jd", "ems", "chinapost"]
    with translation.override("zh-hans"):
        names = [str(name) for _code, name in carriers.choices()]
    assert names == ["顺丰速运", "中通快递", "圆通速递", "韵达快递", "申通快递", "京东物流", "EMS", "中国邮政"]
    with translation.override("en"):
        assert str(carriers.display_name("sf")) == "SF Express"
    assert carriers.display_name("德邦物流") == "德邦物流"  # older free text, as it was


@pytest.mark.parametrize(
    "typed, code",
    [
        ("顺丰", "sf"),
        (" 顺丰速运 ", "sf"),
        ("SF Express", "sf"),
        ("中通快递", "zto"),
        ("EMS", "ems"),
        ("邮政", "chinapost"),
    ],
)
def test_names_are_recognised(typed, code):
    assert carriers.code_for(typed) == code


def test_tracking_urls():
    assert (
        carriers.tracking_url("sf", "SF1234567890") == "https://www.kuaidi100.com/chaxun?com=shunfeng&nu=SF1234567890"
    )
    assert carriers.tracking_url("chinapost", "9 8/7").endswith("com=youzhengguonei&nu=9%208%2F7")
    assert carriers.tracking_url("sf", "") == "" and carriers.tracking_url("德邦物流", "DB1") == ""
    for carrier in carriers.CARRIERS:
        assert carrier.tracking_url("X1").startswith("https://")


def test_the_service_stores_the_code_and_refuses_an_unknown_carrier(shop, mixed_order):
    part = part_of(mixed_order, shop["a"])
    with pytest.raises(DomainError) as caught:
        services.mark_vendor_order_shipped(part, carrier="飞鸽快运", tracking_number="F1", user=shop["a_user"])
    assert caught.value.code == "unknown_carrier"
    services.mark_vendor_order_shipped(part, carrier="顺丰", tracking_number="SF77", user=shop["a_user"])
    part.refresh_from_db()
    assert (part.carrier, part.tracking_number) == ("sf", "SF77")
    assert part.tracking_url.endswith("com=shunfeng&nu=SF77")


def test_the_ship_form_is_a_select_and_the_pages_link_the_tracking(client, shop, mixed_order):
    part = part_of(mixed_order, shop["a"])
    client.force_login(shop["a_user"])
    html = client.get(f"{VENDOR_URL}{part.pk}/").content.decode()
    assert '<select name="carrier"' in html and '<option value="yunda">Yunda Express</option>' in html
    assert client.post(f"{VENDOR_URL}{part.pk}/ship/", {"carrier": "feige", "tracking_number": "F1"}).status_code == 200
    client.post(f"{VENDOR_URL}{part.pk}/ship/", {"carrier": "jd", "tracking_number": "JD0001"})
    link = 'href="https://www.kuaidi100.com/chaxun?com=jd&amp;nu=JD0001" target="_blank" rel="noopener noreferrer"'
    vendor_page = client.get(f"{VENDOR_URL}{part.pk}/").content.decode()
    assert "JD Logistics" in vendor_page and link in vendor_page

    client.force_login(shop["admin"])
    staff_page = client.get(f"/admin/orders/{mixed_order.pk}/").content.decode()
    assert "JD Logistics" in staff_page and link in staff_page

    client.force_login(shop["buyer"])
    buyer_page = client.get(f"/orders/{mixed_order.number}/").content.decode()
    assert "京东物流" in buyer_page and "JD0001" in buyer_page and link in buyer_page and "查询物流" in buyer_page
    english = client.get(f"/en/orders/{mixed_order.number}/").content.decode()
    assert "JD Logistics" in english and "Track the parcel" in english


def test_an_older_free_text_carrier_stays_readable(client, shop, mixed_order):
    part = part_of(mixed_order, shop["a"])
    VendorOrder.objects.filter(pk=part.pk).update(
        status=VendorOrder.Status.SHIPPED, carrier="德邦物流", tracking_number="DB9"
    )
    client.force_login(shop["buyer"])
    html = client.get(f"/orders/{mixed_order.number}/").content.decode()
    assert "德邦物流" in html and "DB9" in html and "kuaidi100" not in html


def test_the_migration_maps_known_names_and_keeps_the_rest(shop, mixed_order):
    a, b = part_of(mixed_order, shop["a"]), part_of(mixed_order, shop["b"])
    VendorOrder.objects.filter(pk=a.pk).update(carrier=" 顺丰速运")
    VendorOrder.objects.filter(pk=b.pk).update(carrier="德邦物流")
    # The migration's own models (VendorOrder was marketplace's then; checkout's since issue #15).
    historical = MigrationLoader(connection).project_state(("marketplace", "0015_vendor_order_carrier_codes")).apps
    migration.to_codes(historical, None)
    assert VendorOrder.objects.get(pk=a.pk).carrier == "sf"
    assert VendorOrder.objects.get(pk=b.pk).carrier == "德邦物流"
    migration.to_names(historical, None)
    assert VendorOrder.objects.get(pk=a.pk).carrier == "顺丰"
    # The migration's copy of the names agrees with the module's.
    for code, aliases in migration.CODES.items():
        assert all(carriers.code_for(alias) == code for alias in aliases)
