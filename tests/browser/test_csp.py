"""The Content-Security-Policy in a real browser: the home page loads its script, an injected inline script is
blocked, and the violation is seen by the fixtures that fail every browser test with a violation."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_policy_is_enforced_and_violations_are_caught(live_server, phone_page, home_page):
    page = phone_page
    response = page.goto(live_server.url + "/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert page.csp_violations == []
    # Wait for the violation's console message (the fixtures collect it too), not for a fixed time.
    with page.expect_console_message(lambda message: "script-src" in message.text):
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
            " document.body.appendChild(s); }"
        )
    assert page.evaluate("() => window.injected") is None
    assert any("script-src" in text for text in page.csp_violations), page.csp_violations
    page.csp_violations.clear()  # seen; the fixture's own check would fail the test otherwise


def test_wagtail_admin_works_under_its_policy_and_locks_out_after_wrong_passwords(
    live_server, desktop_page, home_page, django_user_model
):
    """The admin's relaxed policy is enough for the dashboard and the page editor (no violation reported),
    and the admin login is throttled like the site's."""
    django_user_model.objects.create_superuser("editor", "editor@example.cn", "Editor-pass-2024")
    page = desktop_page
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill("editor")
    page.locator("#id_password").fill("Editor-pass-2024")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/admin/")
    page.goto(live_server.url + f"/admin/pages/{home_page.pk}/edit/")
    page.locator("#id_title").wait_for()
    page.goto(live_server.url + f"/admin/pages/{home_page.pk}/")
    page.locator("main").wait_for()
    assert page.csp_violations == []

    other = page.context.browser.new_context()
    try:
        guesser = other.new_page()
        for _ in range(5):
            guesser.goto(live_server.url + "/admin/login/")
            guesser.locator("#id_username").fill("editor")
            guesser.locator("#id_password").fill("wrong")
            response_future = guesser.locator("form button[type=submit]").first
            with guesser.expect_response(lambda r: r.request.method == "POST") as posted:
                response_future.click()
        assert posted.value.status == 429 and posted.value.headers["retry-after"] == "900"
        assert "登录尝试次数过多" in guesser.content()
    finally:
        other.close()
