"""The vendor records its invoice on its order part in the Wagtail admin; the unit sees it and downloads the PDF."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.users.models import UserProfile

from cms.models import ApiToken
from marketplace.canteen import services
from marketplace.checkout.models import OrderEvent, VendorOrder
from tests.factories import make_vendor_user, place_unit_order

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def english(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def unit_order(unit_a, goods):
    return place_unit_order(unit_a, (goods["huyou"], 10), (goods["xihu"], 10))


def parts(order):
    huyou = order.vendor_orders.get(vendor__title="常山胡柚合作社")
    xihu = order.vendor_orders.get(vendor__title="西湖食品")
    return huyou, xihu


def test_vendor_records_invoice_with_pdf_and_unit_downloads_it(client, unit_a, unit_order):
    huyou, _xihu = parts(unit_order)
    services.request_invoice(huyou, user=unit_a.users["finance"])
    vendor = english(make_vendor_user(huyou.vendor, "huyou-seller"))
    client.force_login(vendor)
    page = client.get(f"/admin/vendor-orders/{huyou.pk}/")
    assert page.status_code == 200 and 'id="invoice-form"' in page.content.decode()
    response = client.post(
        f"/admin/vendor-orders/{huyou.pk}/invoice/",
        {
            "number": "33012345",
            "date": "2026-03-02",
            "pdf": SimpleUploadedFile("fapiao.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    huyou.refresh_from_db()
    assert (huyou.invoice_state, huyou.invoice_number, huyou.invoice_date) == (
        "issued",
        "33012345",
        datetime.date(2026, 3, 2),
    )
    document = huyou.invoice_file
    assert document.collection.name == "私密文件 · Private files" and document.file.name.startswith("private/")
    assert document.file.read().startswith(b"%PDF-")
    assert OrderEvent.objects.filter(order=unit_order, action="invoice_issued").count() == 1
    # The unit's order page shows the state and the download link.
    member = Client()
    member.force_login(unit_a.users["finance"])
    order_page = member.get(reverse("canteen_order", args=[unit_order.number])).content.decode()
    assert "33012345" in order_page
    assert document.url in order_page


def test_another_vendors_part_is_not_found_and_unchanged(client, unit_order):
    huyou, xihu = parts(unit_order)
    client.force_login(english(make_vendor_user(huyou.vendor, "huyou-seller")))
    assert client.get(f"/admin/vendor-orders/{xihu.pk}/").status_code == 404
    response = client.post(f"/admin/vendor-orders/{xihu.pk}/invoice/", {"number": "X1", "date": "2026-03-02"})
    assert response.status_code == 404
    xihu.refresh_from_db()
    assert (xihu.invoice_state, xihu.invoice_number) == ("", "")


def test_invoice_must_be_a_pdf_and_complete(client, unit_order):
    huyou, _xihu = parts(unit_order)
    client.force_login(english(make_vendor_user(huyou.vendor, "huyou-seller")))
    url = f"/admin/vendor-orders/{huyou.pk}/invoice/"
    not_pdf = client.post(
        url, {"number": "1", "date": "2026-03-02", "pdf": SimpleUploadedFile("fapiao.pdf", b"hello", "application/pdf")}
    )
    assert not_pdf.status_code == 200 and not_pdf.context["invoice_form"].errors["pdf"]
    missing = client.post(url, {"number": "", "date": "2026-03-02"})
    assert missing.status_code == 200 and missing.context["invoice_form"].errors["number"]
    huyou.refresh_from_db()
    assert huyou.invoice_state == "" and huyou.invoice_file is None


def test_no_invoice_form_for_cancelled_parts(client, unit_order):
    huyou, _xihu = parts(unit_order)
    client.force_login(english(make_vendor_user(huyou.vendor, "huyou-seller")))
    VendorOrder.objects.filter(pk=huyou.pk).update(status=VendorOrder.Status.CANCELLED)
    assert 'id="invoice-form"' not in client.get(f"/admin/vendor-orders/{huyou.pk}/").content.decode()
    refused = client.post(f"/admin/vendor-orders/{huyou.pk}/invoice/", {"number": "1", "date": "2026-03-02"})
    assert refused.status_code in (302, 403)
    huyou.refresh_from_db()
    assert huyou.invoice_state == ""


def test_invoice_request_through_the_api(unit_a, unit_b, unit_order):
    huyou, _xihu = parts(unit_order)

    def api(user):
        _token, secret = ApiToken.issue(user, "test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")

    url = f"/api/canteen/orders/{unit_order.number}/parts/{huyou.pk}/invoice-request/"
    assert api(unit_b.users["finance"]).post(url).status_code == 404
    assert api(unit_a.users["approver"]).post(url).status_code == 403
    ok = api(unit_a.users["finance"]).post(url)
    assert ok.status_code == 200, ok.content
    assert {p["id"]: p["invoice_state"] for p in ok.json()["vendor_parts"]}[huyou.pk] == "requested"
    assert api(unit_a.users["buyer"]).post(url).status_code == 409
