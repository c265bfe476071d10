"""Token and session authentication for /api/, the token model and the create_api_token command."""

import hashlib
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cms.models import ApiToken
from tests.support.api import bearer_client, order_body, post_json

pytestmark = pytest.mark.django_db


def test_no_token_is_401_with_a_json_error(home_page):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/orders/")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthorized"
    assert "Authorization: Bearer" in body["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer shm_not-a-real-token", "Bearer ", "Token abc", "Basic YTpi"])
def test_bad_token_is_401(home_page, token, header):
    response = Client(HTTP_AUTHORIZATION=header).get("/api/orders/")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_good_token_is_200_and_marks_the_token_used(home_page, api, buyer):
    assert ApiToken.objects.get(user=buyer).last_used_at is None
    response = api.get("/api/orders/")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "page": 1, "page_size": 20, "pages": 1, "next_page": None, "items": []}
    assert ApiToken.objects.get(user=buyer).last_used_at is not None


def test_revoked_token_is_401(home_page, token, buyer):
    ApiToken.objects.get(user=buyer).revoke()
    response = bearer_client(token).get("/api/orders/")
    assert response.status_code == 401


def test_inactive_user_token_is_401(home_page, token, buyer):
    buyer.is_active = False
    buyer.save()
    assert bearer_client(token).get("/api/orders/").status_code == 401


def test_a_bad_token_does_not_fall_back_to_the_session(home_page, buyer):
    client = Client(HTTP_AUTHORIZATION="Bearer shm_wrong")
    client.force_login(buyer)
    assert client.get("/api/orders/").status_code == 401


def test_session_login_works_for_get(home_page, buyer):
    client = Client()
    client.force_login(buyer)
    response = client.get("/api/cart/")
    assert response.status_code == 200
    assert response.json()["lines"] == []


def test_session_post_needs_the_csrf_token_but_a_token_post_does_not(home_page, buyer, shop, token):
    from marketplace.checkout.models import Order

    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)
    response = post_json(client, "/api/orders/", order_body((shop["cake"], 1)))
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not Order.objects.exists()
    # With the CSRF cookie and header, as the site's own JavaScript would send them.
    client.get("/api/docs")
    csrf = client.cookies["csrftoken"].value
    response = post_json(client, "/api/orders/", order_body((shop["cake"], 1)), HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201, response.json()
    token_client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert post_json(token_client, "/api/orders/", order_body((shop["cake"], 1))).status_code == 201
    assert Order.objects.count() == 2


def test_only_the_hash_of_the_secret_is_stored(buyer):
    token, secret = ApiToken.issue(buyer, "phone")
    token.refresh_from_db()
    assert secret.startswith("shm_") and len(secret) > 40
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.key_prefix == secret[:12]
    stored = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert secret not in stored
    assert ApiToken.find_active(secret) == token
    assert ApiToken.find_active(secret + "x") is None


def test_create_api_token_command_prints_a_working_token(home_page, buyer):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "buyer", "--name", "mini-program", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    token = ApiToken.objects.get(user=buyer)
    assert token.name == "mini-program"
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.key_prefix, token.key_hash}
    assert secret not in err.getvalue()
    assert bearer_client(secret).get("/api/orders/").status_code == 200


def test_create_api_token_command_refuses_an_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()


def test_account_page_creates_shows_once_and_revokes_tokens(home_page, buyer):
    client = Client()
    client.force_login(buyer)
    response = client.post("/en/account/api-tokens/new/", {"name": "my phone"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=buyer)
    html = response.content.decode()
    secret = html.split("data-api-token>")[1].split("<")[0]
    assert secret.startswith(token.key_prefix)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert bearer_client(secret).get("/api/cart/").status_code == 200
    # The account page lists it by its prefix, never the secret.
    account = client.get("/en/account/")
    assert account.status_code == 200
    page = account.content.decode()
    assert token.key_prefix in page and secret not in page
    # Someone else cannot revoke it.
    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.create_user("stranger", "s@example.cn", "pw")
    other = Client()
    other.force_login(stranger)
    assert other.post(f"/en/account/api-tokens/{token.pk}/revoke/").status_code == 404
    assert client.get(f"/en/account/api-tokens/{token.pk}/revoke/").status_code == 405
    response = client.post(f"/en/account/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_at <= timezone.now()
    assert bearer_client(secret).get("/api/cart/").status_code == 401
    assert token.key_prefix not in client.get("/en/account/").content.decode()


def test_token_pages_need_login(home_page):
    response = Client().post("/en/account/api-tokens/new/", {"name": "x"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not ApiToken.objects.exists()


# Bearer calls take the short way (cms.middleware.BearerApiMiddleware); ids beyond 64 bits on it: tests/hardening.
def test_a_bearer_call_to_an_unknown_api_path_is_a_json_404(home_page, api):
    response = api.get("/api/nope/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


def test_the_wagtail_content_api_still_goes_through_the_whole_stack(home_page, api):
    response = api.get("/api/v2/pages/")
    assert response.status_code == 200 and hasattr(response.wsgi_request, "_wagtail_site")
