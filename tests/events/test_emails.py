"""E-mails to exhibitors go out after commit: received, approved (stall and deadline), rejected, released."""

from datetime import timedelta

import pytest

from events.stalls import services
from marketplace.checkout import services as checkout
from tests.factories import stall

pytestmark = pytest.mark.django_db


def test_application_and_booking_emails(fair, vendor_user, organiser, mailoutbox, django_capture_on_commit_callbacks):
    (v1, u1), (v2, u2) = vendor_user("甲"), vendor_user("乙")
    with django_capture_on_commit_callbacks(execute=True):
        a1 = services.apply(fair=fair, vendor=v1, user=u1, request=services.ApplicationRequest())
        a2 = services.apply(fair=fair, vendor=v2, user=u2, request=services.ApplicationRequest())
        booking = services.approve(a1, stall=stall(fair, "A01"), user=organiser)
        services.waitlist(a2, user=organiser)
        services.reject(a2, user=organiser, reason="展位已满")
        services.send_payment_reminders(within=timedelta(days=30))
        checkout.expire_unpaid_orders(now=booking.hold_until + timedelta(seconds=1))
    mine = [m for m in mailoutbox if u1.email in m.to]
    bodies = "\n".join(m.subject + m.body for m in mine)
    assert "A01" in bodies and booking.order.number in bodies
    assert len(mine) >= 4  # received, approved, reminder, released
    assert any("展位已满" in m.body for m in mailoutbox if u2.email in m.to)
