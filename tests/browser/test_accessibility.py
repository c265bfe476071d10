"""axe-core on the public pages and the check-in page: no "moderate", "serious" or "critical" violation (issue #13).

Every page is checked on a phone in Chinese (/…) and on a desktop in English (/en/…): the home page, the product
listing, a product page, the checkout reached by 立即购买 (with its message), a fair page, the registration form
before and after a failed submit, the check-in page as door staff (empty and with a result), the login page, a
buyer's new-address form (省/市/区 selects) and the organiser report (its charts and tables).
axe-core comes from the npm registry and lives in tests/browser/vendor/axe-core/; the test injects it into the
page, so the site never serves it.
"""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from events.models import TicketType
from events.registration import services as ticketing
from marketplace.checkout.services import record_bank_transfer
from tests.support.axe import AXE, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    page.context.clear_cookies()
    if user is None:
        return
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def scene(make_fair, make_vendor, make_product, changshan, kecheng, marks, django_user_model):
    coop = make_vendor("常山胡柚合作社", changshan)
    huyou = make_product(
        coop, "常山胡柚", "58.00", marks=[marks["gi"]], tiers=[(10, "52.00")], summary="常山特产，清甜微苦"
    )
    make_product(coop, "胡柚膏", "39.00", category="processed")
    make_product(make_vendor("邵永丰食品", kecheng), "邵永丰麻饼", "30.00", category="snacks")
    today = timezone.localdate()
    fair = make_fair("山海协作·衢州名优农产品展销会", stalls=8, start_date=today, end_date=today + timedelta(days=1))
    ticket = TicketType.objects.create(fair=fair, name="普通入场", price=Decimal("0"), capacity=200, per_person_limit=4)
    (slot,) = ticketing.create_slots(fair=fair, days=[today], times=[(time(0, 0), time(23, 59))], capacity=50)
    door = django_user_model.objects.create_user("door", "", "pw")
    ticketing.grant_checkin_role(fair, door)
    reg = ticketing.register(fair=fair, request=ticketing.RegistrationRequest(ticket, "张三", "13800138000", 2, slot))
    shopper = django_user_model.objects.create_user("13800138001", "", "pw")
    organiser = django_user_model.objects.create_superuser("organiser", "org@example.com", "pw")
    # A paid ticket, paid by bank transfer: the organiser report draws its sales chart.
    tasting = TicketType.objects.create(fair=fair, name="品鉴票", price=Decimal("30"), capacity=20, per_person_limit=4)
    paid = ticketing.register(
        fair=fair,
        request=ticketing.RegistrationRequest(
            tasting, "李四", "13800138002", 2, slot, email="", payment_method="bank_transfer"
        ),
    )
    record_bank_transfer(paid.order, amount=paid.order.total, received_on=today, bank_reference="B-axe", user=organiser)
    return {
        "market": coop.get_parent(),
        "product": huyou,
        "fair": fair,
        "door": door,
        "registration": reg,
        "shopper": shopper,
        "organiser": organiser,
    }


# In the list of pages below: the entry goes on from the page the entry before it checked (one page load less).
SAME_PAGE = object()


def buy_now(page):
    """立即购买 lands on the checkout form with a message (the messages list is in a status region)."""
    page.locator(".buy-box__now").first.click()
    page.wait_for_url("**/checkout/")
    assert page.locator(".messages .message").count(), "no message after buy now"


def submit_empty(page):
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count(), "the empty registration form shows no errors"


def sales_chart_shown(page):
    page.locator("svg.sales-chart").wait_for()
    width = page.viewport_size["width"]
    page.screenshot(path=page.screenshot_dir / f"a11y-organiser-report-{width}.png", full_page=True)


def test_no_moderate_serious_or_critical_axe_violations(live_server, phone_page, desktop_page, screenshot_dir, scene):
    fair = scene["fair"]

    def check_in(page):
        """The result in the live region: valid on the phone, already checked in on the desktop."""
        page.locator("#id_code").fill(scene["registration"].short_code)
        page.locator(".checkin__submit").click()
        page.locator("#checkin-status .checkin-result").wait_for()
        width = page.viewport_size["width"]
        page.screenshot(path=screenshot_dir / f"a11y-checkin-result-{width}.png", full_page=True)

    pages = [
        ("home", "/", None, None),
        ("product listing", scene["market"].url + "products/", None, None),
        ("product", scene["product"].url, None, None),
        ("checkout after buy now", scene["product"].url, scene["shopper"], buy_now),
        ("fair", fair.url, None, None),
        ("registration", fair.url + "register/", None, None),
        ("registration with errors", SAME_PAGE, None, submit_empty),
        ("check-in (door staff)", fair.url + "checkin/", scene["door"], None),
        ("check-in result (door staff)", SAME_PAGE, scene["door"], check_in),
        ("login", "/login/", None, None),
        ("new address (省/市/区 selects)", "/account/addresses/add/", scene["shopper"], None),
        ("organiser report (charts)", fair.url + "registrations/", scene["organiser"], sales_chart_shown),
    ]
    report = []
    for page in (phone_page, desktop_page):
        page.context.add_init_script(AXE)
        page.screenshot_dir = screenshot_dir
    for size, page, prefix in (("phone zh-hans", phone_page, ""), ("desktop en", desktop_page, "/en")):
        for name, where, user, action in pages:
            if where is not SAME_PAGE:  # else go on from the page the previous entry checked, as its user
                path = where
                log_in(page, live_server, user)
                response = page.goto(live_server.url + prefix + path)
                assert response.status == 200, f"{prefix + path} answered {response.status}"
            if action:
                action(page)
            for violation in axe_violations(page):
                targets = ", ".join(violation["targets"][:8])
                report.append(
                    f"{size} {name} ({prefix + path}): {violation['id']} [{violation['impact']}] "
                    f"{violation['help']} — {targets}"
                )
    assert not report, "axe-core found moderate, serious or critical violations:\n" + "\n".join(report)
