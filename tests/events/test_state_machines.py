"""The transition tables of registrations, stall applications and stall bookings: services move statuses only
through them, and a move the table does not allow is a domain error that changes nothing."""

import pytest

from cms.errors import DomainError
from cms.state_machine import INVALID_TRANSITION, Transitions
from events.models import Registration, StallApplication, StallBooking
from events.registration import services as ticketing
from events.stalls.services import _end

R = Registration.Status
A = StallApplication.Status
B = StallBooking.Status


def test_the_tables_hold_the_rules():
    table = Registration.TRANSITIONS
    assert table.allows(R.WAITLISTED, R.OFFERED) and table.allows(R.OFFERED, R.HELD)
    assert not table.allows(R.WAITLISTED, R.CONFIRMED)  # nobody skips the offer
    assert not table.allows(R.CONFIRMED, R.RELEASED)  # only an unpaid hold is released
    assert all(table.is_final(s) for s in (R.CANCELLED, R.RELEASED, R.LAPSED))
    assert StallApplication.TRANSITIONS.targets(A.APPROVED) == frozenset()
    assert StallBooking.TRANSITIONS.allows(B.CONFIRMED, B.RELEASED)  # a balance left unpaid
    assert not StallBooking.TRANSITIONS.allows(B.CANCELLED, B.CONFIRMED)


def test_a_table_with_an_unknown_status_is_refused():
    with pytest.raises(ValueError):
        Transitions(R, {R.HELD: {"paid"}})


def test_a_move_the_table_does_not_allow_is_a_domain_error_and_changes_nothing():
    registration = Registration(status=R.CANCELLED)
    with pytest.raises(DomainError) as err:
        Registration.TRANSITIONS.move(registration, R.CONFIRMED)
    assert err.value.code == INVALID_TRANSITION == "invalid_state"
    assert registration.status == R.CANCELLED
    assert "registration" in err.value.message.lower() or "报名" in err.value.message


def application_for(fair, vendor_user):
    from events.stalls import services

    vendor, user = vendor_user()
    request = services.ApplicationRequest(stall_type=fair.stall_types.first())
    return services.apply(fair=fair, vendor=vendor, user=user, request=request)


@pytest.mark.django_db
def test_services_refuse_a_transition_out_of_a_final_status(fair, vendor_user, organiser):
    from events.stalls import services

    application = application_for(fair, vendor_user)
    services.reject(application, user=organiser, reason="满了")
    for action in (
        lambda: services.waitlist(application, user=organiser),
        lambda: services.reject(application, user=organiser, reason="again"),
        lambda: services.approve(application, stall=fair.stalls.get(code="A01"), user=organiser),
    ):
        with pytest.raises(DomainError) as err:
            action()
        assert err.value.code == "invalid_state"
    application.refresh_from_db()
    assert application.status == A.REJECTED and not StallBooking.objects.filter(fair=fair).exists()


@pytest.mark.django_db
def test_ending_an_ended_booking_is_refused(fair, vendor_user, organiser):
    from events.stalls import services

    application = application_for(fair, vendor_user)
    booking = services.approve(application, stall=fair.stalls.get(code="A01"), user=organiser)
    services.cancel_booking(booking, user=organiser, by_staff=True)
    booking.refresh_from_db()
    assert booking.status == B.CANCELLED
    with pytest.raises(DomainError):
        _end(booking, B.RELEASED, "late")
    booking.refresh_from_db()
    assert booking.status == B.CANCELLED


def test_accepting_is_only_from_an_offer():
    assert Registration.TRANSITIONS.targets(R.OFFERED) >= {R.HELD, R.CONFIRMED}
    assert not any(Registration.TRANSITIONS.allows(s, R.OFFERED) for s in R.values if s != R.WAITLISTED)
    assert ticketing  # the service module that uses the table
