"""Sign-in journeys on a phone (390×844): door staff scan a ticket's QR logged out, sign in with a username and
are back on that ticket's check-in; a buyer with only a mobile number resets the password by SMS code; a visitor
who lost the ticket link finds the ticket again by mobile number and SMS code. The live server runs in this
process, so the tests read the SMS codes from cms.sms.outbox."""

from datetime import time, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cms import sms
from events.models import CheckIn, TicketType
from events.registration import services as ticketing
from events.registration.tickets import checkin_url, manage_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


PASSWORD = "shanhai-checkin"


@pytest.fixture(autouse=True)
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def fair_today(make_fair):
    today = timezone.localdate()
    fair = make_fair("山海协作·衢州名优农产品展销会", stalls=0, start_date=today, end_date=today + timedelta(days=1))
    ticket = TicketType.objects.create(fair=fair, name="普通入场", price=Decimal("0"), capacity=200, per_person_limit=4)
    slot, _later = ticketing.create_slots(
        fair=fair, days=[today, today + timedelta(days=1)], times=[(time(0, 0), time(23, 59))], capacity=50
    )
    return fair, ticket, slot


def test_door_staff_scan_logged_out_sign_in_and_land_on_the_ticket(
    live_server, phone_page, screenshot_dir, fair_today, django_user_model
):
    fair, ticket, slot = fair_today
    door = django_user_model.objects.create_user("checkin", "", PASSWORD)  # like load_demo's door account
    ticketing.grant_checkin_role(fair, door)
    reg = ticketing.register(fair=fair, request=ticketing.RegistrationRequest(ticket, "张三", "13800138000", 2, slot))

    page = phone_page
    scanned = urlsplit(checkin_url(reg)).path  # what the phone's camera opens
    page.goto(live_server.url + scanned)
    page.wait_for_url("**/login/?next=**")
    expect(page.locator("h1")).to_have_text("登录")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "sign-in-door-staff-phone.png", full_page=True)

    page.locator("#id_identifier").fill("checkin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator(".account-form button[type=submit]").click()
    page.wait_for_url(f"**{scanned}")
    expect(page.locator("#id_code")).to_have_value(reg.ticket_code)
    page.locator(".checkin__submit").click()
    result = page.locator(".checkin-result")
    expect(result).to_have_attribute("data-kind", "valid")
    expect(result).to_contain_text("张三")
    assert CheckIn.objects.filter(registration=reg).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "sign-in-door-staff-checked-in-phone.png", full_page=True)


def test_buyer_with_only_a_mobile_number_resets_the_password_by_sms(
    live_server, phone_page, screenshot_dir, home_page, django_user_model, outbox
):
    user = django_user_model.objects.create_user("13900139000", "", "Old-pass-2024")
    page = phone_page
    page.goto(live_server.url + "/login/")
    page.locator("[data-forgot-password]").click()
    page.wait_for_url("**/password-reset/")
    page.locator("#id_email").fill("139 0013 9000")
    page.locator(".account-form button[type=submit]").click()
    page.wait_for_url("**/password-reset/sms/")
    expect(page.locator(".account-form")).to_contain_text("139****9000")
    assert [m.template for m in outbox] == ["password_reset_code"]
    code = outbox[0].params["code"]

    # A wrong code first: a clear message, nothing changes.
    page.locator("#id_code").fill("000000" if code != "000000" else "111111")
    page.locator("#id_new_password1").fill("New-pass-2025")
    page.locator("#id_new_password2").fill("New-pass-2025")
    page.locator(".account-form form button.button--primary").click()
    expect(page.locator(".field__errors")).to_contain_text("验证码不正确")
    user.refresh_from_db()
    assert user.check_password("Old-pass-2024")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "password-reset-sms-phone.png", full_page=True)

    page.locator("#id_code").fill(code)
    page.locator("#id_new_password1").fill("New-pass-2025")
    page.locator("#id_new_password2").fill("New-pass-2025")
    page.locator(".account-form form button.button--primary").click()
    page.wait_for_url("**/login/")
    expect(page.locator(".messages")).to_contain_text("密码已修改")
    page.locator("#id_identifier").fill("13900139000")
    page.locator("#id_password").fill("New-pass-2025")
    page.locator(".account-form button[type=submit]").click()
    page.wait_for_url("**/account/")


def test_visitor_finds_the_ticket_again_by_mobile_number(live_server, phone_page, screenshot_dir, fair_today, outbox):
    fair, ticket, slot = fair_today
    reg = ticketing.register(fair=fair, request=ticketing.RegistrationRequest(ticket, "王五", "13600136000", 1, slot))
    ticketing.register(fair=fair, request=ticketing.RegistrationRequest(ticket, "李四", "13700137000", 1, slot))
    outbox.clear()  # the two ticket SMS; only the code asked for below counts

    page = phone_page
    page.goto(live_server.url + fair.url)
    page.locator("[data-find-ticket]").click()
    page.wait_for_url("**/find-ticket/")
    phone_input = page.locator("input[name=phone]")
    expect(phone_input).to_have_attribute("type", "tel")
    phone_input.fill("13600136000")
    page.locator(".find-ticket button[type=submit]").click()
    page.wait_for_url("**/find-ticket/code/")
    code = outbox[0].params["code"]
    assert [m.phone for m in outbox] == ["13600136000"]
    page.locator("input[name=code]").fill(code)
    page.locator(".find-ticket form button.button").first.click()
    found = page.locator("[data-found-tickets] li")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(fair.title)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "find-ticket-phone.png", full_page=True)
    found.locator("a.button").click()
    page.wait_for_url(f"**{manage_path(reg)}")
    expect(page.locator(".ticket__code")).to_have_text(reg.grouped_short_code)
