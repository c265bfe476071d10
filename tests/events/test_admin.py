"""The organiser's admin views: review applications, bulk stalls, stats and exhibitor export."""

import pytest

from events.models import StallApplication, StallBooking
from events.stalls import services
from tests.factories import stall

pytestmark = pytest.mark.django_db


def test_review_bulk_stalls_and_export(client, fair, vendor_user, organiser):
    (v1, u1), (v2, u2) = vendor_user("甲"), vendor_user("乙")
    a1 = services.apply(fair=fair, vendor=v1, user=u1, request=services.ApplicationRequest(needs_power=True))
    a2 = services.apply(fair=fair, vendor=v2, user=u2, request=services.ApplicationRequest())
    client.force_login(organiser)
    url = f"/admin/fairs/{fair.pk}/"
    assert client.get("/admin/fairs/").status_code == 200
    assert client.get(url).status_code == 200
    client.post(url, {"action": "approve", "application": a1.pk, "stall": stall(fair, "A01").pk})
    client.post(url, {"action": "reject", "application": a2.pk, "reason": ""})
    a2.refresh_from_db()
    assert a2.status == StallApplication.Status.SUBMITTED  # a reason is required
    client.post(url, {"action": "reject", "application": a2.pk, "reason": "不符合要求"})
    a2.refresh_from_db()
    assert a2.status == StallApplication.Status.REJECTED
    assert StallBooking.objects.get().stall.code == "A01"
    client.post(
        url,
        {
            "action": "stalls",
            "prefix": "B",
            "first": 1,
            "last": 20,
            "stall_type": fair.stall_types.first().pk,
            "x": 0,
            "y": 20,
            "width": 3,
            "height": 3,
            "gap": 0,
        },
    )
    assert fair.stalls.filter(code__startswith="B").count() == 20
    csv_body = client.get(f"/admin/fairs/{fair.pk}/exhibitors.csv").content.decode("utf-8-sig")
    assert "A01" in csv_body and "甲" in csv_body and "power" in csv_body.lower() or "电" in csv_body
    xlsx = client.get(f"/admin/fairs/{fair.pk}/exhibitors.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_non_staff_cannot_review(client, fair, vendor_user):
    _vendor, user = vendor_user()
    client.force_login(user)
    assert client.get(f"/admin/fairs/{fair.pk}/").status_code in (302, 403)
