"""Query budgets of the fairs' personal pages: a vendor's "my stalls", a visitor's ticket page and door staff's
check-in page. Counted on a warm request with a little data and again with much more: the count is fixed."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from events.models import FairPage, TicketType
from events.registration import services as ticketing
from events.registration.tickets import manage_path
from events.stalls import services
from tests.factories import stall
from tests.support.queries import warm_count

pytestmark = pytest.mark.django_db

# Each signed-in page includes the session and the user (2); the ticket page is reached by its private link.
# Ordinary Django URLs (events/urls.py) since the arch branch: no walk down the page tree.
# The header's links come from the reader's entry in cms.personal_cache (no query on a warm request).
BUDGETS = {"my stalls": 6, "ticket": 4, "check-in": 8}


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_vendor_visitor_and_door_pages_cost_the_same_with_little_and_much(make_fair, vendor_user, django_user_model):
    today = timezone.localdate()
    fair = make_fair(booking_mode=FairPage.Booking.SELF, start_date=today, end_date=today + timedelta(days=1))
    vendor, user = vendor_user()
    services.self_book(fair=fair, vendor=vendor, user=user, stall=stall(fair, "A01"))
    ticket = TicketType.objects.create(fair=fair, name="普通票", price=Decimal("0"), capacity=100, per_person_limit=4)
    (slot,) = ticketing.create_slots(fair=fair, days=[today], times=[(time(0), time(23, 59))], capacity=50)
    door = django_user_model.objects.create_user("door", "", "pw")
    ticketing.grant_checkin_role(fair, door)

    def register(phone, people=1):
        request = ticketing.RegistrationRequest(ticket, "张三", phone, people, slot)
        return ticketing.register(fair=fair, request=request)

    registration = register("13800138000")
    index = fair.get_parent().specific
    vendor_client, door_client, visitor = signed_in(user), signed_in(door), Client()
    paths = {
        "my stalls": (vendor_client, index.url + "mine/"),
        "ticket": (visitor, manage_path(registration)),
        "check-in": (door_client, fair.url + "checkin/"),
    }
    few = {name: warm_count(client, path) for name, (client, path) in paths.items()}

    for i in range(3):  # the vendor's stalls at more fairs, and other vendors at this one
        other = make_fair(f"第{i + 2}届展销会", booking_mode=FairPage.Booking.SELF)
        services.self_book(fair=other, vendor=vendor, user=user, stall=stall(other, "A01"))
        neighbour, neighbour_user = vendor_user(f"开化商家{i}")
        services.self_book(fair=fair, vendor=neighbour, user=neighbour_user, stall=stall(fair, f"A0{i + 2}"))
    for i in range(8):
        register(f"1390013{i:04d}", people=3)
    many = {name: warm_count(client, path) for name, (client, path) in paths.items()}

    assert few == many == BUDGETS, (few, many)


def test_the_ticket_page_reads_each_visitors_own_registration_with_its_query_compiled_once(make_fair):
    from events.registration import views

    today = timezone.localdate()
    fair = make_fair(start_date=today, end_date=today + timedelta(days=1))
    ticket = TicketType.objects.create(fair=fair, name="普通票", price=Decimal("0"), capacity=100, per_person_limit=4)
    (slot,) = ticketing.create_slots(fair=fair, days=[today], times=[(time(0), time(23, 59))], capacity=50)
    first, second = (
        ticketing.register(fair=fair, request=ticketing.RegistrationRequest(ticket, name, phone, 1, slot))
        for name, phone in (("张三", "13800138000"), ("李四", "13900139000"))
    )
    views._registration_query.cache_clear()
    for registration, name, other in ((first, "张三", "李四"), (second, "李四", "张三")):
        html = Client().get(manage_path(registration)).content.decode()
        assert name in html and other not in html
    assert views._registration_query.cache_info().currsize == 1
    assert Client().get(manage_path(first).replace(first.manage_key, "x" * 32)).status_code == 404
