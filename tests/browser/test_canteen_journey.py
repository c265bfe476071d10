"""A unit's buyer orders for the canteen on a phone, the approver approves, finance confirms receipt (验收)."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from marketplace.checkout.models import Order
from marketplace.checkout.services import mark_vendor_order_shipped, record_bank_transfer
from marketplace.models import ProductStock
from tests.fixtures.canteen import make_unit_with_members

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def test_order_approve_receive(
    live_server,
    browser,
    phone_page,
    desktop_page,
    screenshot_dir,
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

    # The buyer, on a phone, puts 60 boxes of a canteen-only product in the cart and checks out as the unit.
    page = phone_page
    log_in(page.context, live_server, unit.users["buyer"])
    page.goto(base + crate.url)
    page.locator("#buy-quantity").fill("60")
    page.locator(".buy-box button[type=submit]").click()
    page.wait_for_url("**/cart/")
    page.goto(f"{base}/canteen/{unit.pk}/checkout/")
    delivery = timezone.localdate() + datetime.timedelta(days=3)
    page.locator("#id_delivery_date").fill(delivery.isoformat())
    page.locator("#id_delivery_window").select_option("06:00-08:00")
    page.locator("#id_purchase_order_number").fill("CG-2026-088")
    page.screenshot(path=screenshot_dir / "canteen-checkout-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(".checkout__form button[type=submit]").click()
    page.wait_for_url("**/canteen/orders/SH*/")
    order = Order.objects.get()
    assert order.total == 2100 and order.status == Order.Status.AWAITING_APPROVAL
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

    # Staff record the transfer, the vendor ships; then finance confirms receipt with a shortfall note.
    staff = django_user_model.objects.create_superuser("staff", "staff@example.cn", "pw")
    record_bank_transfer(order, amount=order.total, received_on=timezone.localdate(), bank_reference="B1", user=staff)
    mark_vendor_order_shipped(order.vendor_orders.get(), carrier="顺丰", tracking_number="SF1", user=staff)
    log_in(page.context, live_server, unit.users["finance"])
    page.goto(f"{base}/canteen/orders/{order.number}/")
    page.locator(".receipt-form textarea").fill("少 2 箱")
    page.locator(".receipt-form button[type=submit]").click()
    page.wait_for_url(f"**/canteen/orders/{order.number}/")
    expect(page.locator(".order-status")).to_have_text("已完成")
    expect(page.locator(".receipt")).to_contain_text("少 2 箱")
    page.screenshot(path=screenshot_dir / "canteen-received-phone.png", full_page=True)
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
