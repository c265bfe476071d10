"""A visitor on a phone registers for a free time slot and gets the ticket with its QR code; door staff with the
check-in role open the QR's check-in URL on their phone and check the ticket in ("valid"); scanning it again
says it is already checked in."""

from datetime import time, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import CheckIn, Registration, TicketType
from events.registration import services as ticketing
from events.registration.tickets import checkin_url, manage_path
from tests.support.browser import PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_registers_on_a_phone_and_staff_check_the_ticket_in_once(
    live_server, browser, phone_page, screenshot_dir, make_fair, django_user_model
):
    today = timezone.localdate()
    fair = make_fair("山海协作·衢州名优农产品展销会", stalls=0, start_date=today, end_date=today + timedelta(days=1))
    ticket = TicketType.objects.create(fair=fair, name="普通入场", price=Decimal("0"), capacity=200, per_person_limit=4)
    # Today's slot spans the whole day, so the check-in time rule lets the test in at any hour.
    today_slot, _later = ticketing.create_slots(
        fair=fair, days=[today, today + timedelta(days=1)], times=[(time(0, 0), time(23, 59))], capacity=50
    )
    door = django_user_model.objects.create_user("door", "", "pw")
    ticketing.grant_checkin_role(fair, door)

    # The visitor opens the registration form on a phone and registers two people for today's slot.
    page = phone_page
    page.goto(live_server.url + fair.url + "register/")
    expect(page.locator("h1")).to_be_visible()
    page.locator("input[name=phone]").fill("13800138000")
    page.locator("input[name=name]").fill("张三")
    page.locator("select[name=ticket_type]").select_option(str(ticket.pk))
    page.locator("select[name=slot]").select_option(str(today_slot.pk))
    page.locator("input[name=people]").fill("2")
    page.locator("input[name=consent]").check()
    page.screenshot(path=screenshot_dir / "registration-form-phone.png", full_page=True)
    page.locator(".registration-form button[type=submit]").click()
    page.wait_for_url("**/registration/*/")

    reg = Registration.objects.get()
    assert (reg.status, reg.people, reg.slot_id) == (Registration.Status.CONFIRMED, 2, today_slot.pk)
    today_slot.refresh_from_db()
    assert today_slot.confirmed == 2

    # The ticket: the QR code and the ticket code, and nothing wider than the phone.
    expect(page.locator(".ticket")).to_have_attribute("data-status", "confirmed")
    qr = page.locator(".ticket__qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 120 and box["width"] <= 390
    expect(page.locator(".ticket__code")).to_have_text(reg.grouped_short_code)
    assert reg.manage_key not in checkin_url(reg)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "registration-ticket-phone.png", full_page=True)

    # Door staff, logged in on their own phone, land on the QR's check-in URL and press Check in.
    staff_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    try:
        staff_context.set_default_timeout(15_000)
        log_in(staff_context, live_server, door)
        staff = staff_context.new_page()
        scanned = urlsplit(checkin_url(reg))  # the QR's URL, on the live server's host
        assert reg.ticket_code in scanned.path
        staff.goto(live_server.url + scanned.path)
        expect(staff.locator("#id_code")).to_have_value(reg.ticket_code)
        staff.locator(".checkin__submit").click()
        result = staff.locator(".checkin-result")
        expect(result).to_have_attribute("data-kind", "valid")
        expect(result).to_have_class("checkin-result checkin-result--green")
        expect(result).to_contain_text("张三")
        expect(staff.locator("#checkin-total")).to_have_text("2")
        assert staff.evaluate("document.documentElement.scrollWidth") <= 390
        staff.screenshot(path=screenshot_dir / "checkin-valid-phone.png", full_page=True)

        # A second scan of the same ticket (typed in this time): already checked in, nothing recorded.
        staff.locator("#id_code").fill(reg.ticket_code)
        staff.locator(".checkin__submit").click()
        result = staff.locator(".checkin-result")
        expect(result).to_have_attribute("data-kind", "already")
        expect(result).to_have_class("checkin-result checkin-result--amber")
        expect(result).to_contain_text("door")
        staff.screenshot(path=screenshot_dir / "checkin-already-phone.png", full_page=True)
        assert CheckIn.objects.filter(registration=reg).count() == 1
    finally:
        staff_context.close()


def test_visitor_without_an_account_registers_a_paid_ticket_and_sees_how_to_pay(
    live_server, phone_page, screenshot_dir, make_fair, settings
):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""  # online payment not configured
    today = timezone.localdate()
    start = today + timedelta(days=10)
    fair = make_fair("百县千碗美食节", stalls=0, start_date=start, end_date=start + timedelta(days=1))
    ticket = TicketType.objects.create(
        fair=fair, name="名厨品鉴专场", price=Decimal("88.00"), capacity=60, per_person_limit=2, requires_slot=False
    )

    # No account: the visitor fills the form and picks the paid ticket; without online payment configured, bank
    # transfer is stated as the only way to pay (no choice to make), and the visitor lands on the order.
    page = phone_page
    page.goto(live_server.url + fair.url + "register/")
    page.locator("input[name=phone]").fill("13600136000")
    page.locator("input[name=name]").fill("王五")
    page.locator("select[name=ticket_type]").select_option(str(ticket.pk))
    page.locator("input[name=people]").fill("2")
    page.locator("input[name=consent]").check()
    expect(page.locator("[data-payment-method=bank_transfer]")).to_be_visible()
    expect(page.locator("[data-payment-method=bank_transfer]")).to_contain_text("对公转账")
    expect(page.locator("input[name=payment_method]")).to_have_value("bank_transfer")
    expect(page.locator("input[name=payment_method][type=radio]")).to_have_count(0)
    page.locator(".registration-form button[type=submit]").click()
    page.wait_for_url("**/orders/*/")

    reg = Registration.objects.get()
    order = reg.order
    assert reg.status == Registration.Status.HELD and order.buyer is None and order.guest_phone == "13600136000"
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "pending_payment")
    expect(page.locator("[data-bank=reference]")).to_have_text(order.payment_reference)
    expect(page.locator("[data-bank=amount]")).to_contain_text("176.00")
    expect(page.locator("[data-guest-order]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "guest-ticket-order-phone.png", full_page=True)

    # The ticket page (the link in the e-mail) says the places are held and leads back to the order.
    page.goto(live_server.url + manage_path(reg))
    expect(page.locator(".ticket")).to_have_attribute("data-status", "held")
    page.locator(f"a[href$='/orders/guest/{order.access_token}/']").click()
    page.wait_for_url(f"**/orders/{order.number}/")
    expect(page.locator("[data-bank=reference]")).to_have_text(order.payment_reference)
