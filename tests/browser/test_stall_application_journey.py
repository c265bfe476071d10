"""A vendor on a phone applies for a stall at a fair that the organiser reviews; the organiser approves it in the
admin with the stall it proposes (after the confirmation dialog); the vendor then finds the stall held for it,
with its fee to pay, under "my stalls"."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from events.models import FairPage, StallApplication, StallBooking
from tests.support.browser import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def test_vendor_applies_on_a_phone_and_the_organiser_approves_with_the_proposed_stall(
    live_server, browser, phone_page, screenshot_dir, make_fair, vendor_user, django_user_model
):
    fair = make_fair("山海协作·衢州名优农产品展销会", price="800.00", stalls=4, booking_mode=FairPage.Booking.REVIEW)
    coop, coop_user = vendor_user("常山胡柚合作社", "coop")
    organiser = django_user_model.objects.create_superuser("organiser", "org@example.cn", "pw")
    base = live_server.url

    # The vendor opens the fair on a phone and applies for a standard stall, with a note for the organiser.
    page = phone_page
    log_in(page.context, live_server, coop_user)
    page.goto(base + fair.url)
    page.get_by_role("link", name="申请展位").first.click()
    page.wait_for_url("**/apply/")
    page.get_by_label("意向展位类型").select_option(str(fair.stall_types.get(name="标准展位").pk))
    page.get_by_label("给主办方的留言").fill("需要两张桌子，靠近入口更好")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "stall-apply-phone.png", full_page=True)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    application = StallApplication.objects.get()
    assert (application.vendor, application.status) == (coop, StallApplication.Status.SUBMITTED)
    assert application.note == "需要两张桌子，靠近入口更好"

    # The organiser reviews it in the admin: the note is shown and a free standard stall is proposed.
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **DESKTOP)
    context.set_default_timeout(15_000)
    try:
        log_in(context, live_server, organiser)
        admin = context.new_page()
        admin.goto(f"{base}/admin/fairs/{fair.pk}/")
        row = admin.locator("#applications")
        expect(row).to_contain_text("需要两张桌子，靠近入口更好")
        proposed = row.locator("select[name=stall]").input_value()
        assert proposed, "a free stall of the requested type is proposed"
        row.locator("button[name=action][value=approve]").click()
        dialog = admin.locator("dialog.confirm-dialog")
        expect(dialog).to_be_visible()
        admin.screenshot(path=screenshot_dir / "stall-approve-confirm-desktop.png")
        dialog.locator(".confirm-dialog__ok").click()
        admin.wait_for_load_state("networkidle")
    finally:
        context.close()

    booking = StallBooking.objects.get()
    assert booking.vendor == coop and str(booking.stall.pk) == proposed
    assert booking.status == StallBooking.Status.HELD  # held until the fee is paid
    application.refresh_from_db()
    assert application.status == StallApplication.Status.APPROVED

    # Back on the phone, "my stalls" shows the stall held for the vendor, with the fee to pay.
    page.goto(base + fair.get_parent().url + "mine/")
    expect(page.locator("body")).to_contain_text(booking.stall.code)
    expect(page.get_by_role("link", name="付款")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "stall-my-stalls-phone.png", full_page=True)
