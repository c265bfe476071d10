"""A buyer searches 胡柚 on a phone and opens the product page."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_huyou_then_open_the_product(
    live_server, phone_page, screenshot_dir, make_vendor, make_product, changshan, kecheng, marks
):
    coop = make_vendor("常山胡柚合作社", changshan)
    make_product(coop, "常山胡柚", "58.00", marks=[marks["gi"]], tiers=[(10, "52.00")], summary="常山特产，清甜微苦")
    make_product(coop, "胡柚膏", "39.00", category="processed")
    make_product(make_vendor("邵永丰食品", kecheng), "邵永丰麻饼", "30.00", category="snacks")

    page = phone_page
    page.goto(live_server.url + "/")
    # On a phone the search box sits in the collapsed menu.
    toggle = page.get_by_role("button", name="菜单").or_(page.get_by_role("button", name="Menu"))
    if toggle.is_visible():
        toggle.click()
    search_box = page.locator("#site-search-q")
    search_box.fill("胡柚")
    search_box.press("Enter")

    page.wait_for_url("**/search/?q=*")
    results = page.locator(".card--product")
    expect(results).to_have_count(2)
    expect(results.first.locator("mark").first).to_have_text("胡柚")
    page.screenshot(path=screenshot_dir / "search-huyou-phone.png", full_page=True)

    page.get_by_role("link", name="常山胡柚", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("常山胡柚")
    expect(page.locator(".price--large")).to_contain_text("¥58.00")
    expect(page.locator(".price-table")).to_contain_text("¥52.00")
    expect(page.locator(".vendor-card")).to_contain_text("常山胡柚合作社")
    page.screenshot(path=screenshot_dir / "product-huyou-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
