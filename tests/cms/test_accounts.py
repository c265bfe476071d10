"""Buyers' accounts: sign up and log in with a mobile number or an e-mail, profile, logout."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_language():
    """A request to /en/… leaves English active in this thread (LocaleMiddleware); put Chinese back after."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


PASSWORD = "Shanhai-pass-2024"


def signup(client, identifier, password=PASSWORD, password2=None, **extra):
    field = "email" if "@" in identifier else "mobile"
    return client.post(
        reverse("signup"),
        {field: identifier, "password1": password, "password2": password2 or password, "consent": "on", **extra},
    )


def logged_in_user(client):
    return client.get(reverse("account_profile")).context["user"]


def test_signup_with_a_mobile_number(client, home_page):
    response = signup(client, "+86 138 0013 8000", name="张三")
    assert response.status_code == 302 and response["Location"] == reverse("login")
    user = get_user_model().objects.get()
    assert (user.username, user.email, user.first_name) == ("13800138000", "", "张三")
    assert user.check_password(PASSWORD)
    # Not logged in by signup (that would tell an existing account from a new one): log in next.
    response = client.post(reverse("login"), {"identifier": "13800138000", "password": PASSWORD})
    assert logged_in_user(client) == user


def test_signup_with_an_e_mail(client, home_page):
    response = signup(client, "Li.Si@Example.cn")
    assert response.status_code == 302
    user = get_user_model().objects.get()
    assert (user.username, user.email) == ("li.si@example.cn", "li.si@example.cn")


@pytest.mark.parametrize("bad", ["12800138000", "1380013800", "138001380001", "abc"])
def test_bad_phone_is_refused_with_a_message(client, home_page, bad):
    response = signup(client, bad)
    assert response.status_code == 200
    assert "13812345678" in response.content.decode()  # the message shows what a valid number looks like
    assert not get_user_model().objects.exists()


def test_duplicate_and_mismatched_passwords_are_refused(client, home_page):
    get_user_model().objects.create_user("13800138000", "", PASSWORD)
    response = signup(client, "13800138000")  # the same answer as for a new number: see test_login_throttle
    assert response.status_code == 302
    response = signup(client, "new@example.cn", password2="Other-pass-2024")
    assert response.status_code == 200 and response.context["form"].errors["password2"]
    response = signup(client, "new@example.cn", password="123")
    assert response.status_code == 200 and response.context["form"].errors["password1"]
    assert get_user_model().objects.count() == 1


def test_login_with_phone_or_e_mail(client, home_page):
    User = get_user_model()
    phone_user = User.objects.create_user("13900139000", "", PASSWORD)
    # A vendor's account made by the application form: username = e-mail.
    mail_user = User.objects.create_user("coop@example.cn", "coop@example.cn", PASSWORD)

    response = client.post(reverse("login"), {"identifier": "139 0013 9000", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("account")
    assert logged_in_user(client) == phone_user
    client.post(reverse("logout"))
    assert client.get(reverse("account"))["Location"].startswith(reverse("login"))

    response = client.post(reverse("login"), {"identifier": "COOP@example.cn", "password": PASSWORD, "next": "/cart/"})
    assert response["Location"] == "/cart/"
    assert logged_in_user(client) == mail_user


def test_wrong_password_and_unsafe_next(client, home_page):
    get_user_model().objects.create_user("13900139000", "", PASSWORD)
    response = client.post(reverse("login"), {"identifier": "13900139000", "password": "wrong"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    response = client.post(
        reverse("login"), {"identifier": "13900139000", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("account")


def test_profile_edit(client, home_page):
    user = get_user_model().objects.create_user("13900139000", "", PASSWORD)
    get_user_model().objects.create_user("taken@example.cn", "taken@example.cn", PASSWORD)
    client.force_login(user)
    response = client.post(reverse("account_profile"), {"first_name": "王五", "email": "taken@example.cn"})
    assert response.status_code == 200 and response.context["form"].errors["email"]
    client.post(reverse("account_profile"), {"first_name": "王五", "email": "wang@example.cn"})
    user.refresh_from_db()
    assert (user.first_name, user.email) == ("王五", "wang@example.cn")


def test_english_pages_and_header_link(client, home_page):
    response = client.get("/en/login/")
    assert response.status_code == 200
    assert 'href="/en/login/"' in response.content.decode()
    assert "Log in" in response.content.decode()
