"""Capacity changes go through the ticketing service: under the locks, never below the places taken, with the
freed places offered to the waiting list at once; the admin's edit forms use it and never write a stale copy
of the place counters."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import PageLogEntry

from cms.errors import DomainError
from events.models import Registration, TicketType
from events.registration import services as ticketing
from events.registration.admin import TicketTypeForm
from events.registration.services import RegistrationRequest

pytestmark = pytest.mark.django_db

S = Registration.Status


@pytest.fixture
def full_fair(make_fair):
    """A fair whose ticket type (2 places) is taken, with one visitor on its waiting list."""
    today = timezone.localdate()
    fair = make_fair(start_date=today + timedelta(days=20), end_date=today + timedelta(days=20), stalls=0)
    ticket = TicketType.objects.create(fair=fair, name="普通票", price=Decimal("0"), capacity=2, waitlist=True)
    (slot,) = ticketing.create_slots(fair=fair, days=[fair.start_date], times=[(time(9), time(11))], capacity=10)

    def register(phone, people=1):
        request = RegistrationRequest(ticket_type=ticket, slot=slot, name="张三", phone=phone, people=people)
        return ticketing.register(fair=fair, request=request)

    taken = [register("13800138001"), register("13800138002")]
    waiting = register("13800138003")
    assert [r.status for r in taken] == [S.CONFIRMED, S.CONFIRMED] and waiting.status == S.WAITLISTED
    return fair, ticket, slot, waiting, register


def test_raising_a_ticket_type_capacity_offers_the_waiting_list(full_fair, organiser):
    fair, ticket, slot, waiting, _ = full_fair
    offered = ticketing.set_ticket_type_capacity(ticket, 3, user=organiser)
    assert [r.pk for r in offered] == [waiting.pk]
    waiting.refresh_from_db()
    ticket.refresh_from_db()
    assert waiting.status == S.OFFERED and waiting.offer_expires_at is not None
    assert (ticket.capacity, ticket.confirmed, ticket.held) == (3, 2, 1)
    entry = PageLogEntry.objects.filter(page=fair, action="events.tickettype_capacity").get()
    assert (entry.data["previous"], entry.data["capacity"]) == (2, 3)


def test_raising_a_slot_capacity_offers_that_slots_waiting_list(make_fair, organiser):
    today = timezone.localdate()
    fair = make_fair(start_date=today + timedelta(days=20), end_date=today + timedelta(days=20), stalls=0)
    ticket = TicketType.objects.create(fair=fair, name="普通票", price=Decimal("0"), capacity=50, waitlist=True)
    (slot,) = ticketing.create_slots(fair=fair, days=[fair.start_date], times=[(time(9), time(11))], capacity=1)
    request = RegistrationRequest(ticket_type=ticket, slot=slot, name="李四", phone="13800138004", people=1)
    ticketing.register(fair=fair, request=request)
    request = RegistrationRequest(ticket_type=ticket, slot=slot, name="王五", phone="13800138005", people=1)
    waiting = ticketing.register(fair=fair, request=request)
    assert waiting.status == S.WAITLISTED

    ticketing.set_slot_capacity(slot, 2, user=organiser)
    waiting.refresh_from_db()
    slot.refresh_from_db()
    assert waiting.status == S.OFFERED and (slot.capacity, slot.confirmed, slot.held) == (2, 1, 1)


def test_a_capacity_below_the_places_taken_is_refused_and_nothing_changes(full_fair, organiser):
    fair, ticket, slot, waiting, _ = full_fair
    with pytest.raises(DomainError) as err:
        ticketing.set_ticket_type_capacity(ticket, 1, user=organiser)
    assert err.value.code == "capacity_below_taken" and err.value.field == "capacity"
    with pytest.raises(DomainError):
        ticketing.set_slot_capacity(slot, 0, user=organiser)
    ticket.refresh_from_db()
    slot.refresh_from_db()
    assert (ticket.capacity, ticket.confirmed, slot.capacity) == (2, 2, 10)
    assert not PageLogEntry.objects.filter(action__endswith="_capacity").exists()


def form_data(ticket, **changes):
    data = {
        "fair": ticket.fair_id,
        "name": ticket.name,
        "price": str(ticket.price),
        "capacity": str(ticket.capacity),
        "per_person_limit": str(ticket.per_person_limit),
        "audience": ticket.audience,
        "entries_per_day": str(ticket.entries_per_day),
        "registrations_per_phone": str(ticket.registrations_per_phone),
        "waitlist": "on" if ticket.waitlist else "",
        "requires_slot": "on" if ticket.requires_slot else "",
    }
    return {**data, **changes}


def test_the_admin_edit_never_writes_a_stale_copy_of_the_counters(full_fair, organiser):
    """The form was loaded before someone registered: saving it keeps the counters the database has."""
    fair, ticket, slot, waiting, register = full_fair
    stale = TicketType.objects.get(pk=ticket.pk)
    ticketing.set_ticket_type_capacity(ticket, 5, user=organiser)  # offers the waiting visitor a place
    register("13800138006")
    form = TicketTypeForm(data=form_data(stale, name="普通入场", capacity="5"), instance=stale, for_user=organiser)
    assert form.is_valid(), form.errors
    form.save()
    ticket.refresh_from_db()
    assert (ticket.name, ticket.capacity, ticket.confirmed, ticket.held) == ("普通入场", 5, 3, 1)


def test_the_service_refuses_what_a_stale_form_allowed(full_fair, organiser):
    fair, ticket, slot, waiting, register = full_fair
    stale = TicketType.objects.get(pk=ticket.pk)
    ticketing.set_ticket_type_capacity(ticket, 4, user=organiser)
    register("13800138006")  # now 3 confirmed + 1 held
    form = TicketTypeForm(data=form_data(stale, capacity="3"), instance=stale, for_user=organiser)
    assert form.is_valid(), form.errors  # the form saw 2 places taken
    with pytest.raises(DomainError):
        form.save()


def test_raising_the_capacity_in_the_admin_offers_the_waiting_list(client, full_fair, organiser):
    fair, ticket, slot, waiting, _ = full_fair
    client.force_login(organiser)
    response = client.post(f"/admin/fair_ticket_types/edit/{ticket.pk}/", form_data(ticket, capacity="3"))
    assert response.status_code == 302, response.content.decode()[:2000]
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED

    response = client.post(f"/admin/fair_ticket_types/edit/{ticket.pk}/", form_data(ticket, capacity="1"))
    assert response.status_code == 200 and "3" in response.context["form"].errors["capacity"][0]
    ticket.refresh_from_db()
    assert ticket.capacity == 3


def test_the_bulk_path_recounts_places_from_the_registrations(full_fair):
    """The demo loader writes registrations in bulk; recount_places restores the counters' invariant."""
    fair, ticket, slot, waiting, _ = full_fair
    assert ticketing.place_counter_drift(fair) == []
    Registration.objects.bulk_create(
        [
            Registration(
                fair=fair, ticket_type=ticket, slot=slot, name="赵六", phone="13800138009", people=2, status=S.CONFIRMED
            )
        ]
    )
    Registration.objects.filter(pk=waiting.pk).update(status=S.CANCELLED)
    drift = {(type(obj).__name__, obj.pk): counted for obj, counted in ticketing.place_counter_drift(fair)}
    assert drift == {("TimeSlot", slot.pk): (4, 0), ("TicketType", ticket.pk): (4, 0)}
    with pytest.raises(IntegrityError), transaction.atomic():
        ticketing.recount_places(fair)  # 4 people on a ticket type of 2 places: the check constraint refuses
    ticketing.set_ticket_type_capacity(ticket, 4)
    ticketing.recount_places(fair)
    assert ticketing.place_counter_drift(fair) == []
    slot.refresh_from_db()
    assert (slot.confirmed, slot.held) == (4, 0)
