"""A vendor on a phone books a stall on a fair's map, pays by bank transfer, and the stall shows as booked;
a second vendor who had the same stall open is told it is taken."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from events.models import FairPage, StallBooking
from marketplace.checkout.models import Order
from marketplace.checkout.services import record_bank_transfer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def test_vendor_self_books_a_stall_pays_by_transfer_and_a_second_vendor_finds_it_taken(
    live_server, browser, phone_page, screenshot_dir, make_fair, vendor_user, django_user_model
):
    fair = make_fair("山海协作·衢州名优农产品展销会", price="800.00", stalls=8, booking_mode=FairPage.Booking.SELF)
    coop, coop_user = vendor_user("常山胡柚合作社", "coop")
    rival, rival_user = vendor_user("开化龙顶茶业", "rival")
    staff = django_user_model.objects.create_superuser("staff", "staff@example.cn", "pw")
    base = live_server.url
    fair_url = base + fair.url

    # The second vendor has the booking page of A02 open on another phone.
    rival_context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    try:
        log_in(rival_context, live_server, rival_user)
        rival_page = rival_context.new_page()
        rival_page.goto(fair_url)
        rival_page.locator("g[data-stall=A02] a").click()  # a tap shows the stall's panel, with its booking link
        rival_page.locator("#stall-panel .stall-panel__book").click()
        rival_page.wait_for_url("**/book/*/")

        # The vendor opens the fair on a phone: the map with its legend, every stall available.
        page = phone_page
        log_in(page.context, live_server, coop_user)
        page.goto(fair_url)
        expect(page.locator(".stall-map__svg")).to_be_visible()
        expect(page.locator(".stall-legend li")).to_have_count(5)  # four states and, for a vendor, "my stalls"
        expect(page.locator("g.stall")).to_have_count(8)
        expect(page.locator("g[data-stall=A02]")).to_have_attribute("data-state", "available")
        page.locator(".stall-map").scroll_into_view_if_needed()
        page.screenshot(path=screenshot_dir / "fair-map-phone.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        # It taps A02 on the map and books it, paying by bank transfer.
        page.locator("g[data-stall=A02] a").click()
        expect(page.locator("#stall-panel h3")).to_have_text("A02")
        page.locator("#stall-panel .stall-panel__book").click()
        page.wait_for_url("**/book/*/")
        expect(page.locator("h1")).to_contain_text("A02")
        expect(page.locator("[data-payment-method=bank_transfer]")).to_be_visible()  # the only way, pre-selected
        page.locator(".fair-form button[type=submit]").click()
        page.wait_for_url("**/orders/SH*/")

        booking = StallBooking.objects.select_related("order").get()
        assert (booking.vendor, booking.stall.code, booking.status) == (coop, "A02", StallBooking.Status.HELD)
        order = booking.order
        expect(page.locator(".payment-reference")).to_have_text(order.payment_reference)
        expect(page.locator("[data-bank=amount]")).to_have_text("¥800.00")

        # Staff record the transfer; the stall is confirmed and shows as booked.
        record_bank_transfer(
            order, amount=order.total, received_on=timezone.localdate(), bank_reference="ICBC-2024-0001", user=staff
        )
        booking.refresh_from_db()
        assert booking.status == StallBooking.Status.CONFIRMED
        assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
        page.goto(fair_url)
        expect(page.locator("g[data-stall=A02]")).to_have_attribute("data-state", "booked")
        expect(page.locator("tr.stall-row--booked")).to_contain_text("常山胡柚合作社")
        expect(page.locator(".exhibitor-list")).to_contain_text("常山胡柚合作社")
        page.locator(".stall-map").scroll_into_view_if_needed()
        page.screenshot(path=screenshot_dir / "fair-map-booked-phone.png", full_page=True)

        # The second vendor submits its (now stale) booking page: the stall is taken.
        rival_page.locator(".fair-form button[type=submit]").click()
        error = rival_page.locator(".notice--error")
        expect(error).to_be_visible()
        expect(error).to_contain_text("A02")
        rival_page.screenshot(path=screenshot_dir / "fair-stall-taken-phone.png", full_page=True)
        assert StallBooking.objects.filter(vendor=rival).count() == 0
    finally:
        rival_context.close()
