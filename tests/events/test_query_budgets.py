"""Query budgets for the fair page and its stall-map JSON: fixed, whatever the number of stalls and bookings."""

import pytest

from events.models import FairPage
from events.stalls import services
from events.stalls.services import create_stall_row
from tests.factories import stall
from tests.support.queries import warm_count

pytestmark = pytest.mark.django_db

FAIR_PAGE_QUERIES = 17
STALLS_JSON_QUERIES = 5


def test_fair_page_and_stall_map_cost_the_same_with_5_and_45_stalls(client, make_fair, vendor_user):
    fair = make_fair(booking_mode=FairPage.Booking.SELF)
    vendor, user = vendor_user()
    services.self_book(fair=fair, vendor=vendor, user=user, stall=stall(fair, "A02"))
    paths = {"fair": fair.url, "stalls": f"/api/fairs/{fair.pk}/stalls/"}
    few = {name: warm_count(client, path) for name, path in paths.items()}

    create_stall_row(
        fair=fair, prefix="B", first=1, last=40, stall_type=fair.stall_types.first(), zone=fair.zones.first(), x=5, y=40
    )
    for i in range(3):
        other, other_user = vendor_user(f"开化商家{i}")
        services.self_book(fair=fair, vendor=other, user=other_user, stall=stall(fair, f"B{i + 1:02d}"))
    many = {name: warm_count(client, path) for name, path in paths.items()}

    assert many == few
    assert many == {"fair": FAIR_PAGE_QUERIES, "stalls": STALLS_JSON_QUERIES}
