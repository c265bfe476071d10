"""The canteen path on a phone, as its people walk it: the buyer finds the unit from the header, checks out
the cart as the unit (the choice step pre-selects it), the approver approves, staff record the bank transfer,
the vendor ships in the admin, the buyer confirms receipt (验收) with a photo that the vendor then sees, and
finance downloads the 消费帮扶 share as Excel and opens its printable page."""

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import expect

from marketplace.checkout.models import Order
from marketplace.checkout.services import record_bank_transfer
from marketplace.models import ProductStock
from marketplace.services.vendors import grant_vendor_access
from tests.factories import make_unit_with_members

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "PNG")
    return buffer.getvalue()


def test_order_approve_ship_receive_and_file_the_share(
    live_server,
    browser,
    phone_page,
    desktop_page,
    screenshot_dir,
    home_page,
    make_vendor,
    make_product,
    changshan,
    django_user_model,
):
    coop = make_vendor("常山胡柚合作社", changshan, lead_time_days=2)
    crate = make_product(
        coop, "胡柚整箱", "40.00", stock=200, audience="canteens", tiers=[(50, "35.00")], origin_county=changshan
    )
    unit = make_unit_with_members("省直机关一食堂", prefix="j", threshold="1000.00")
    base = live_server.url

    # The buyer, on a phone, finds the unit from the header of the home page.
    page = phone_page
    log_in(page.context, live_server, unit.users["buyer"])
    page.goto(base + "/")
    no_sideways_scroll(page)
    page.locator(".header-links__canteen").click()
    page.wait_for_url(f"**/canteen/{unit.pk}/")
    expect(page.locator("h1")).to_have_text(unit.name)

    # 60 boxes of a canteen-only product into the cart; the cart's button leads to the choice, the unit chosen.
    page.goto(base + crate.url)
    page.locator("#buy-quantity").fill("60")
    page.locator(".buy-box .buy-box__add").click()
    page.wait_for_url("**/cart/")
    page.locator(".cart-summary a.button--primary").click()
    page.wait_for_url("**/checkout/")
    expect(page.locator(f"input[name=order_for][value='{unit.pk}']")).to_be_checked()
    expect(page.locator("input[name=order_for][value=personal]")).not_to_be_checked()
    page.screenshot(path=screenshot_dir / "canteen-order-for-phone.png", full_page=True)
    no_sideways_scroll(page)
    page.locator(".order-for button[type=submit]").click()
    page.wait_for_url(f"**/canteen/{unit.pk}/checkout/")
    delivery = timezone.localdate() + datetime.timedelta(days=3)
    page.locator("#id_delivery_date").fill(delivery.isoformat())
    page.locator("#id_delivery_window").select_option("06:00-08:00")
    page.locator("#id_purchase_order_number").fill("CG-2026-088")
    page.screenshot(path=screenshot_dir / "canteen-checkout-phone.png", full_page=True)
    no_sideways_scroll(page)
    page.locator(".checkout__form button[type=submit]").click()
    page.wait_for_url("**/canteen/orders/SH*/")
    order = Order.objects.get()
    assert order.buyer_unit == unit and order.total == 2100 and order.status == Order.Status.AWAITING_APPROVAL
    expect(page.locator(".order-status")).to_have_text("待审批")
    assert ProductStock.objects.get(product=crate).quantity == 140  # held while waiting

    # The approver sees it in the queue and approves it.
    approver = desktop_page
    log_in(approver.context, live_server, unit.users["approver"])
    approver.goto(f"{base}/canteen/{unit.pk}/")
    approver.locator("#approvals + table a", has_text=order.number).click()
    approver.locator(".approval form[action$='/approve/'] button").click()
    approver.locator("dialog.confirm-dialog .confirm-dialog__ok").click()  # approving asks first
    approver.wait_for_url(f"**/canteen/orders/{order.number}/")
    expect(approver.locator(".order-status")).to_have_text("待付款")
    approver.screenshot(path=screenshot_dir / "canteen-approved-desktop.png", full_page=True)

    # Staff record the bank transfer. Before the vendor ships, there is nothing to confirm on the order page.
    staff = django_user_model.objects.create_superuser("staff", "staff@example.cn", "pw")
    record_bank_transfer(order, amount=order.total, received_on=timezone.localdate(), bank_reference="B1", user=staff)
    page.goto(f"{base}/canteen/orders/{order.number}/")
    expect(page.locator(".receipt-wait")).to_be_visible()
    expect(page.locator(".receipt-form")).to_have_count(0)

    # The vendor ships its part in the admin.
    vendor_user = django_user_model.objects.create_user("coop-j", "coop-j@example.cn", "pw")
    grant_vendor_access(coop, vendor_user)
    part = order.vendor_orders.get()
    vendor = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    try:
        log_in(vendor, live_server, vendor_user)
        admin = vendor.new_page()
        admin.goto(f"{base}/admin/vendor-orders/{part.pk}/")
        admin.locator("#id_carrier").select_option("sf")
        admin.locator("#id_tracking_number").fill("SF100200")
        admin.locator("#ship-form button[type=submit]").click()
        admin.wait_for_load_state()
        part.refresh_from_db()
        assert part.status == "shipped"

        # The buyer confirms receipt on the phone with a shortfall note and a photo.
        page.goto(f"{base}/canteen/orders/{order.number}/")
        page.locator(".receipt-form textarea").fill("少 2 箱")
        page.locator(".receipt-form input[type=file]").set_input_files(
            {"name": "receipt.png", "mimeType": "image/png", "buffer": png_bytes()}
        )
        page.locator(".receipt-form button[type=submit]").click()
        page.wait_for_url(f"**/canteen/orders/{order.number}/")
        expect(page.locator(".order-status")).to_have_text("已完成")
        expect(page.locator(".receipt")).to_contain_text("少 2 箱")
        expect(page.locator(".inspection-photo img")).to_have_count(1)
        page.screenshot(path=screenshot_dir / "canteen-received-phone.png", full_page=True)
        no_sideways_scroll(page)
        order.refresh_from_db()
        part.refresh_from_db()
        assert order.status == Order.Status.COMPLETED and part.inspection_photo_id

        # The vendor sees the note and the photo on its order.
        admin.goto(f"{base}/admin/vendor-orders/{part.pk}/")
        expect(admin.locator("#vendor-order-summary")).to_contain_text("少 2 箱")
        expect(admin.locator("#vendor-order-summary .inspection-photo img")).to_have_count(1)
        admin.screenshot(path=screenshot_dir / "canteen-receipt-vendor-desktop.png", full_page=True)
    finally:
        vendor.close()

    # Finance opens the share from the unit page: readable on the phone, then Excel and the printable page.
    log_in(page.context, live_server, unit.users["finance"])
    page.goto(f"{base}/canteen/{unit.pk}/")
    page.locator(".unit-nav a[href$='/share/']").click()
    page.wait_for_url(f"**/canteen/{unit.pk}/share/")
    expect(page.locator(".share-mountain")).to_have_text("¥2,100.00")
    no_sideways_scroll(page)
    assert page.locator(".share-chart").bounding_box()["width"] <= 390
    page.screenshot(path=screenshot_dir / "canteen-share-phone.png", full_page=True)
    with page.expect_download() as download_info:
        page.locator(".share-actions a[href*='format=xlsx']").click()
    download = download_info.value
    assert download.suggested_filename == f"share-{unit.pk}-{timezone.localdate().year}.xlsx"
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    summary = {row[0].value: row[1].value for row in book["汇总"].iter_rows()}
    assert summary["单位"] == unit.name and summary["平台采购额"] == 2100 and summary["其中山区县农产品"] == 2100
    page.locator(".share-actions a[href*='/share/print/']").click()
    page.wait_for_url(f"**/canteen/{unit.pk}/share/print/*")
    expect(page.locator(".site-header")).to_have_count(0)
    expect(page.locator("h1")).to_contain_text("消费帮扶")
    expect(page.locator(".share-print .share-mountain")).to_have_text("¥2,100.00")
    no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "canteen-share-print-phone.png", full_page=True)
    page.emulate_media(media="print")
    expect(page.locator(".share-print__tools")).to_be_hidden()
