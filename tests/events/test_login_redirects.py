"""Every page that needs a login sends a logged-out visitor to /login/?next=… (/en/login/ in English) and back
after login; no login redirect ends on a 404. The pages are walked from the URLconf and the fair pages' routes."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PASSWORD = "Shanhai-pass-2024"


# -- every page that needs a login sends a logged-out visitor to /login/ and back -------------------------


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _fill(route):
    """A concrete path from a route: <int:…> → 1, other converters → "x"."""
    route = re.sub(r"<int:[^>]+>", "1", route)
    return "/" + re.sub(r"<(?:\w+:)?\w+>", "x", route).lstrip("^").rstrip("$")


# Not people's pages: the admins, files, APIs, webhooks, health checks, the challenge's pictures. Private files
# (private-media/) ask for a login in any language; tests/canteen/test_private_media.py covers that redirect.
SKIP_PREFIXES = (
    "admin/",
    "django-admin/",
    "documents/",
    "private-media/",
    "api/",
    "stripe/",
    "sitemap",
    "robots",
    "healthz",
    "captcha/",
)


def _people_pages():
    """Every people's page of the root URLconf (the language-prefixed part), filled with dummy arguments."""
    resolver = get_resolver()
    paths = []
    for route, _entry in _walk(resolver.url_patterns):
        route = route.replace("^", "")
        if route.startswith(SKIP_PREFIXES) or "(?P<path>" in route or route in ("", "^"):
            continue
        paths.append(_fill(route))
    return sorted(set(paths))


def _fair_routes(fair):
    """The fair index's and a fair page's own routes (Wagtail routable pages) that need a login."""
    index = fair.get_parent().specific
    return [
        index.url + "mine/",
        index.url + "pass/x/",
        index.url + "checkin/some-ticket-code/",
        fair.url + "apply/",
        fair.url + "book/1/",
        fair.url + "checkin/",
        fair.url + "registrations/",
    ]


def _assert_login_redirects_answer(client, paths, login_path):
    redirected = []
    for path in paths:
        response = client.get(path)
        if response.status_code == 405:
            response = client.post(path)
        if response.status_code in (301, 302) and "?next=" in response["Location"]:
            target = response["Location"]
            assert target.startswith(login_path + "?next="), (path, target)
            assert client.get(target).status_code == 200, (path, target)
            redirected.append(path)
    return redirected


@pytest.mark.parametrize("language, login_path", [("zh-hans", "/login/"), ("en", "/en/login/")])
def test_every_login_redirect_lands_on_a_page_that_answers(client, make_fair, language, login_path):
    fair = make_fair()
    with translation.override(language):
        prefix = "/en" if language == "en" else ""
        people = _people_pages()  # the resolver's language prefix is "en/" while English is active
        fair_paths = _fair_routes(fair)
    assert all(path.startswith(prefix + "/") for path in people + fair_paths)
    redirected = _assert_login_redirects_answer(client, people + fair_paths, login_path)
    # The walk is not vacuous: these pages all asked for a login.
    expected = {
        "/account/",
        "/account/profile/",
        "/checkout/",
        "/orders/",
        "/canteen/1/",
        "/canteen/orders/x/approve/",
        "/account/api-tokens/new/",
    }
    assert {prefix + path for path in expected} <= set(redirected)
    assert set(fair_paths) <= set(redirected)


def test_next_brings_the_visitor_back_and_only_to_this_site(client, make_fair, django_user_model):
    django_user_model.objects.create_user("checkin", "", PASSWORD)
    fair = make_fair()
    target = fair.url + "checkin/"
    response = client.get(target)
    assert response["Location"] == f"/login/?next={target}"
    login_page = client.get(response["Location"]).content.decode()
    assert f'name="next" value="{target}"' in login_page
    response = client.post(reverse("login"), {"identifier": "checkin", "password": PASSWORD, "next": target})
    assert response["Location"] == target
    client.post(reverse("logout"))
    for unsafe in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post(reverse("login"), {"identifier": "checkin", "password": PASSWORD, "next": unsafe})
        assert response["Location"] == reverse("account"), unsafe
        client.post(reverse("logout"))
