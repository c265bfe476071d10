"""My purchase agreements (#17): the vendor's members and the canteen unit's members see their agreements with
progress, reached from "my stalls" and the unit's page; a unit buyer orders against one; nobody else sees them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.agreements import services as agreements
from events.agreements.models import AgreementOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(fair, vendor_user, make_product, unit_a, organiser):
    vendor, member = vendor_user()
    huyou = make_product(vendor, "常山胡柚", "8.00", stock=1000)
    today = timezone.localdate()
    agreement = agreements.record_agreement(
        fair=fair,
        user=organiser,
        acting_as=agreements.RecordedAs.ORGANISER,
        request=agreements.AgreementRequest(
            vendor=vendor,
            buyer_unit=unit_a,
            lines=[agreements.LineRequest(product_id=huyou.pk, quantity=500, unit_price="8.00")],
            delivery_from=today,
            delivery_to=today + timedelta(days=60),
            vendor_contact_name="李经理",
            vendor_contact_phone="0570-5012345",
            buyer_contact_name="王老师",
            buyer_contact_phone="13800000001",
        ),
    )
    return {"agreement": agreement, "member": member, "unit": unit_a, "huyou": huyou}


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


URL = "/fairs/agreements/"


def test_parties_see_the_agreement_with_progress_and_the_links_to_it(signed):
    assert reverse("fair_my_agreements") == URL
    for user in (signed["member"], signed["unit"].users["finance"]):
        page = logged_in(user).get(URL)
        assert page.status_code == 200
        html = page.content.decode()
        assert f'data-agreement="{signed["agreement"].pk}"' in html and "¥4,000.00" in html
    assert URL in logged_in(signed["member"]).get(reverse("fair_my_stalls")).content.decode()
    dashboard = logged_in(signed["unit"].users["finance"]).get(f"/canteen/{signed['unit'].pk}/")
    assert URL in dashboard.content.decode()


def test_others_see_no_agreement_and_visitors_log_in(signed, unit_b, django_user_model):
    html = logged_in(unit_b.users["buyer"]).get(URL).content.decode()
    assert "data-agreement=" not in html and 'class="empty"' in html
    assert URL not in logged_in(unit_b.users["buyer"]).get(f"/canteen/{unit_b.pk}/").content.decode()
    assert Client().get(URL).status_code == 302


def test_a_unit_buyer_orders_against_the_agreement_from_the_page(signed):
    agreement, unit = signed["agreement"], signed["unit"]
    buyer = logged_in(unit.users["buyer"])
    page = buyer.get(URL).content.decode()
    assert "agreement-order" in page
    assert "agreement-order" not in logged_in(unit.users["finance"]).get(URL).content.decode()
    prefix = f"a{agreement.pk}-"
    response = buyer.post(
        URL,
        {
            "agreement": agreement.pk,
            prefix + "product": signed["huyou"].pk,
            prefix + "quantity": "50",
            prefix + "address": unit.addresses.first().pk,
            prefix + "delivery_date": (timezone.localdate() + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 302
    link = AgreementOrder.objects.get(agreement=agreement)
    assert link.order.buyer_unit == unit and link.order.total >= Decimal("400.00")
    page = buyer.get(URL).content.decode()
    assert "10%" in page and "¥400.00" in page  # 400 of 4000 ordered
    # The finance member cannot order (not a buyer): refused, nothing placed.
    logged_in(unit.users["finance"]).post(
        URL,
        {
            "agreement": agreement.pk,
            prefix + "product": signed["huyou"].pk,
            prefix + "quantity": "5",
            prefix + "address": unit.addresses.first().pk,
            prefix + "delivery_date": (timezone.localdate() + timedelta(days=5)).isoformat(),
        },
    )
    assert AgreementOrder.objects.count() == 1


def test_the_api_lists_the_fairs_agreements_for_the_organiser_and_the_parties(signed, organiser, unit_b):
    from tests.support.api import client_for

    agreement = signed["agreement"]
    url = f"/api/fairs/{agreement.fair_id}/agreements/"
    for user in (organiser, signed["member"], signed["unit"].users["finance"]):
        response = client_for(user).get(url)
        assert response.status_code == 200, response.content
        (item,) = response.json()
        assert (item["id"], item["total"], item["ordered"], item["progress_percent"]) == (
            agreement.pk,
            "4000.00",
            "0.00",
            0,
        )
        assert item["lines"][0] == {
            "product": signed["huyou"].pk,
            "item_name": "常山胡柚",
            "quantity": "500.00",
            "unit": "斤",
            "unit_price": "8.00",
            "amount": "4000.00",
        }
    assert client_for(unit_b.users["buyer"]).get(url).json() == []
    assert Client().get(url).status_code == 401
    schema = Client().get("/api/openapi.json").json()
    assert "/api/fairs/{fair_id}/agreements/" in schema["paths"]


def party_form(fair, **fields):
    return {
        "fair": fair.pk,
        "signed_on": "2026-05-01",
        "delivery_from": "2026-05-10",
        "delivery_to": "2026-08-31",
        "vendor_contact_name": "李经理",
        "vendor_contact_phone": "0570-5012345",
        "buyer_contact_name": "郑经理",
        "buyer_contact_phone": "13800000002",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item_name": "胡柚膏",
        "lines-0-quantity": "10",
        "lines-0-unit": "瓶",
        "lines-0-unit_price": "45.50",
    } | fields


def test_the_parties_record_their_own_agreements(signed, fair, vendor_user, unit_b):
    from events.agreements.models import PurchaseAgreement

    url = reverse("fair_agreement_record")
    vendor = signed["agreement"].vendor
    member = logged_in(signed["member"])
    assert member.get(url).status_code == 200
    response = member.post(url, party_form(fair, vendor=vendor.pk, buyer_name="衢州鲜果贸易"))
    assert response.status_code == 302
    made = PurchaseAgreement.objects.latest("pk")
    assert (made.recorded_as, made.buyer_name, made.total) == ("vendor", "衢州鲜果贸易", Decimal("455.00"))
    other, _user = vendor_user("江山蜂蜜", username="other")
    refused = member.post(url, party_form(fair, vendor=other.pk, buyer_name="衢州鲜果贸易"))
    assert refused.status_code == 200 and PurchaseAgreement.objects.count() == 2  # not one of the member's vendors
    buyer = logged_in(unit_b.users["buyer"])
    response = buyer.post(url + "?as=buyer", party_form(fair, vendor=vendor.pk, buyer_unit=unit_b.pk))
    assert response.status_code == 302
    assert PurchaseAgreement.objects.latest("pk").recorded_as == "buyer"
    refused = buyer.post(url + "?as=buyer", party_form(fair, vendor=vendor.pk, buyer_unit=signed["unit"].pk))
    assert refused.status_code == 200 and PurchaseAgreement.objects.count() == 3
    assert logged_in(unit_b.users["finance"]).get(url).status_code == 403
