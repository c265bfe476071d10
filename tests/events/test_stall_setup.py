"""Stall setup in the Wagtail admin (stall types, add-ons, single stalls, block/unblock), the blocking rule in
services.set_stall_blocked, and the payment-reminder command and task."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import PageLogEntry

from cms.errors import DomainError
from events.models import AddOn, Stall, StallBooking, StallType
from events.stalls import services
from events.tasks import send_stall_payment_reminders_task
from tests.factories import stall

pytestmark = pytest.mark.django_db


def test_set_stall_blocked_refuses_a_stall_with_an_active_booking(fair, vendor_user, organiser):
    vendor, user = vendor_user()
    a01, a02 = stall(fair, "A01"), stall(fair, "A02")
    application = services.apply(fair=fair, vendor=vendor, user=user, request=services.ApplicationRequest())
    booking = services.approve(application, stall=a01, user=organiser)
    assert booking.status == StallBooking.Status.HELD

    with pytest.raises(DomainError) as exc:
        services.set_stall_blocked(a01, True, organiser)
    assert exc.value.code == "stall_booked"
    assert "A01" in exc.value.message and vendor.title in exc.value.message
    a01.refresh_from_db()
    assert not a01.blocked

    services.set_stall_blocked(a02, True, organiser)
    a02.refresh_from_db()
    assert a02.blocked
    assert services.stall_states(fair)[a02.pk][0] == "blocked"
    services.set_stall_blocked(a02, True, organiser)  # already blocked: nothing changes
    services.set_stall_blocked(a02, False, organiser)
    a02.refresh_from_db()
    assert not a02.blocked
    actions = list(PageLogEntry.objects.filter(page=fair).values_list("action", flat=True))
    assert actions.count("events.stall_blocked") == 1 and actions.count("events.stall_unblocked") == 1

    # Once the booking has ended the stall may be blocked.
    services.cancel_booking(booking, user=user)
    assert services.set_stall_blocked(a01, True, organiser).blocked


def test_admin_stall_types_addons_and_stalls(client, make_fair, organiser):
    fair, other = make_fair(), make_fair("另一场展会")
    client.force_login(organiser)
    assert client.get("/admin/fair_stall_types/").status_code == 200
    response = client.get(f"/admin/fair_stalls/?fair={fair.pk}")
    assert response.status_code == 200
    assert "A01" in response.content.decode()

    response = client.post(
        "/admin/fair_stall_types/new/",
        {"fair": fair.pk, "name": "特装展位", "width_m": "6.0", "depth_m": "3.0", "price": "2000.00"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    special = StallType.objects.get(name="特装展位")
    assert (special.fair, special.price) == (fair, 2000)

    addon = {"fair": fair.pk, "kind": "power", "name": "加电", "price": "150"}
    response = client.post("/admin/fair_addons/new/", addon)
    assert response.status_code == 302
    assert AddOn.objects.filter(fair=fair, name="加电").exists()

    stall_data = {"fair": fair.pk, "code": "S01", "stall_type": special.pk, "x": 50, "y": 30, "width": 6, "height": 3}
    assert client.post("/admin/fair_stalls/new/", stall_data).status_code == 302
    s01 = Stall.objects.get(fair=fair, code="S01")
    assert not s01.blocked

    # A stall type of another fair is refused.
    foreign = other.stall_types.first()
    response = client.post("/admin/fair_stalls/new/", {**stall_data, "code": "S02", "stall_type": foreign.pk})
    assert response.status_code == 200
    assert not Stall.objects.filter(code="S02").exists()

    # Editing does not touch `blocked` (that goes through the block view).
    response = client.post(f"/admin/fair_stalls/edit/{s01.pk}/", {**stall_data, "x": 60})
    assert response.status_code == 302
    s01.refresh_from_db()
    assert s01.x == 60


def test_admin_block_and_unblock(client, fair, vendor_user, organiser):
    vendor, user = vendor_user()
    a01, a02 = stall(fair, "A01"), stall(fair, "A02")
    application = services.apply(fair=fair, vendor=vendor, user=user, request=services.ApplicationRequest())
    services.approve(application, stall=a01, user=organiser)
    client.force_login(organiser)

    assert client.get(f"/admin/fair_stalls/block/{a02.pk}/").status_code == 200
    response = client.post(f"/admin/fair_stalls/block/{a02.pk}/", {"blocked": "1"}, follow=True)
    a02.refresh_from_db()
    assert a02.blocked
    assert "A02" in response.content.decode()
    client.post(f"/admin/fair_stalls/block/{a02.pk}/", {"blocked": "0"})
    a02.refresh_from_db()
    assert not a02.blocked

    response = client.post(f"/admin/fair_stalls/block/{a01.pk}/", {"blocked": "1"}, follow=True)
    a01.refresh_from_db()
    assert not a01.blocked
    # The admin speaks Chinese by default: "…无法设为不可预订…" ("cannot be blocked").
    assert "无法设为不可预订" in response.content.decode()


def test_block_view_needs_change_permission(client, fair, vendor_user):
    _vendor, user = vendor_user()  # admin access, but no permission on stalls
    client.force_login(user)
    a01 = stall(fair, "A01")
    response = client.post(f"/admin/fair_stalls/block/{a01.pk}/", {"blocked": "1"})
    assert response.status_code in (302, 403)
    a01.refresh_from_db()
    assert not a01.blocked


def test_payment_reminder_command_and_task(fair, vendor_user, organiser, django_capture_on_commit_callbacks):
    vendor, user = vendor_user()
    application = services.apply(fair=fair, vendor=vendor, user=user, request=services.ApplicationRequest())
    booking = services.approve(application, stall=stall(fair, "A01"), user=organiser)
    StallBooking.objects.filter(pk=booking.pk).update(hold_until=timezone.now() + timedelta(hours=5))
    mail.outbox.clear()

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_stall_payment_reminders", stdout=out)
    assert "1 stall payment reminder(s) sent." in out.getvalue()
    assert len(mail.outbox) == 1 and "A01" in mail.outbox[0].subject
    assert mail.outbox[0].to == [user.email]

    out = io.StringIO()
    call_command("send_stall_payment_reminders", "--hours", "2", stdout=out)
    assert "0 stall payment reminder(s) sent." in out.getvalue()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = send_stall_payment_reminders_task.enqueue(hours=24)  # tests run tasks inline
    assert result.return_value == 1
    assert len(mail.outbox) == 1

    out = io.StringIO()
    call_command("send_stall_payment_reminders", "--enqueue", stdout=out)
    assert "Enqueued send_stall_payment_reminders_task" in out.getvalue()
