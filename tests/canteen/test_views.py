"""Canteen pages: a unit's buyer, approver and finance member in the browser-less client; isolation between units."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from marketplace.canteen import services
from marketplace.checkout.models import Order
from marketplace.checkout.services import mark_vendor_order_shipped, record_bank_transfer
from marketplace.services.vendors import grant_vendor_access
from tests.factories import make_paid_unit_order, place_unit_order, set_budget

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def place(unit, goods, qty=50):
    return place_unit_order(unit, (goods["huyou"], qty))


def test_unit_checkout_from_cart(client, unit_a, goods):
    login(client, unit_a.users["buyer"])
    client.post(reverse("cart_add"), {"product": goods["canteen_only"].pk, "quantity": 60})
    url = reverse("canteen_checkout", args=[unit_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {
        "address": str(unit_a.addresses.first().pk),
        "delivery_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "delivery_window": "08:00-10:00",
        "purchase_order_number": "CG-2026-01",
        "payment_method": "bank_transfer",
        "idempotency_key": form["idempotency_key"].initial,
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert refused.context["form"].errors["delivery_date"]
    assert not Order.objects.exists()
    data["delivery_date"] = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    placed = client.post(url, data)
    order = Order.objects.get()
    assert placed.url == reverse("canteen_order", args=[order.number])
    assert order.total == 2100  # 60 × the tier price 35.00
    assert order.status == Order.Status.AWAITING_APPROVAL  # above the unit's 2000.00 threshold
    assert order.purchase_order_number == "CG-2026-01"


def test_approver_approves_on_the_order_page(client, unit_a, goods):
    order = place(unit_a, goods)
    login(client, unit_a.users["approver"])
    dashboard = client.get(reverse("canteen_dashboard", args=[unit_a.pk]))
    assert order.number in dashboard.content.decode()
    client.post(reverse("canteen_order_approve", args=[order.number]))
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


def test_buyer_cannot_approve_own_order_over_http(client, unit_a, goods):
    order = place(unit_a, goods)
    login(client, unit_a.users["buyer"])
    response = client.post(reverse("canteen_order_approve", args=[order.number]), follow=True)
    assert "role" in response.content.decode() or "own" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_APPROVAL


def test_unit_b_sees_nothing_of_unit_a(client, unit_a, unit_b, goods):
    order = place(unit_a, goods)
    for user in unit_b.users.values():
        login(client, user)
        for url in [
            reverse("canteen_dashboard", args=[unit_a.pk]),
            reverse("canteen_statement", args=[unit_a.pk]),
            reverse("canteen_share", args=[unit_a.pk]),
            reverse("canteen_order", args=[order.number]),
        ]:
            assert client.get(url).status_code == 404, url
        assert client.post(reverse("canteen_order_approve", args=[order.number])).status_code == 404
        assert client.post(reverse("canteen_order_reject", args=[order.number])).status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_APPROVAL


def png(name="bad.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    buffer.name = name
    buffer.seek(0)
    return buffer


def test_receipt_with_photo(client, unit_a, goods, django_user_model):
    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw")
    order = place(unit_a, goods, qty=10)
    record_bank_transfer(order, amount=order.total, received_on=timezone.localdate(), bank_reference="B", user=staff)
    part = order.vendor_orders.get()
    mark_vendor_order_shipped(part, carrier="顺丰", tracking_number="SF1", user=staff)
    login(client, unit_a.users["finance"])
    response = client.post(
        reverse("canteen_receive", args=[order.number, part.pk]), {"note": "2箱破损", "photo": png()}, follow=True
    )
    assert response.status_code == 200
    part.refresh_from_db()
    order.refresh_from_db()
    assert part.inspection_photo is not None and part.inspection_note == "2箱破损"
    assert order.status == Order.Status.COMPLETED
    # The note and the photo are on the order page for every member of the unit ...
    photo_url = part.inspection_photo.file.url
    for user in unit_a.users.values():
        login(client, user)
        html = client.get(reverse("canteen_order", args=[order.number])).content.decode()
        assert "2箱破损" in html and 'class="inspection-photo"' in html and photo_url in html
    # ... for the vendor in its order view, and for staff in the order admin.
    vendor_user = django_user_model.objects.create_user("coop-r", "coop-r@example.com", "pw")
    grant_vendor_access(part.vendor, vendor_user)
    login(client, vendor_user)
    html = client.get(reverse("vendor_orders:detail", args=[part.pk])).content.decode()
    assert "2箱破损" in html and photo_url in html and "<img" in html.split('class="inspection-photo"')[1]
    login(client, staff)
    html = client.get(reverse("staff_orders:detail", args=[order.pk])).content.decode()
    assert "2箱破损" in html and photo_url in html and "<img" in html.split('class="inspection-photo"')[1]


@pytest.mark.parametrize("language, words", [("zh-hans", "尚未发货"), ("en", "has not shipped")])
def test_receipt_before_shipping_is_refused_on_the_page_and_in_the_api(
    client, unit_a, goods, django_user_model, language, words
):
    from wagtail.images import get_image_model

    from cms.models import ApiToken

    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw")
    order = place(unit_a, goods, qty=10)
    record_bank_transfer(order, amount=order.total, received_on=timezone.localdate(), bank_reference="B", user=staff)
    part = order.vendor_orders.get()
    images_before = get_image_model().objects.count()
    login(client, unit_a.users["buyer"])
    with translation.override(language):  # the language prefix of the page URLs
        order_url = reverse("canteen_order", args=[order.number])
        receive_url = reverse("canteen_receive", args=[order.number, part.pk])
    page = client.get(order_url)
    assert 'class="receipt-form"' not in page.content.decode()  # no form to fill for a part not shipped
    response = client.post(receive_url, {"note": "少了", "photo": png()}, follow=True)
    assert words in response.content.decode()
    _token, secret = ApiToken.issue(unit_a.users["buyer"], "test")
    api = client.post(
        f"/api/canteen/orders/{order.number}/parts/{part.pk}/receive/",
        {"note": "少了"},
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert api.status_code == 409 and api.json()["code"] == "not_shipped" and words in api.json()["message"]
    part.refresh_from_db()
    assert part.received_at is None and part.inspection_note == "" and part.inspection_photo_id is None
    assert get_image_model().objects.count() == images_before


def test_statement_and_downloads(client, unit_a, goods):
    make_paid_unit_order(unit_a, unit_a.users["buyer"], datetime.date(2026, 3, 5), [(goods["huyou"], 10)])
    login(client, unit_a.users["finance"])
    url = reverse("canteen_statement", args=[unit_a.pk])
    page = client.get(url, {"month": "2026-03"})
    assert page.context["data"]["total"] == 500
    csv = client.get(url, {"month": "2026-03", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and "500.00" in csv.content.decode("utf-8-sig")
    xlsx = client.get(url, {"month": "2026-03", "format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    login(client, unit_a.users["buyer"])  # a buyer is not finance
    assert client.get(url).status_code == 404


def test_share_page_has_chart_and_table(client, unit_a, goods, django_user_model):
    set_budget(unit_a, 2024, "100000.00")
    make_paid_unit_order(unit_a, unit_a.users["buyer"], datetime.date(2024, 3, 10), [(goods["huyou"], 20)])
    login(client, unit_a.users["finance"])
    html = client.get(reverse("canteen_share", args=[unit_a.pk]), {"year": 2024}).content.decode()
    assert "<svg" in html and "stroke-dasharray" in html and "<script" not in html.split("<svg")[1].split("</svg>")[0]
    assert "1,000.00" in html or "1000.00" in html
    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw")
    login(client, staff)
    assert client.get(reverse("canteen_staff_share"), {"year": 2024}).status_code == 200
    login(client, unit_a.users["buyer"])
    assert client.get(reverse("canteen_staff_share")).status_code == 404


def test_apply_with_bad_credit_code(client, django_user_model):
    user = django_user_model.objects.create_user("applicant", password="pw")
    login(client, user)
    data = {
        "name": "某局机关食堂",
        "uscc": "91330100XXXXXXXXX1",
        "contact_name": "王",
        "contact_phone": "13800000000",
        "invoice_type": "special",
        "invoice_title": "某局",
        "taxpayer_id": "1233",
        "canteen-name": "食堂",
        "canteen-recipient": "李",
        "canteen-phone": "139",
        "canteen-province": "浙江省",
        "canteen-city": "杭州市",
        "canteen-district": "上城区",
        "canteen-street": "1号",
    }
    page = client.post(reverse("canteen_apply"), data)
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert "uscc" in errors
    from marketplace.canteen.models import BuyerUnit

    assert not BuyerUnit.objects.exists()


def test_staff_verify_unit_in_the_admin(client, django_user_model):
    from marketplace.canteen.models import BuyerUnit
    from tests.factories import make_unit_with_members

    unit = make_unit_with_members("待审单位", prefix="p", verified=False)
    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw")
    login(client, staff)
    listing = client.get("/admin/canteen_units/")
    assert listing.status_code == 200 and "待审单位" in listing.content.decode()
    url = reverse("canteen_unit_verify", args=[unit.pk, "verify"])
    assert client.get(url).status_code == 200
    client.post(url)
    unit.refresh_from_db()
    assert unit.status == BuyerUnit.Status.VERIFIED and unit.verified_by == staff
    login(client, unit.users["buyer"])  # not staff: no admin
    assert client.post(reverse("canteen_unit_verify", args=[unit.pk, "reject"])).status_code in (302, 403)
    unit.refresh_from_db()
    assert unit.status == BuyerUnit.Status.VERIFIED


def test_vendor_sees_unit_details_and_receipt(client, unit_a, goods, django_user_model):
    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw")
    order = place(unit_a, goods, qty=10)
    record_bank_transfer(order, amount=order.total, received_on=timezone.localdate(), bank_reference="B", user=staff)
    part = order.vendor_orders.get()
    mark_vendor_order_shipped(part, carrier="顺丰", tracking_number="SF1", user=staff)
    services.confirm_receipt(part, user=unit_a.users["buyer"], note="3斤不新鲜")
    vendor_user = django_user_model.objects.create_user("coop", "coop@example.com", "pw")
    grant_vendor_access(part.vendor, vendor_user)
    login(client, vendor_user)
    html = client.get(f"/admin/vendor-orders/{part.pk}/").content.decode()
    assert "3斤不新鲜" in html and unit_a.name in html


def test_invoice_pdf_is_private_to_the_unit_vendor_and_staff(client, django_user_model, unit_a, goods):
    """The invoice document's download URL refuses strangers (Wagtail's before_serve_document hook)."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    from marketplace.models import VendorMember

    order = make_paid_unit_order(unit_a, unit_a.users["buyer"], datetime.date(2026, 3, 5), [(goods["huyou"], 10)])
    part = order.vendor_orders.get()
    document = get_document_model().objects.create(
        title="invoice", file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="inv.pdf")
    )
    part.invoice_file = document
    part.save(update_fields=["invoice_file"])
    url = document.url

    assert client.get(url).status_code in (302, 403)
    client.force_login(django_user_model.objects.create_user("stranger-x", "x@example.cn", "pw"))
    assert client.get(url).status_code == 403
    client.force_login(unit_a.users["finance"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    vendor_user = django_user_model.objects.create_user("vendor-x", "v@example.cn", "pw")
    VendorMember.objects.create(vendor=part.vendor, user=vendor_user)
    client.force_login(vendor_user)
    assert client.get(url).status_code == 200
