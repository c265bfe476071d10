"""The home page in a real browser, at phone and desktop widths."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HERO_TITLE = "山海协作，百县千碗"


def test_home_page_at_phone_and_desktop_widths(home_page, live_server, phone_page, desktop_page, screenshot_dir):
    for name, page in [("phone", phone_page), ("desktop", desktop_page)]:
        response = page.goto(live_server.url + "/")
        assert response is not None and response.status == 200, f"{name}: {response and response.status}"
        expect(page.get_by_text(HERO_TITLE, exact=True).first).to_be_visible()
        # BCP 47 tags are case-insensitive: Django says zh-hans, HTML usually writes zh-Hans.
        assert (page.locator("html").get_attribute("lang") or "").lower() == "zh-hans"
        page.screenshot(path=screenshot_dir / f"home-{name}.png", full_page=True)

    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390, f"horizontal scrollbar on the phone: page is {scroll_width}px wide"
