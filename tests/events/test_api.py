"""The fairs in the JSON API (/api/fairs/…) and in Wagtail's API v2."""

import pytest

from events.models import FairPage, StallBooking
from tests.factories import stall

pytestmark = pytest.mark.django_db


def test_stall_map_json(client, fair):
    data = client.get(f"/api/fairs/{fair.pk}/stalls/").json()
    assert data["fair"] == fair.pk and len(data["stalls"]) == 5
    first = data["stalls"][0]
    assert first["code"] == "A01" and first["state"] == "available" and first["price"] == "800.00"
    assert client.get("/api/fairs/999999/stalls/").status_code == 404


def test_post_stall_booking_and_409_when_taken(client, make_fair, vendor_user, django_user_model):
    fair = make_fair(booking_mode=FairPage.Booking.SELF)
    (_v1, u1), (_v2, u2) = vendor_user("甲"), vendor_user("乙")
    url = f"/api/fairs/{fair.pk}/stall-bookings/"
    a01 = stall(fair, "A01").pk
    client.force_login(u1)
    response = client.post(url, {"stall": a01}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stall"] == "A01" and body["status"] == "held" and body["order"]["total"] == "800.00"
    client.force_login(u2)
    response = client.post(url, {"stall": a01}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "stall_taken"
    buyer = django_user_model.objects.create_user("13800138000", "", "pw")
    client.force_login(buyer)
    response = client.post(url, {"stall": stall(fair, "A02").pk}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "not_vendor"
    assert StallBooking.objects.count() == 1


def test_wagtail_api_v2_fairs(client, fair):
    data = client.get("/api/v2/pages/?type=events.FairPage&fields=venue,start_date,stall_types_info,county_info").json()
    assert data["meta"]["total_count"] == 1
    item = data["items"][0]
    assert item["venue"] == fair.venue and item["stall_types_info"][0]["price"] == "800.00"
