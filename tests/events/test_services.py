"""Stall applications and bookings: the services, every refusal, and the checkout's signals."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import PageLogEntry

from cms.errors import DomainError
from events.models import FairPage, StallApplication, StallBooking
from events.stalls import services
from events.stalls.services import ApplicationRequest
from marketplace.checkout import services as checkout
from marketplace.checkout.models import Order, OrderLine
from tests.factories import stall

pytestmark = pytest.mark.django_db


def refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value.message
    assert str(info.value.message)
    return info.value


def pay_by_transfer(order, staff):
    return checkout.record_bank_transfer(
        order, amount=order.total, received_on=timezone.localdate(), bank_reference="BK1", user=staff
    )


# -- applications ------------------------------------------------------------------------------------------


def test_apply_then_approve_holds_stall_with_fee_order_and_payment_confirms(fair, vendor_user, organiser):
    vendor, user = vendor_user()
    application = services.apply(
        fair=fair,
        vendor=vendor,
        user=user,
        request=ApplicationRequest(stall_type=fair.stall_types.first(), needs_power=True),
    )
    assert application.status == StallApplication.Status.SUBMITTED

    booking = services.approve(application, stall=stall(fair, "A03"), user=organiser)

    application.refresh_from_db()
    assert application.status == StallApplication.Status.APPROVED
    assert booking.status == StallBooking.Status.HELD
    assert booking.order.total == Decimal("800.00")
    assert booking.hold_until == booking.order.payment_due_at
    line = booking.order.lines.get()
    assert line.kind == OrderLine.Kind.STALL_FEE and line.reference == f"events.stallbooking:{booking.pk}"
    assert services.stall_states(fair)[booking.stall_id][0] == "held"

    pay_by_transfer(booking.order, organiser)
    booking.refresh_from_db()
    assert booking.status == StallBooking.Status.CONFIRMED and booking.confirmed_at
    assert services.stall_states(fair)[booking.stall_id][0] == "booked"
    actions = set(PageLogEntry.objects.filter(page=fair).values_list("action", flat=True))
    assert {
        "events.application_submitted",
        "events.application_approved",
        "events.stall_held",
        "events.stall_confirmed",
    } <= actions


def test_free_stall_is_confirmed_without_an_order(make_fair, vendor_user, organiser):
    fair = make_fair(price="0.00")
    vendor, user = vendor_user()
    application = services.apply(fair=fair, vendor=vendor, user=user, request=ApplicationRequest())
    booking = services.approve(application, stall=stall(fair, "A01"), user=organiser)
    assert booking.status == StallBooking.Status.CONFIRMED and booking.order is None


def test_deposit_then_balance(make_fair, vendor_user, organiser):
    fair = make_fair(deposit_percent=30)
    vendor, user = vendor_user()
    application = services.apply(fair=fair, vendor=vendor, user=user, request=ApplicationRequest())
    booking = services.approve(application, stall=stall(fair, "A01"), user=organiser)
    assert booking.order.total == Decimal("240.00")
    pay_by_transfer(booking.order, organiser)
    booking.refresh_from_db()
    assert booking.status == StallBooking.Status.CONFIRMED
    assert booking.balance_order.total == Decimal("560.00")
    assert booking.balance_order.status == Order.Status.PENDING_PAYMENT


def test_waitlist_and_reject(fair, vendor_user, organiser):
    vendor, user = vendor_user()
    application = services.apply(fair=fair, vendor=vendor, user=user, request=ApplicationRequest())
    services.waitlist(application, user=organiser)
    refused("reason_required", services.reject, application, user=organiser, reason=" ")
    services.reject(application, user=organiser, reason="展位已满")
    application.refresh_from_db()
    assert application.status == StallApplication.Status.REJECTED and application.reason == "展位已满"
    refused("invalid_state", services.approve, application, stall=stall(fair, "A01"), user=organiser)
    # A rejected vendor may apply again.
    services.apply(fair=fair, vendor=vendor, user=user, request=ApplicationRequest())


def test_apply_outside_the_window(make_fair, vendor_user):
    vendor, user = vendor_user()
    early = make_fair(applications_open=timezone.now() + timedelta(days=2))
    late = make_fair(applications_close=timezone.now() - timedelta(minutes=1))
    refused("outside_window", services.apply, fair=early, vendor=vendor, user=user, request=ApplicationRequest())
    refused("outside_window", services.apply, fair=late, vendor=vendor, user=user, request=ApplicationRequest())
    assert not StallApplication.objects.exists()


def test_apply_for_a_stall_of_another_fair_or_a_blocked_stall(make_fair, vendor_user):
    fair, other = make_fair(), make_fair("百县千碗美食节")
    vendor, user = vendor_user()
    refused(
        "wrong_fair",
        services.apply,
        fair=fair,
        vendor=vendor,
        user=user,
        request=ApplicationRequest(preferred_stalls=[stall(other, "A01")]),
    )
    blocked = stall(fair, "A02")
    blocked.blocked = True
    blocked.save()
    refused(
        "stall_blocked",
        services.apply,
        fair=fair,
        vendor=vendor,
        user=user,
        request=ApplicationRequest(preferred_stalls=[blocked]),
    )
    assert not StallApplication.objects.exists()


def test_apply_twice_and_non_vendor_and_cancelled_fair(make_fair, vendor_user, django_user_model):
    fair = make_fair()
    vendor, user = vendor_user()
    services.apply(fair=fair, vendor=vendor, user=user, request=ApplicationRequest())
    refused("already_applied", services.apply, fair=fair, vendor=vendor, user=user, request=ApplicationRequest())
    buyer = django_user_model.objects.create_user("13800138000", "", "pw")
    refused("not_vendor", services.apply, fair=fair, vendor=vendor, user=buyer, request=ApplicationRequest())
    cancelled = make_fair(status=FairPage.Status.CANCELLED)
    refused("fair_cancelled", services.apply, fair=cancelled, vendor=vendor, user=user, request=ApplicationRequest())
    assert StallApplication.objects.count() == 1


def test_approve_with_a_taken_blocked_or_foreign_stall(make_fair, vendor_user, organiser):
    fair, other = make_fair(), make_fair("其他")
    (v1, u1), (v2, u2) = vendor_user("甲"), vendor_user("乙")
    a1 = services.apply(fair=fair, vendor=v1, user=u1, request=ApplicationRequest())
    a2 = services.apply(fair=fair, vendor=v2, user=u2, request=ApplicationRequest())
    services.approve(a1, stall=stall(fair, "A01"), user=organiser)
    refused("stall_taken", services.approve, a2, stall=stall(fair, "A01"), user=organiser)
    refused("wrong_fair", services.approve, a2, stall=stall(other, "A02"), user=organiser)
    blocked = stall(fair, "A03")
    blocked.blocked = True
    blocked.save()
    refused("stall_blocked", services.approve, a2, stall=blocked, user=organiser)
    a2.refresh_from_db()
    assert a2.status == StallApplication.Status.SUBMITTED
    assert StallBooking.objects.filter(status__in=StallBooking.ACTIVE).count() == 1
    assert Order.objects.count() == 1


# -- self-booking ------------------------------------------------------------------------------------------


def test_self_booking_first_come(make_fair, vendor_user):
    review = make_fair()
    fair = make_fair(booking_mode=FairPage.Booking.SELF)
    (v1, u1), (v2, u2) = vendor_user("甲"), vendor_user("乙")
    refused("review_only", services.self_book, fair=review, vendor=v1, user=u1, stall=stall(review, "A01"))
    booking = services.self_book(fair=fair, vendor=v1, user=u1, stall=stall(fair, "A01"))
    assert booking.status == StallBooking.Status.HELD and booking.order.buyer == u1
    error = refused("stall_taken", services.self_book, fair=fair, vendor=v2, user=u2, stall=stall(fair, "A01"))
    assert "A01" in str(error.message)
    refused("already_booked", services.self_book, fair=fair, vendor=v1, user=u1, stall=stall(fair, "A02"))
    refused("not_vendor", services.self_book, fair=fair, vendor=v1, user=u2, stall=stall(fair, "A02"))


def test_unpaid_booking_is_released_at_the_deadline_and_late_payment_is_refused(make_fair, vendor_user, organiser):
    fair = make_fair(booking_mode=FairPage.Booking.SELF, payment_hours=24)
    (v1, u1), (v2, u2) = vendor_user("甲"), vendor_user("乙")
    booking = services.self_book(fair=fair, vendor=v1, user=u1, stall=stall(fair, "A01"))
    assert booking.hold_until <= timezone.now() + timedelta(hours=24, seconds=5)
    assert checkout.expire_unpaid_orders(now=booking.hold_until - timedelta(minutes=1)) == []
    assert checkout.expire_unpaid_orders(now=booking.hold_until + timedelta(seconds=1)) == [booking.order.number]
    booking.refresh_from_db()
    assert booking.status == StallBooking.Status.RELEASED
    assert services.stall_states(fair)[booking.stall_id][0] == "available"
    with pytest.raises(DomainError):
        pay_by_transfer(booking.order, organiser)
    again = services.self_book(fair=fair, vendor=v2, user=u2, stall=stall(fair, "A01"))
    assert again.status == StallBooking.Status.HELD


def test_database_allows_one_active_booking_per_stall(fair, vendor_user):
    (v1, u1), (v2, u2) = vendor_user("甲"), vendor_user("乙")
    s = stall(fair, "A01")
    StallBooking.objects.create(fair=fair, stall=s, vendor=v1, booked_by=u1, status="held")
    with pytest.raises(IntegrityError), transaction.atomic():
        StallBooking.objects.create(fair=fair, stall=s, vendor=v2, booked_by=u2, status="confirmed")
    StallBooking.objects.create(fair=fair, stall=s, vendor=v2, booked_by=u2, status="released")


# -- cancelling -------------------------------------------------------------------------------------------


def test_cancel_unpaid_booking_cancels_its_order(make_fair, vendor_user):
    fair = make_fair(booking_mode=FairPage.Booking.SELF)
    vendor, user = vendor_user()
    booking = services.self_book(fair=fair, vendor=vendor, user=user, stall=stall(fair, "A01"))
    services.cancel_booking(booking, user=user)
    booking.refresh_from_db()
    booking.order.refresh_from_db()
    assert booking.status == StallBooking.Status.CANCELLED
    assert booking.order.status == Order.Status.CANCELLED
    refused("invalid_state", services.cancel_booking, booking, user=user)


def test_cancel_paid_booking_refunds_until_the_refund_date_then_not(make_fair, vendor_user, organiser):
    today = timezone.localdate()
    refundable = make_fair(booking_mode=FairPage.Booking.SELF, refund_until=today)
    final = make_fair(booking_mode=FairPage.Booking.SELF, refund_until=today - datetime.timedelta(days=1))
    vendor, user = vendor_user()
    b1 = services.self_book(fair=refundable, vendor=vendor, user=user, stall=stall(refundable, "A01"))
    b2 = services.self_book(fair=final, vendor=vendor, user=user, stall=stall(final, "A01"))
    pay_by_transfer(b1.order, organiser)
    pay_by_transfer(b2.order, organiser)
    other = vendor_user("乙")
    refused("forbidden", services.cancel_booking, b1, user=other[1])

    services.cancel_booking(b1, user=user)
    services.cancel_booking(b2, user=user)
    for b in (b1, b2):
        b.refresh_from_db()
        b.order.refresh_from_db()
        assert b.status == StallBooking.Status.CANCELLED
    assert b1.order.status == Order.Status.REFUNDED
    assert b2.order.status == Order.Status.PAID  # no refund after the refund date
    assert services.stall_states(final)[b2.stall_id][0] == "available"


def test_cancel_fair_cancels_bookings_and_refuses_new_ones(make_fair, vendor_user, organiser):
    fair = make_fair(booking_mode=FairPage.Booking.SELF)
    (v1, u1), (v2, u2) = vendor_user("甲"), vendor_user("乙")
    held = services.self_book(fair=fair, vendor=v1, user=u1, stall=stall(fair, "A01"))
    paid = services.self_book(fair=fair, vendor=v2, user=u2, stall=stall(fair, "A02"))
    pay_by_transfer(paid.order, organiser)
    services.cancel_fair(fair, user=organiser, reason="台风")
    assert not StallBooking.objects.filter(status__in=StallBooking.ACTIVE).exists()
    held.order.refresh_from_db()
    paid.order.refresh_from_db()
    assert held.order.status == Order.Status.CANCELLED and paid.order.status == Order.Status.REFUNDED
    fair.refresh_from_db()
    refused("fair_cancelled", services.self_book, fair=fair, vendor=v1, user=u1, stall=stall(fair, "A03"))


# -- stalls and stats ------------------------------------------------------------------------------------------


def test_bulk_stalls_and_duplicates(make_fair):
    fair = make_fair(stalls=0)
    stall_type = fair.stall_types.first()
    made = services.create_stall_row(
        fair=fair, prefix="B", first=1, last=20, stall_type=stall_type, x=0, y=10, width=3, gap=1
    )
    assert [s.code for s in made][:2] == ["B01", "B02"] and made[-1].code == "B20"
    assert made[1].x == Decimal("4") and made[1].y == Decimal("10")
    refused("duplicate", services.create_stall_row, fair=fair, prefix="B", first=20, last=21, stall_type=stall_type)
    assert fair.stalls.count() == 20


def test_fair_stats(make_fair, vendor_user, organiser):
    fair = make_fair(booking_mode=FairPage.Booking.SELF)
    (v1, u1), (v2, u2) = vendor_user("甲"), vendor_user("乙")
    b1 = services.self_book(fair=fair, vendor=v1, user=u1, stall=stall(fair, "A01"))
    services.self_book(fair=fair, vendor=v2, user=u2, stall=stall(fair, "A02"))
    pay_by_transfer(b1.order, organiser)
    stats = services.fair_stats(fair)
    assert stats["stalls"] == {"available": 3, "held": 1, "booked": 1, "blocked": 0}
    assert stats["fees_due"] == Decimal("1600.00") and stats["fees_paid"] == Decimal("800.00")
    assert stats["by_county"] == [("常山县", 1)]
