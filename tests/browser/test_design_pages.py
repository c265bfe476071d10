"""One design system: every page restyled for issue #13 opened as the right user at 390×844 and 1280×900.

No page may be wider than the screen; each leaves a phone and a desktop screenshot in test-artifacts/screenshots/
(design-<page>-phone.png / -desktop.png). The fair page's map also answers a tap with the stall's details and its
list is folded by zone with an all / free / my stalls filter."""

import datetime
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from events.checkin import services as checkin_services
from events.models import FairPage, FairZone, StallBooking, TicketType
from events.registration import services as ticketing
from events.stalls import services
from events.stalls.services import create_stall_row
from marketplace.checkout.models import Order
from tests.factories import make_paid_unit_order, make_unit_with_members, set_budget, stall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    page.context.clear_cookies()
    if user is None:
        return
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def no_sideways_scroll(page):
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} is {width}px wide on a {inner}px screen"


def visit(pages, live_server, screenshot_dir, name, path, user, check=None):
    """Open `path` as `user` on the phone and on the desktop: no sideways scrolling, a screenshot each."""
    for size, page in pages.items():
        log_in(page, live_server, user)
        response = page.goto(live_server.url + path)
        assert response.status == 200, f"{path} answered {response.status}"
        no_sideways_scroll(page)
        if check:
            check(page, size)
        page.screenshot(path=screenshot_dir / f"design-{name}-{size}.png", full_page=True)


def test_restyled_pages_fit_phone_and_desktop(
    live_server,
    phone_page,
    desktop_page,
    screenshot_dir,
    make_fair,
    vendor_user,
    make_product,
    changshan,
    django_user_model,
):
    pages = {"phone": phone_page, "desktop": desktop_page}
    today = timezone.localdate()
    fair = make_fair(
        "山海协作·衢州名优农产品展销会",
        stalls=20,
        booking_mode=FairPage.Booking.SELF,
        start_date=today,
        end_date=today + timedelta(days=1),
    )
    create_stall_row(
        fair=fair,
        prefix="B",
        first=1,
        last=40,
        stall_type=fair.stall_types.first(),
        zone=FairZone.objects.get(page=fair, kind="b2b"),
        x=5,
        y=20,
    )
    coop, coop_user = vendor_user("常山胡柚合作社", "coop")
    rival, rival_user = vendor_user("开化龙顶茶业", "rival")
    services.self_book(fair=fair, vendor=coop, user=coop_user, stall=stall(fair, "A02"))
    services.self_book(fair=fair, vendor=rival, user=rival_user, stall=stall(fair, "B05"))
    ticket = TicketType.objects.create(fair=fair, name="普通入场", price=Decimal("0"), capacity=200, per_person_limit=4)
    yesterday_slot, *_ = ticketing.create_slots(
        fair=fair, days=[today, today + timedelta(days=1)], times=[(time(0, 0), time(23, 59))], capacity=50
    )
    organiser = django_user_model.objects.create_superuser("organiser", "org@example.com", "pw")
    reg = ticketing.register(
        fair=fair, request=ticketing.RegistrationRequest(ticket, "张三", "13800138000", 2, yesterday_slot)
    )
    checkin_services.check_in(fair=fair, code=reg.ticket_code, user=organiser)

    # The fair page as the vendor: the map fits the screen, a tap shows the stall, the list is folded by zone.
    def fair_checks(page, size):
        expect(page.locator("details.stall-zone")).to_have_count(2)
        expect(page.locator("g[data-stall=A02]")).to_have_attribute("data-mine", "")
        if size == "phone":
            expect(page.locator(".stall-table").first).to_be_hidden()  # zones start folded on a phone
        page.locator("g[data-stall=A05]").click()
        panel = page.locator("#stall-panel")
        expect(panel).to_be_visible()
        expect(panel.locator("h3")).to_have_text("A05")
        expect(panel.locator(".stall-panel__book")).to_have_attribute(
            "href", f"{fair.url}book/{stall(fair, 'A05').pk}/"
        )
        page.screenshot(path=screenshot_dir / f"design-fair-panel-{size}.png")
        page.locator(".stall-filter label", has_text="我的展位").click()
        expect(page.locator("tr[data-stall-row]:visible")).to_have_count(1)
        expect(page.locator("tr[data-stall-row]:visible")).to_contain_text("A02")
        page.locator(".stall-filter label", has_text="空闲展位").click()
        expect(page.locator("tr[data-stall-row]:visible")).to_have_count(58)
        no_sideways_scroll(page)
        page.locator(".stall-filter label", has_text="全部展位").click()

    visit(pages, live_server, screenshot_dir, "fair", fair.url, coop_user, fair_checks)
    visit(pages, live_server, screenshot_dir, "fair-anonymous", fair.url, None)

    # The forms: labelled fields, errors tied to their control.
    def register_errors(page, size):
        page.locator(".registration-form button[type=submit]").click()
        expect(page.locator("#id_name")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#id_name_error")).to_be_visible()
        expect(page.locator("label[for=id_name] .field__required")).to_have_count(1)
        no_sideways_scroll(page)

    visit(pages, live_server, screenshot_dir, "register", fair.url + "register/", None, register_errors)
    visit(pages, live_server, screenshot_dir, "stall-apply", fair.url + "apply/", coop_user)
    visit(pages, live_server, screenshot_dir, "stall-book", f"{fair.url}book/{stall(fair, 'A07').pk}/", coop_user)

    # Cancelling asks first; a vendor who says no keeps the stall.
    def my_stalls_checks(page, size):
        page.locator("tr[data-stall=A02] button[type=submit]").click()
        dialog = page.locator("dialog.confirm-dialog")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("A02")
        dialog.locator(".confirm-dialog__keep").click()
        expect(dialog).to_be_hidden()
        expect(page.locator("tr[data-stall=A02]")).to_be_visible()
        assert StallBooking.objects.get(stall__code="A02", fair=fair).is_active

    visit(pages, live_server, screenshot_dir, "my-stalls", fair.get_parent().url + "mine/", coop_user, my_stalls_checks)
    visit(pages, live_server, screenshot_dir, "vendor-apply", "/vendors/apply/", None)

    # The organiser's report: percentages as percentages, the check-ins per hour also as numbers.
    def report_checks(page, size):
        expect(page.locator(".report-checkins tbody tr")).to_have_count(1)
        expect(page.locator(".no-show")).not_to_contain_text("0.")

    visit(pages, live_server, screenshot_dir, "report", fair.url + "registrations/", organiser, report_checks)

    # The canteen unit's pages, as its approver (who sees everything) and finance.
    unit = make_unit_with_members("省直机关第一食堂（浙江省机关事务管理局）", prefix="d", threshold="1000.00")
    coop_shop = coop  # the same vendor sells to the canteen
    huyou = make_product(coop_shop, "常山胡柚（精品礼盒装）", "50.00", stock=500, origin_county=changshan)
    year = today.year
    set_budget(unit, year, "100000.00", target="0.300")
    order = None
    for month, quantity in ((1, 20), (2, 120), (3, 60)):
        order = make_paid_unit_order(unit, unit.users["buyer"], datetime.date(year, month, 10), [(huyou, quantity)])
    Order.objects.filter(pk=order.pk).update(purchase_order_number="CG-2026-0088-衢州")
    make_paid_unit_order(unit, unit.users["buyer"], today, [(huyou, 30)], status=Order.Status.AWAITING_APPROVAL)

    # The product page on a phone: 加入购物车 / 立即购买 stay at the foot of the screen; buy now goes to checkout.
    def buy_bar_checks(page, size):
        bar = page.locator(".buy-bar")
        expect(bar.locator(".buy-box__now")).to_be_visible()
        if size == "phone":
            assert bar.evaluate("e => getComputedStyle(e).position") == "fixed"
            box = bar.bounding_box()
            assert abs(box["y"] + box["height"] - 844) < 2 and box["width"] == 390

    shopper = django_user_model.objects.create_user("13800138001", "", "pw")
    visit(pages, live_server, screenshot_dir, "product", huyou.url, shopper, buy_bar_checks)
    phone_page.locator(".buy-box__now").click()
    phone_page.wait_for_url(live_server.url + "/checkout/")

    approver = unit.users["approver"]
    visit(pages, live_server, screenshot_dir, "canteen-dashboard", f"/canteen/{unit.pk}/", approver)
    visit(pages, live_server, screenshot_dir, "canteen-order", f"/canteen/orders/{order.number}/", approver)
    visit(
        pages,
        live_server,
        screenshot_dir,
        "canteen-statement",
        f"/canteen/{unit.pk}/statement/?month={year}-03",
        approver,
    )

    def chart_checks(page, size):
        chart = page.locator(".share-chart")
        expect(chart).to_contain_text("每月目标")  # the chart speaks the page's language
        assert "Monthly target" not in chart.inner_html()

    visit(
        pages,
        live_server,
        screenshot_dir,
        "canteen-share",
        f"/canteen/{unit.pk}/share/?year={year}",
        approver,
        chart_checks,
    )
    visit(
        pages,
        live_server,
        screenshot_dir,
        "canteen-apply",
        "/canteen/apply/",
        django_user_model.objects.create_user("newunit", "", "pw"),
    )
