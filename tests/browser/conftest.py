"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live_server.

Playwright's browsers are never downloaded (`playwright install` is not used): we launch the
Chromium that the Debian package installs at /usr/bin/chromium. Without it the tests are skipped
with the reason, or fail when CI is set.
"""

import functools
import os
from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE
from tests.support.plugin import skip_or_fail

# Playwright's sync API drives the browser from an asyncio event loop that it keeps in this thread, so
# Django's async-safety guard sees a running loop and raises SynchronousOnlyOperation on any ORM call
# made by the test (fixtures, assertions) while a page is open. The test code really is synchronous and
# nothing else runs on that loop, so the guard is a false alarm here: turn it off for this test process.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# No test reads its screenshots back: they are for people to look at, so they cost Chromium a full-page render and
# a PNG each for nothing in make test. TEST_SCREENSHOTS=1 writes them (e.g. `TEST_SCREENSHOTS=1 pytest tests/browser`).
WRITE_SCREENSHOTS = os.environ.get("TEST_SCREENSHOTS", "").strip().lower() not in {"", "0", "false", "no", "off"}


def _no_screenshot(*args, **kwargs):
    return b""


@pytest.fixture(autouse=True)
def screenshots_only_on_request(monkeypatch):
    if not WRITE_SCREENSHOTS:
        from playwright.sync_api import Locator, Page

        monkeypatch.setattr(Page, "screenshot", _no_screenshot)
        monkeypatch.setattr(Locator, "screenshot", _no_screenshot)


# Module scope, not session: while Playwright runs, this thread has a live event loop, which would also
# break async_to_sync/asyncio.run in the (non-browser) test modules collected after this package.
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} not found (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Every browser test runs with the site's Content-Security-Policy enforced (config/settings/base.py): the
# page reports each violation to the console, and a test whose pages broke the policy fails at teardown.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline"));
});
"""


def _page(browser, options):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(15_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    # Screenshots in CSS pixels: the phone context's device scale 2 would encode four times the pixels (about a
    # second more for each full-page shot) of the same 390-px layout.
    if WRITE_SCREENSHOTS:
        page.screenshot = functools.partial(page.screenshot, scale="css")
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(message.text)
            if "CSP violation" in message.text or "Content Security Policy" in message.text
            else None
        ),
    )
    return context, page


def _no_csp_violations(page):
    assert not page.csp_violations, f"Content-Security-Policy violations: {page.csp_violations}"


@pytest.fixture
def phone_page(browser):
    """A page in a phone-sized context (390×844 CSS pixels, device scale 2, touch)."""
    context, page = _page(browser, PHONE)
    yield page
    context.close()
    _no_csp_violations(page)


@pytest.fixture
def desktop_page(browser):
    """A page in a desktop-sized context (1280×900)."""
    context, page = _page(browser, DESKTOP)
    yield page
    context.close()
    _no_csp_violations(page)


@pytest.fixture(scope="session")
def screenshot_dir():
    """test-artifacts/screenshots/ (git-ignored), written with TEST_SCREENSHOTS=1."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
