"""The Content-Security-Policy in a real browser: the home page loads its script, an injected inline script is
blocked, and the violation is seen by the fixtures that fail every browser test with a violation."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_policy_is_enforced_and_violations_are_caught(live_server, phone_page, home_page):
    page = phone_page
    response = page.goto(live_server.url + "/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert page.csp_violations == []
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert any("script-src" in text for text in page.csp_violations), page.csp_violations
    page.csp_violations.clear()  # seen; the fixture's own check would fail the test otherwise
