"""The fairs' routes that are not pages (events/urls.py): the paths they had as page sub-routes, and the fair
page's own view restrictions and publication still guarding them."""

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.models import PageViewRestriction

pytestmark = pytest.mark.django_db


def test_the_routes_keep_their_paths(fair):
    assert reverse("fair_registration", args=["k"]) == "/fairs/registration/k/"
    assert reverse("fair_checkin_code", args=["C"]) == "/fairs/checkin/C/"
    assert reverse("fair_my_stalls") == "/fairs/mine/"
    assert reverse("fair_register", args=[fair.slug]) == fair.url + "register/"
    with translation.override("en"):
        assert reverse("fair_find_ticket") == "/en/fairs/find-ticket/"


def test_a_fairs_forms_follow_its_view_restrictions(client, fair):
    assert client.get(fair.url + "register/").status_code == 200
    PageViewRestriction.objects.create(page=fair, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(fair.url + "register/")
    assert response.status_code == 302 and "next=" in response["Location"]
    assert client.get(fair.url + "ical/").status_code == 302


def test_an_unpublished_or_unknown_fair_has_no_forms(client, fair):
    url = fair.url + "register/"
    fair.unpublish()
    assert client.get(url).status_code == 404
    assert client.get("/fairs/no-such-fair/register/").status_code == 404
