"""The Wagtail admin in a real browser with an English locale: a vendor and an organiser get Chinese pages,
nothing is fetched from another host (no gravatar), and the phone layout needs no sideways scrolling."""

import pytest
from playwright.sync_api import expect

from events.stalls import services
from tests.support.browser import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "admin-browser-pw"


@pytest.fixture
def people(fair, vendor_user, make_product, django_user_model):
    vendor, user = vendor_user("常山胡柚合作社", username="huyou")
    user.set_password(PASSWORD)
    user.save()
    make_product(vendor, "常山胡柚", "58.00", stock=4, unit="箱")
    services.apply(
        fair=fair,
        vendor=vendor,
        user=user,
        request=services.ApplicationRequest(stall_type=fair.stall_types.first(), note="需要两张桌子"),
    )
    organiser = django_user_model.objects.create_superuser("organiser", "org@example.com", PASSWORD)
    return {"vendor": user, "organiser": organiser, "fair": fair}


def visit(browser, live_server, username, size, urls):
    context = browser.new_context(locale="en-US", **size)
    context.set_default_timeout(15_000)
    page = context.new_page()
    foreign = []
    page.on("request", lambda r: None if r.url.startswith((live_server.url, "data:")) else foreign.append(r.url))
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    yield page
    for url in urls:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        yield page
    assert not foreign, foreign
    context.close()


def test_vendor_admin_in_chinese_on_phone_and_desktop(browser, live_server, people, screenshot_dir):
    for name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        pages = visit(browser, live_server, "huyou", size, ["/admin/marketplace/products/"])
        page = next(pages)
        assert page.title() == "控制面板 - 山海集市"
        expect(page.locator("#marketplace-low-stock-section")).to_contain_text("常山胡柚")
        expect(page.locator("#events-stall-applications-section")).to_contain_text("1 份待审核")
        if name == "desktop":
            expect(page.get_by_placeholder("搜索所有页面…")).to_be_visible()
        page.screenshot(path=screenshot_dir / f"admin-vendor-dashboard-{name}.png", full_page=True)
        page = next(pages)
        expect(page.locator("table.listing")).to_contain_text("¥58.00 / 箱")
        page.screenshot(path=screenshot_dir / f"admin-vendor-products-{name}.png", full_page=True)
        if name == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"sideways scrolling on the phone: {width}px"
        next(pages, None)


def test_organiser_review_in_chinese(browser, live_server, people, screenshot_dir):
    fair = people["fair"]
    for name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        pages = visit(browser, live_server, "organiser", size, [f"/admin/fairs/{fair.pk}/"])
        page = next(pages)
        page.screenshot(path=screenshot_dir / f"admin-organiser-dashboard-{name}.png", full_page=True)
        page = next(pages)
        expect(page.locator("#applications")).to_contain_text("需要两张桌子")
        expect(page.locator("#applications select[name=stall] option[selected]")).to_have_text(
            "A01 · 标准展位 · 开化馆"
        )
        page.screenshot(path=screenshot_dir / f"admin-stall-review-{name}.png", full_page=True)
        next(pages, None)
