"""On a phone, without an account and without online payment configured: a visitor registers a paid ticket with
bank transfer as the only (pre-selected) way to pay and lands on the transfer details; cancelling asks first in a
dialog, and only "cancel" cancels. A visitor whose online-paid order can no longer be paid online switches it to
bank transfer on the private link's page, keeping the places."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Registration, TicketType
from events.registration import services as ticketing
from events.registration.services import RegistrationRequest
from marketplace.checkout.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tasting(make_fair):
    start = timezone.localdate() + timedelta(days=10)
    fair = make_fair("百县千碗美食节", stalls=0, start_date=start, end_date=start + timedelta(days=1))
    ticket = TicketType.objects.create(
        fair=fair, name="名厨品鉴专场", price=Decimal("88.00"), capacity=60, per_person_limit=2
    )
    (slot,) = ticketing.create_slots(fair=fair, days=[start], times=[(time(10), time(12))], capacity=10)
    return fair, ticket, slot


def fresh(obj):
    obj.refresh_from_db()
    return obj


def test_visitor_registers_with_bank_transfer_and_cancels_only_after_confirming(
    live_server, phone_page, screenshot_dir, tasting, settings
):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    fair, ticket, slot = tasting
    page = phone_page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + fair.url + "register/")
    page.locator("input[name=phone]").fill("13600136000")
    page.locator("input[name=name]").fill("王五")
    page.locator("select[name=ticket_type]").select_option(str(ticket.pk))
    page.locator("select[name=slot]").select_option(str(slot.pk))
    page.locator("input[name=people]").fill("2")
    page.locator("input[name=consent]").check()
    fixed = page.locator("[data-payment-method=bank_transfer]")
    expect(fixed).to_be_visible()
    expect(fixed).to_contain_text("对公转账")
    expect(page.locator("input[name=payment_method][type=radio]")).to_have_count(0)
    for method in ("card", "alipay", "wechat_pay"):
        expect(page.locator(f"[value={method}]")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "register-bank-transfer-only-phone.png", full_page=True)
    page.locator(".registration-form button[type=submit]").click()
    page.wait_for_url("**/orders/*/")

    reg = Registration.objects.get()
    order = reg.order
    assert reg.status == Registration.Status.HELD and order.payment_method == "bank_transfer"
    expect(page.locator("[data-bank=reference]")).to_have_text(order.payment_reference)
    expect(page.locator("[data-bank=amount]")).to_contain_text("176.00")
    expect(page.get_by_text("尚未配置在线支付")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Cancel: a dialog asks first; "keep" keeps the order and gives the focus back to the button.
    cancel = page.locator(".order__cancel button[type=submit]")
    cancel.click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("role", "alertdialog")
    expect(dialog).to_contain_text("取消此订单？")
    keep = dialog.locator(".confirm-dialog__keep")
    expect(keep).to_be_focused()
    expect(keep).to_have_text("保留订单")
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=screenshot_dir / "confirm-cancel-dialog-phone.png")
    keep.click()
    expect(dialog).to_be_hidden()
    expect(cancel).to_be_focused()
    assert fresh(order).status == Order.Status.PENDING_PAYMENT and fresh(reg).status == Registration.Status.HELD

    # Escape closes it as well, without cancelling.
    cancel.click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert fresh(order).status == Order.Status.PENDING_PAYMENT

    # Only the dialog's own button cancels.
    cancel.click()
    dialog.locator(".confirm-dialog__ok").click()
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "cancelled")
    assert fresh(order).status == Order.Status.CANCELLED and fresh(reg).status == Registration.Status.CANCELLED
    assert fresh(slot).held == 0
    assert errors == []


def test_an_online_order_that_cannot_be_paid_online_switches_to_bank_transfer(
    live_server, phone_page, screenshot_dir, tasting, settings
):
    fair, ticket, slot = tasting
    # Registered (through the API, say) while online payment was configured; the keys are gone since.
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_gone", "pk_test_gone"
    reg = ticketing.register(
        fair=fair,
        request=RegistrationRequest(
            ticket_type=ticket, slot=slot, name="王五", phone="13600136000", people=2, payment_method="alipay"
        ),
    )
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    order = reg.order

    page = phone_page
    page.goto(f"{live_server.url}/orders/guest/{order.access_token}/")
    page.wait_for_url(f"**/orders/{order.number}/")
    switch = page.locator("[data-payment-switch]")
    expect(switch).to_contain_text("在线支付暂不可用")
    expect(page.locator(f"a[href$='/orders/{order.number}/pay/']")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "switch-to-bank-transfer-phone.png", full_page=True)
    switch.locator("[data-switch-to=bank_transfer]").click()
    page.wait_for_load_state()
    order = fresh(order)
    assert order.payment_method == "bank_transfer" and order.payment_reference
    expect(page.locator("[data-bank=reference]")).to_have_text(order.payment_reference)
    assert fresh(reg).status == Registration.Status.HELD and fresh(slot).held == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
