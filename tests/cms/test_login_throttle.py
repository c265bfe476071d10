"""Login throttling (django-axes) on every password login, and a signup that does not reveal accounts."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import translation

from cms import sms

pytestmark = pytest.mark.django_db

PASSWORD = "Shanhai-pass-2024"
LOGINS = {
    "site": ("/login/", "identifier"),
    "wagtail": ("/admin/login/", "username"),
    "django": ("/django-admin/login/", "username"),
}


@pytest.fixture(autouse=True)
def default_language():
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


def attempt(client, which, username, password, ip="10.0.0.1"):
    url, field = LOGINS[which]
    return client.post(url, {field: username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("which", LOGINS)
def test_five_wrong_passwords_lock_the_account(client, home_page, which):
    get_user_model().objects.create_user("13900139000", "", PASSWORD, is_staff=True, is_superuser=True)
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, which, "13900139000", "wrong").status_code == 200
    locked = attempt(client, which, "13900139000", "wrong")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    assert "登录" in locked.content.decode() and "15" in locked.content.decode()
    # Now even the right password is refused, from another address too, and nobody is logged in.
    again = attempt(client, which, "13900139000", PASSWORD, ip="10.0.0.2")
    assert again.status_code == 429 and "_auth_user_id" not in client.session


def test_lockout_page_in_english(client, home_page):
    get_user_model().objects.create_user("13900139000", "", PASSWORD)
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        response = client.post("/en/login/", {"identifier": "13900139000", "password": "wrong"})
    assert response.status_code == 429
    assert "Too many login attempts" in response.content.decode()


def test_one_address_guessing_many_accounts_is_locked(client, home_page):
    """Per IP on its own: unknown accounts count too (and the password hasher runs for them)."""
    for number in range(django_settings.AXES_FAILURE_LIMIT):
        response = attempt(client, "site", f"1390013900{number}", "wrong")
    assert response.status_code == 429
    get_user_model().objects.create_user("13800138000", "", PASSWORD)
    assert attempt(client, "site", "13800138000", PASSWORD).status_code == 429
    assert attempt(client, "site", "13800138000", PASSWORD, ip="10.0.0.9").status_code == 302


def test_success_resets_the_count(client, home_page):
    get_user_model().objects.create_user("13900139000", "", PASSWORD)
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "site", "13900139000", "wrong")
    assert attempt(client, "site", "13900139000", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    assert not AccessAttempt.objects.filter(username="13900139000").exists()
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "site", "13900139000", "wrong").status_code == 200


def test_counts_live_in_the_database_shared_by_every_host(client, home_page):
    get_user_model().objects.create_user("13900139000", "", PASSWORD)
    attempt(client, "site", "13900139000", "wrong")
    assert AccessAttempt.objects.get(username="13900139000").failures_since_start == 1
    assert django_settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"


def signup(client, identifier, **extra):
    field = "email" if "@" in identifier else "mobile"
    return client.post(
        reverse("signup"), {field: identifier, "password1": PASSWORD, "password2": PASSWORD, "consent": "on", **extra}
    )


@pytest.mark.parametrize("identifier", ["13900139000", "owner@example.cn"])
def test_signup_answers_the_same_whether_or_not_the_account_exists(
    client, home_page, identifier, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "cms.sms.backends.MemoryBackend"
    sms.outbox.clear()
    User = get_user_model()
    owner = User.objects.create_user(identifier, identifier if "@" in identifier else "", "Owner-pass-2024")
    with django_capture_on_commit_callbacks(execute=True):
        existing = signup(client, identifier)
    new = signup(client, "13800138000" if "@" not in identifier else "new@example.cn")
    assert existing.status_code == new.status_code == 302
    assert existing["Location"] == new["Location"] == reverse("login")
    page_existing = client.get(existing["Location"]).content.decode()
    assert "如果" in page_existing
    owner.refresh_from_db()
    assert owner.check_password("Owner-pass-2024")  # unchanged
    assert User.objects.count() == 2
    if "@" in identifier:
        assert [m.to for m in mail.outbox] == [[identifier]]
    else:
        assert [m.phone for m in sms.outbox] == [identifier]


def test_spelling_a_number_differently_buys_no_extra_guesses(client, home_page):
    get_user_model().objects.create_user("13900139000", "", PASSWORD)
    spellings = ["13900139000", "+86 139 0013 9000", "139-0013-9000", "0086 13900139000", "+8613900139000"]
    for number, spelling in enumerate(spellings):
        response = attempt(client, "site", spelling, "wrong", ip=f"10.0.1.{number}")  # a new address each time
    assert response.status_code == 429
    assert attempt(client, "site", "13900139000", PASSWORD, ip="10.0.2.1").status_code == 429
