"""One sign-in for every role: the identifier backend, login redirects (walked from the URLconf), `next`,
password reset by e-mail (Django's token) and by SMS code, and password-validator messages in Chinese."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cms.accounts import sms_codes
from cms.accounts.forms import SignupForm
from cms.models import SmsCode

# SMS go out at once here: the `outbox` fixture (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbox")]

PASSWORD = "Shanhai-pass-2024"


@pytest.fixture
def users(django_user_model):
    return {
        "door": django_user_model.objects.create_user("checkin", "", PASSWORD),
        "canteen": django_user_model.objects.create_user("canteen-prov-buyer", "buyer@unit.example.cn", PASSWORD),
        "phone": django_user_model.objects.create_user("13900139000", "", PASSWORD),
        "mail": django_user_model.objects.create_user("coop@example.cn", "coop@example.cn", PASSWORD),
    }


# -- the backend ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "identifier, who",
    [
        ("checkin", "door"),
        ("canteen-prov-buyer", "canteen"),
        ("buyer@unit.example.cn", "canteen"),  # a username account found by its e-mail
        ("BUYER@Unit.example.cn", "canteen"),
        ("13900139000", "phone"),
        ("+86 139-0013-9000", "phone"),
        ("coop@example.cn", "mail"),
    ],
)
def test_backend_resolves_username_mobile_and_e_mail(users, identifier, who):
    assert authenticate(None, username=identifier, password=PASSWORD) == users[who]


def test_backend_refuses_wrong_password_unknown_and_inactive(users, monkeypatch):
    assert authenticate(None, username="checkin", password="wrong") is None
    users["door"].is_active = False
    users["door"].save()
    assert authenticate(None, username="checkin", password=PASSWORD) is None
    # Constant time: an unknown identifier still runs the password hasher once.
    calls = []
    from django.contrib.auth.base_user import AbstractBaseUser

    original = AbstractBaseUser.set_password
    monkeypatch.setattr(AbstractBaseUser, "set_password", lambda self, raw: calls.append(raw) or original(self, raw))
    assert authenticate(None, username="nobody", password=PASSWORD) is None
    assert calls == [PASSWORD]


def test_login_page_accepts_a_username_and_says_why_it_refuses(client, home_page, users):
    response = client.post(reverse("login"), {"identifier": "checkin", "password": PASSWORD})
    assert response.status_code == 302 and response.wsgi_request.user == users["door"]
    client.post(reverse("logout"))
    response = client.post(reverse("login"), {"identifier": "checkin", "password": "wrong"})
    assert response.status_code == 200 and "不匹配" in response.content.decode()
    users["door"].is_active = False
    users["door"].save()
    response = client.post(reverse("login"), {"identifier": "checkin", "password": PASSWORD})
    assert response.status_code == 200 and "停用" in response.content.decode()  # Django's "This account is inactive."


def test_wagtail_admin_login_takes_a_mobile_number_too(client, home_page, django_user_model):
    staff = django_user_model.objects.create_superuser("13700137000", "", PASSWORD)
    response = client.post("/admin/login/", {"username": "137 0013 7000", "password": PASSWORD})
    assert response.status_code == 302 and response.wsgi_request.user == staff


# -- password reset by e-mail ------------------------------------------------------------------------------


def test_reset_by_e_mail_link_works_once(client, home_page, users):
    response = client.post(reverse("password_reset"), {"email": "COOP@example.cn"})
    assert response["Location"] == reverse("password_reset_done")
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.cn"})
    assert unknown["Location"] == reverse("password_reset_done")  # the same answer: nothing is revealed
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["coop@example.cn"]
    link = re.search(r"https?://[^/]+(/password-reset/[^/]+/[^/]+/)", mail.outbox[0].body).group(1)
    set_password_page = client.get(link, follow=True)
    assert set_password_page.context["validlink"]
    form_url = set_password_page.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "Fresh-pass-2025", "new_password2": "Fresh-pass-2025"})
    assert response["Location"] == reverse("password_reset_complete")
    assert authenticate(None, username="coop@example.cn", password="Fresh-pass-2025") == users["mail"]
    again = client.get(link, follow=True)
    assert not again.context["validlink"] and "data-reset-invalid" in again.content.decode()


# -- password reset by SMS code ----------------------------------------------------------------------------


def _ask_code(client, phone="13900139000"):
    return client.post(reverse("password_reset"), {"email": phone})


def _reset(client, code, password="Fresh-pass-2025"):
    return client.post(
        reverse("password_reset_sms"), {"code": code, "new_password1": password, "new_password2": password}
    )


def test_reset_by_sms_code(client, home_page, users, outbox):
    response = _ask_code(client, "139 0013 9000")
    assert response["Location"] == reverse("password_reset_sms")
    assert [(m.phone, m.template) for m in outbox] == [("13900139000", "password_reset_code")]
    code = outbox[0].params["code"]
    assert re.fullmatch(r"\d{6}", code) and code in outbox[0].text
    assert code not in str(SmsCode.objects.values_list("code_hash", flat=True)[0])  # stored hashed
    page = client.get(reverse("password_reset_sms")).content.decode()
    assert "139****9000" in page and 'autocomplete="one-time-code"' in page
    response = _reset(client, code)
    assert response["Location"] == reverse("login")
    assert authenticate(None, username="13900139000", password="Fresh-pass-2025") == users["phone"]


def test_reset_by_sms_refuses_a_wrong_code_and_counts_it(client, home_page, users, outbox):
    _ask_code(client)
    code = outbox[0].params["code"]
    wrong = "000000" if code != "000000" else "111111"
    response = _reset(client, wrong)
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert SmsCode.objects.get().failed_attempts == 1
    users["phone"].refresh_from_db()
    assert users["phone"].check_password(PASSWORD)  # nothing changed
    for _ in range(4):
        response = _reset(client, wrong)
    assert "错误次数过多" in response.content.decode()
    response = _reset(client, code)  # even the right code no longer works after five wrong ones
    assert "错误次数过多" in response.content.decode()
    users["phone"].refresh_from_db()
    assert users["phone"].check_password(PASSWORD)


def test_reset_by_sms_refuses_an_expired_code(client, home_page, users, outbox):
    _ask_code(client)
    SmsCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _reset(client, outbox[0].params["code"])
    assert response.status_code == 200 and "已过期" in response.content.decode()
    users["phone"].refresh_from_db()
    assert users["phone"].check_password(PASSWORD)


def test_reset_by_sms_limits_codes_per_number(client, home_page, users, outbox):
    assert _ask_code(client).status_code == 302
    again = _ask_code(client)  # within the 60 s gap: told to wait, nothing sent
    assert len(outbox) == 1
    assert "稍等" in client.get(again["Location"]).content.decode()
    SmsCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    for _ in range(4):
        assert _ask_code(client).status_code == 302
        SmsCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    assert len(outbox) == 5
    response = _ask_code(client)
    assert response.status_code == 200 and "太多" in response.content.decode()
    assert len(outbox) == 5


def test_reset_page_answers_alike_for_a_number_without_account(client, home_page, users, outbox):
    known, unknown = _ask_code(client, "13900139000"), _ask_code(Client(), "13600136000")
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert [m.phone for m in outbox] == ["13900139000"]  # nothing is sent to a number without an account


def test_a_code_for_another_purpose_is_refused(client, home_page, users, outbox):
    sms_codes.send_code("13900139000", "find_ticket", template="find_ticket_code", text="{code}")
    code = outbox[0].params["code"]
    session = client.session
    session["password_reset_phone"] = "13900139000"
    session.save()
    response = _reset(client, code)
    assert response.status_code == 200 and "password_reset_sms" not in response.get("Location", "")
    users["phone"].refresh_from_db()
    assert users["phone"].check_password(PASSWORD)


# -- forms: the mobile field and password-validator messages in the page's language ---------------------------


def test_signup_mobile_field_opens_the_number_pad(client, home_page):
    html = client.get(reverse("signup")).content.decode()
    field = re.search(r"<input[^>]*name=\"mobile\"[^>]*>", html).group(0)
    assert 'type="tel"' in field and 'inputmode="numeric"' in field and 'autocomplete="tel"' in field


@pytest.mark.parametrize(
    "url, expected",
    [("/signup/", "密码长度太短。密码必须包含至少 8 个字符。"), ("/en/signup/", "This password is too short.")],
)
def test_password_validator_messages_speak_the_page_language(client, home_page, url, expected):
    response = client.post(url, {"mobile": "13800138000", "password1": "Ab1!", "password2": "Ab1!"})
    assert response.status_code == 200 and expected in response.content.decode()
    assert not get_user_model().objects.exists()


def test_signup_with_mobile_and_e_mail_signs_in_with_either(client, home_page):
    form = SignupForm(
        {
            "mobile": "13800138000",
            "email": "Zhang@Example.cn",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent": "on",
        }
    )
    assert form.is_valid(), form.errors
    user = form.save()
    assert (user.username, user.email) == ("13800138000", "zhang@example.cn")
    assert authenticate(None, username="zhang@example.cn", password=PASSWORD) == user
    assert not SignupForm({"password1": PASSWORD, "password2": PASSWORD}).is_valid()
