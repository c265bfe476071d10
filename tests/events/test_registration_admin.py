"""Visitor registration set-up in the Wagtail admin: ticket types and time slots per fair, time slots in bulk
through ticketing.create_slots, check-in roles granted and revoked through the services, and the link from the
admin fair overview to the organiser report."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.models import PageLogEntry

from events.models import CheckInStaff, TicketType, TimeSlot
from events.registration import services as ticketing
from events.registration.admin import parse_time_ranges

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, organiser):
    client.force_login(organiser)
    return client


def test_ticket_types_create_edit_filter_and_capacity_floor(admin_client, make_fair):
    fair, other = make_fair(stalls=0), make_fair("另一场展会", stalls=0)
    response = admin_client.post(
        "/admin/fair_ticket_types/new/",
        {
            "fair": fair.pk,
            "name": "普通入场",
            "price": "0",
            "capacity": "500",
            "per_person_limit": "4",
            "audience": "public",
            "requires_slot": "on",
            "entries_per_day": "1",
            "registrations_per_phone": "1",
            "waitlist": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    general = TicketType.objects.get(fair=fair, name="普通入场")
    assert (general.capacity, general.price, general.confirmed, general.held) == (500, 0, 0, 0)
    TicketType.objects.create(fair=other, name="品鉴专场", price=Decimal("88"), capacity=40)

    html = admin_client.get(f"/admin/fair_ticket_types/?fair={fair.pk}").content.decode()
    assert "普通入场" in html and "品鉴专场" not in html

    # Places taken: the capacity cannot go below them (the check constraint is never hit).
    TicketType.objects.filter(pk=general.pk).update(confirmed=30, held=5)
    data = {
        "fair": fair.pk,
        "name": "普通入场",
        "price": "0",
        "capacity": "20",
        "per_person_limit": "4",
        "audience": "public",
        "entries_per_day": "1",
        "registrations_per_phone": "1",
    }
    response = admin_client.post(f"/admin/fair_ticket_types/edit/{general.pk}/", data)
    assert response.status_code == 200
    assert "35" in response.content.decode()
    general.refresh_from_db()
    assert general.capacity == 500
    response = admin_client.post(f"/admin/fair_ticket_types/edit/{general.pk}/", {**data, "capacity": "35"})
    assert response.status_code == 302
    general.refresh_from_db()
    assert (general.capacity, general.confirmed, general.held) == (35, 30, 5)


def test_time_slots_single_and_bulk_through_the_service(admin_client, make_fair):
    fair = make_fair(stalls=0)  # three days, in 30 days
    other = make_fair("另一场展会", stalls=0)
    index = admin_client.get("/admin/fair_time_slots/").content.decode()
    assert "/admin/fair_time_slots/bulk/" in index

    day = fair.start_date
    response = admin_client.post(
        "/admin/fair_time_slots/new/",
        {"fair": fair.pk, "date": day.isoformat(), "starts_at": "08:00", "ends_at": "09:00", "capacity": "50"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    # A day outside the fair and a slot ending before it starts are refused with the field's error.
    response = admin_client.post(
        "/admin/fair_time_slots/new/",
        {
            "fair": fair.pk,
            "date": (fair.end_date + timedelta(days=1)).isoformat(),
            "starts_at": "10:00",
            "ends_at": "09:00",
            "capacity": "50",
        },
    )
    assert response.status_code == 200
    assert TimeSlot.objects.count() == 1

    form = admin_client.get(f"/admin/fair_time_slots/bulk/?fair={fair.pk}")
    assert form.status_code == 200 and 'name="times"' in form.content.decode()
    response = admin_client.post(
        "/admin/fair_time_slots/bulk/",
        {"fair": fair.pk, "times": "09:00-11:00\n11:00-13:00\n13:00–15:00", "capacity": "120"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/fair_time_slots/?fair={fair.pk}"
    slots = TimeSlot.objects.filter(fair=fair, capacity=120)
    assert slots.count() == 3 * 3
    assert {s.date for s in slots} == set(ticketing.fair_days(fair))
    assert sorted({(s.starts_at, s.ends_at) for s in slots}) == [
        (time(9), time(11)),
        (time(11), time(13)),
        (time(13), time(15)),
    ]
    assert PageLogEntry.objects.filter(page=fair, action="events.slots_created").count() == 1

    # The same again: the service refuses duplicates and nothing is created.
    response = admin_client.post(
        "/admin/fair_time_slots/bulk/",
        {
            "fair": fair.pk,
            "first_day": day.isoformat(),
            "last_day": day.isoformat(),
            "times": "09:00-11:00",
            "capacity": "5",
        },
    )
    assert response.status_code == 200
    assert "09:00" in response.content.decode()
    assert TimeSlot.objects.filter(fair=fair).count() == 10

    # A day outside the fair: the service's error, on the form.
    response = admin_client.post(
        "/admin/fair_time_slots/bulk/",
        {
            "fair": fair.pk,
            "first_day": (fair.end_date + timedelta(days=1)).isoformat(),
            "last_day": (fair.end_date + timedelta(days=1)).isoformat(),
            "times": "17:00-18:00",
            "capacity": "5",
        },
    )
    assert response.status_code == 200
    assert TimeSlot.objects.filter(fair=fair).count() == 10

    # Filtered by fair.
    ticketing.create_slots(fair=other, days=[other.start_date], times=[(time(7), time(8))], capacity=3)
    html = admin_client.get(f"/admin/fair_time_slots/?fair={other.pk}").content.decode()
    assert "07:00" in html and "09:00" not in html


def test_parse_time_ranges():
    assert parse_time_ranges("9:00-11:00, 11:00~13:00\n\n13:00至15:30") == [
        (time(9), time(11)),
        (time(11), time(13)),
        (time(13), time(15, 30)),
    ]
    for bad in ["", "9-11", "25:00-26:00", "09:00"]:
        with pytest.raises(Exception):  # noqa: B017 - django.forms.ValidationError
            parse_time_ranges(bad)


def test_bulk_slots_need_the_add_permission(client, make_fair, django_user_model):
    fair = make_fair(stalls=0)
    clerk = django_user_model.objects.create_user("clerk", "", "pw", is_staff=True)
    from django.contrib.auth.models import Permission

    clerk.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(clerk)
    response = client.post("/admin/fair_time_slots/bulk/", {"fair": fair.pk, "times": "09:00-11:00", "capacity": "5"})
    assert response.status_code in (302, 403)
    assert not TimeSlot.objects.exists()


def test_check_in_roles_granted_and_revoked_through_the_services(admin_client, make_fair, django_user_model, organiser):
    fair, other = make_fair(stalls=0), make_fair("另一场展会", stalls=0)
    door = django_user_model.objects.create_user("door", "", "pw")
    assert not ticketing.can_check_in(door, fair)

    response = admin_client.post("/admin/fair_checkin_staff/new/", {"fair": fair.pk, "user": door.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ticketing.can_check_in(door, fair) and not ticketing.can_check_in(door, other)
    granted = PageLogEntry.objects.get(page=fair, action="events.checkin_role_granted")
    assert granted.user == organiser and granted.data["staff"] == "door"

    # Granting it twice is refused on the form, not by the database.
    response = admin_client.post("/admin/fair_checkin_staff/new/", {"fair": fair.pk, "user": door.pk})
    assert response.status_code == 200
    assert CheckInStaff.objects.count() == 1

    html = admin_client.get(f"/admin/fair_checkin_staff/?fair={fair.pk}").content.decode()
    assert "door" in html
    assert "door" not in admin_client.get(f"/admin/fair_checkin_staff/?fair={other.pk}").content.decode()

    role = CheckInStaff.objects.get()
    # A role is not edited.
    assert admin_client.get(f"/admin/fair_checkin_staff/edit/{role.pk}/").status_code == 302
    response = admin_client.post(f"/admin/fair_checkin_staff/delete/{role.pk}/")
    assert response.status_code == 302
    assert not ticketing.can_check_in(door, fair)
    assert PageLogEntry.objects.filter(page=fair, action="events.checkin_role_revoked").count() == 1


def test_admin_fair_overview_links_the_registration_report(admin_client, make_fair):
    fair = make_fair(stalls=0, start_date=timezone.localdate(), end_date=timezone.localdate())
    html = admin_client.get(f"/admin/fairs/{fair.pk}/").content.decode()
    report = fair.url + "registrations/"
    assert f'href="{report}"' in html
    assert admin_client.get(report).status_code == 200
    assert f"/admin/fair_time_slots/?fair={fair.pk}" in html
    assert f"/admin/fair_checkin_staff/?fair={fair.pk}" in html
