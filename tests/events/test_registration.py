"""Visitor registration: ticket types, slots, registering (free, paid, group), capacity, waiting list, cancel,
change slot, check-in and the check-in role, the checkout's signals, reminders, and every bad input."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from cms.errors import DomainError
from events.checkin import services as checkin_services
from events.models import CheckIn, Registration, TicketType, TimeSlot
from events.registration import services as ticketing
from events.registration.services import RegistrationRequest
from marketplace.checkout import services as checkout
from marketplace.checkout.models import Order, OrderLine

pytestmark = pytest.mark.django_db

S = Registration.Status


@pytest.fixture
def setup(make_fair):
    def make(*, price="0.00", slot_capacity=10, type_capacity=100, per_person=5, days_from_now=30, **fair_fields):
        today = timezone.localdate()
        fair = make_fair(
            start_date=today + timedelta(days=days_from_now),
            end_date=today + timedelta(days=days_from_now + 1),
            stalls=0,
            **fair_fields,
        )
        ticket = TicketType.objects.create(
            fair=fair, name="普通票", price=Decimal(price), capacity=type_capacity, per_person_limit=per_person
        )
        slots = ticketing.create_slots(
            fair=fair,
            days=ticketing.fair_days(fair),
            times=[(time(9), time(11)), (time(11), time(13))],
            capacity=slot_capacity,
        )
        return fair, ticket, slots

    return make


def req(ticket, slot, people=1, phone="13800138000", **kw):
    return RegistrationRequest(ticket_type=ticket, slot=slot, name="张三", phone=phone, people=people, **kw)


def fresh(obj):
    obj.refresh_from_db()
    return obj


# -- slots and ticket types ---------------------------------------------------------------------------


def test_create_slots_in_bulk_and_refuse_duplicates_and_bad_times(setup):
    fair, ticket, slots = setup()
    assert len(slots) == 4 and TimeSlot.objects.filter(fair=fair).count() == 4
    with pytest.raises(DomainError) as err:
        ticketing.create_slots(fair=fair, days=[fair.start_date], times=[(time(9), time(11))], capacity=5)
    assert err.value.code == "duplicate"
    with pytest.raises(DomainError):
        ticketing.create_slots(fair=fair, days=[fair.start_date], times=[(time(15), time(14))], capacity=5)
    with pytest.raises(DomainError):
        ticketing.create_slots(
            fair=fair, days=[fair.end_date + timedelta(days=1)], times=[(time(15), time(16))], capacity=5
        )
    assert TimeSlot.objects.filter(fair=fair).count() == 4


def test_capacity_check_constraint_is_a_backstop(setup):
    fair, ticket, slots = setup(slot_capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeSlot.objects.filter(pk=slots[0].pk).update(confirmed=2, held=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketType.objects.filter(pk=ticket.pk).update(confirmed=101)


# -- registering --------------------------------------------------------------------------------------


def test_free_registration_is_confirmed_at_once_with_a_ticket_mail(setup, django_capture_on_commit_callbacks):
    fair, ticket, slots = setup()
    with django_capture_on_commit_callbacks(execute=True):
        reg = ticketing.register(fair=fair, request=req(ticket, slots[0], people=3, email="a@example.com"))
    assert reg.status == S.CONFIRMED and reg.order_id is None
    assert fresh(slots[0]).confirmed == 3 and fresh(ticket).confirmed == 3
    assert len(reg.ticket_code) >= 20 and reg.ticket_code != str(reg.pk) and reg.manage_key != reg.ticket_code
    (message,) = mail.outbox
    # The mail names the short code door staff can type, grouped for reading; the long code is only in the QR.
    assert fair.title in message.subject and reg.grouped_short_code in message.body
    assert reg.ticket_code not in message.body
    names = [a[0] for a in message.attachments]
    assert names == ["ticket-qr.svg", "ticket.ics"] and "<svg" in message.attachments[0][1]


def test_a_failing_ticket_mail_never_fails_the_registration(setup, django_capture_on_commit_callbacks, monkeypatch):
    """The mail is composed in a task after commit: the visitor is registered whatever happens to it."""
    import events.registration.notifications

    def broken_mail(registration_id, kind):
        raise TypeError("no URL for the fair")

    monkeypatch.setattr(events.registration.notifications, "registration_mail", broken_mail)
    fair, ticket, slots = setup()
    with django_capture_on_commit_callbacks(execute=True):
        reg = ticketing.register(fair=fair, request=req(ticket, slots[0], people=1, email="a@example.com"))
    assert fresh(reg).status == S.CONFIRMED and fresh(slots[0]).confirmed == 1
    assert not mail.outbox


def test_group_registration_names_every_attendee(setup):
    fair, ticket, slots = setup()
    reg = ticketing.register(fair=fair, request=req(ticket, slots[0], people=2, attendees=["张三", "李四"]))
    assert [a.name for a in reg.attendees.all()] == ["张三", "李四"]
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(ticket, slots[0], people=3, attendees=["张三", "李四"]))
    assert err.value.code == "invalid_attendees"


def test_phone_is_normalised(setup):
    fair, ticket, slots = setup()
    reg = ticketing.register(fair=fair, request=req(ticket, slots[0], phone="+86 138-0013-8000"))
    assert reg.phone == "13800138000"


@pytest.mark.parametrize("phone", ["12800138000", "1380013800", "138001380001", "abc", "", "0570-1234567"])
def test_malformed_phone_is_refused_and_nothing_changes(setup, phone):
    fair, ticket, slots = setup()
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(ticket, slots[0], phone=phone))
    assert err.value.code == "invalid_phone" and err.value.field == "phone"
    assert not Registration.objects.exists() and fresh(slots[0]).confirmed == 0


@pytest.mark.parametrize("people", [0, -1, 6, True, "2"])
def test_zero_or_too_many_people_are_refused(setup, people):
    fair, ticket, slots = setup(per_person=5)
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(ticket, slots[0], people=people))
    assert err.value.code == "invalid_people"
    assert not Registration.objects.exists()


def test_slot_of_another_fair_is_refused(setup):
    fair, ticket, slots = setup()
    other, _other_ticket, other_slots = setup(title="另一场")
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(ticket, other_slots[0]))
    assert err.value.code == "wrong_fair" and err.value.field == "slot"
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(_other_ticket, slots[0]))
    assert err.value.code == "wrong_fair" and err.value.field == "ticket_type"


def test_closed_and_past_slots_are_refused(setup):
    fair, ticket, slots = setup(days_from_now=0)
    closed = slots[1]
    closed.closed = True
    closed.save()
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(ticket, closed))
    assert err.value.code == "slot_closed"
    late = timezone.make_aware(timezone.datetime.combine(slots[0].date, time(12)))
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(ticket, slots[0]), now=late)
    assert err.value.code == "slot_past"
    assert not Registration.objects.exists()


def test_slot_required_when_the_ticket_type_needs_one(setup):
    fair, ticket, slots = setup()
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(ticket, None))
    assert err.value.code == "slot_required"


def test_registration_window_and_sales_window(setup):
    fair, ticket, slots = setup(registration_opens=timezone.now() + timedelta(days=1))
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(ticket, slots[0]))
    assert err.value.code == "registration_not_open"
    fair2, ticket2, slots2 = setup(title="二", registration_closes=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair2, request=req(ticket2, slots2[0]))
    assert err.value.code == "registration_closed"
    fair3, ticket3, slots3 = setup(title="三")
    ticket3.sales_start = timezone.now() + timedelta(hours=1)
    ticket3.save()
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair3, request=req(ticket3, slots3[0]))
    assert err.value.code == "sales_not_open"
    assert not Registration.objects.exists()


def test_audience_canteen_and_exhibitor_tickets_need_the_right_account(setup, django_user_model):
    fair, ticket, slots = setup()
    ticket.audience = TicketType.Audience.CANTEEN
    ticket.save()
    user = django_user_model.objects.create_user("13900139000", "", "pw")
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(ticket, slots[0]), user=user)
    assert err.value.code == "not_eligible"
    ticket.audience = TicketType.Audience.EXHIBITOR
    ticket.save()
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(ticket, slots[0]))
    assert err.value.code == "not_eligible"


# -- paid tickets through the checkout --------------------------------------------------------------------


def test_paid_registration_is_held_with_a_ticket_order_and_confirmed_when_paid(setup, django_user_model, organiser):
    fair, ticket, slots = setup(price="30.00")
    buyer = django_user_model.objects.create_user("13700137000", "b@example.com", "pw")
    reg = ticketing.register(
        fair=fair, request=req(ticket, slots[0], people=2, payment_method="bank_transfer"), user=buyer
    )
    assert reg.status == S.HELD and fresh(slots[0]).held == 2 and fresh(ticket).held == 2
    line = reg.order.lines.get()
    assert (
        line.kind == OrderLine.Kind.TICKET and line.quantity == 2 and line.reference == f"events.registration:{reg.pk}"
    )
    assert reg.order.total == Decimal("60.00")
    checkout.record_bank_transfer(
        reg.order, amount=reg.order.total, received_on="2025-01-01", bank_reference="B1", user=organiser
    )
    reg = fresh(reg)
    assert reg.status == S.CONFIRMED and fresh(slots[0]).confirmed == 2 and fresh(slots[0]).held == 0


def test_unpaid_ticket_is_released_on_expiry_and_offered_to_the_waiting_list(setup, django_user_model, stripe_settings):
    fair, ticket, slots = setup(price="30.00", slot_capacity=2)
    a = django_user_model.objects.create_user("13700137001", "a@example.com", "pw")
    b = django_user_model.objects.create_user("13700137002", "b@example.com", "pw")
    held = ticketing.register(fair=fair, request=req(ticket, slots[0], people=2, payment_method="alipay"), user=a)
    waiting = ticketing.register(fair=fair, request=req(ticket, slots[0], people=2, phone="13700137002"), user=b)
    assert waiting.status == S.WAITLISTED and waiting.order_id is None
    checkout.expire_unpaid_orders(now=held.order.payment_due_at + timedelta(minutes=1))
    assert fresh(held).status == S.RELEASED
    waiting = fresh(waiting)
    assert waiting.status == S.OFFERED and waiting.offer_expires_at is not None
    assert fresh(slots[0]).held == 2  # held for the offer, nobody else can take it
    accepted = ticketing.accept_offer(waiting, payment_method="alipay")
    assert (
        accepted.status == S.HELD
        and accepted.order is not None
        and accepted.order.status == Order.Status.PENDING_PAYMENT
    )


# -- capacity and the waiting list ---------------------------------------------------------------------------


def test_full_slot_waitlists_or_refuses(setup):
    fair, ticket, slots = setup(slot_capacity=3)
    ticketing.register(fair=fair, request=req(ticket, slots[0], people=3))
    reg = ticketing.register(fair=fair, request=req(ticket, slots[0], people=1, phone="13900000001"))
    assert reg.status == S.WAITLISTED
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(ticket, slots[0], people=1, join_waitlist=False, phone="13900000002"))
    assert err.value.code == "full"
    ticket.waitlist = False
    ticket.save()
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(ticket, slots[0], people=1, phone="13900000003"))
    assert err.value.code == "full"
    assert fresh(slots[0]).confirmed == 3


def test_ticket_type_capacity_counts_across_slots(setup):
    fair, ticket, slots = setup(slot_capacity=10, type_capacity=4)
    ticketing.register(fair=fair, request=req(ticket, slots[0], people=3))
    reg = ticketing.register(fair=fair, request=req(ticket, slots[1], people=2))
    assert reg.status == S.WAITLISTED and fresh(ticket).confirmed == 3


def test_cancel_offers_the_place_first_come_first_served_and_offers_expire(setup):
    fair, ticket, slots = setup(slot_capacity=2)
    first = ticketing.register(fair=fair, request=req(ticket, slots[0], people=2))
    w1 = ticketing.register(fair=fair, request=req(ticket, slots[0], people=2, phone="13900000001"))
    w2 = ticketing.register(fair=fair, request=req(ticket, slots[0], people=1, phone="13900000002"))
    # A newcomer cannot jump the queue even if a place were free.
    ticketing.cancel(first)
    assert fresh(first).status == S.CANCELLED
    assert fresh(w1).status == S.OFFERED and fresh(w2).status == S.WAITLISTED  # head first, never two
    slot = fresh(slots[0])
    assert slot.held == 2 and slot.confirmed == 0
    late = ticketing.register(fair=fair, request=req(ticket, slots[0], people=1, phone="13900000003"))
    assert late.status == S.WAITLISTED
    # The offer lapses: the place goes to the next in line.
    assert ticketing.expire_offers(now=timezone.now() + timedelta(days=2)) == 1
    assert fresh(w1).status == S.LAPSED
    assert fresh(w2).status == S.OFFERED and fresh(late).status == S.OFFERED
    with pytest.raises(DomainError) as err:
        ticketing.accept_offer(w1)
    assert err.value.code == "invalid_state"
    ticketing.accept_offer(w2)
    assert fresh(w2).status == S.CONFIRMED
    slot = fresh(slots[0])
    assert slot.confirmed == 1 and slot.held == 1


def test_expired_offer_cannot_be_accepted(setup):
    fair, ticket, slots = setup(slot_capacity=1)
    first = ticketing.register(fair=fair, request=req(ticket, slots[0]))
    waiting = ticketing.register(fair=fair, request=req(ticket, slots[0], phone="13900000001"))
    ticketing.cancel(first)
    with pytest.raises(DomainError) as err:
        ticketing.accept_offer(waiting, now=timezone.now() + timedelta(days=3))
    assert err.value.code == "offer_expired"
    assert fresh(waiting).status == S.OFFERED


def test_cancel_twice_is_refused(setup):
    fair, ticket, slots = setup()
    reg = ticketing.register(fair=fair, request=req(ticket, slots[0]))
    ticketing.cancel(reg)
    with pytest.raises(DomainError) as err:
        ticketing.cancel(reg)
    assert err.value.code == "invalid_state"
    assert fresh(slots[0]).confirmed == 0


def test_change_slot_while_places_remain(setup):
    fair, ticket, slots = setup(slot_capacity=2)
    reg = ticketing.register(fair=fair, request=req(ticket, slots[0], people=2))
    waiting = ticketing.register(fair=fair, request=req(ticket, slots[0], people=1, phone="13900000001"))
    ticketing.change_slot(reg, slots[1])
    assert fresh(reg).slot_id == slots[1].pk
    assert fresh(slots[1]).confirmed == 2 and fresh(slots[0]).confirmed == 0
    assert fresh(waiting).status == S.OFFERED  # the old slot's place goes to the list
    other = ticketing.register(fair=fair, request=req(ticket, slots[2], people=1, phone="13900000002"))
    with pytest.raises(DomainError) as err:
        ticketing.change_slot(other, slots[1])
    assert err.value.code == "full"
    other_fair, _t, other_slots = setup(title="另一场")
    with pytest.raises(DomainError) as err:
        ticketing.change_slot(other, other_slots[0])
    assert err.value.code == "wrong_fair"
    assert fresh(other).slot_id == slots[2].pk


# -- check-in --------------------------------------------------------------------------------------------------


@pytest.fixture
def today_fair(setup, django_user_model):
    fair, ticket, slots = setup(days_from_now=0)
    staff = django_user_model.objects.create_user("door", "", "pw")
    ticketing.grant_checkin_role(fair, staff)
    at = timezone.make_aware(timezone.datetime.combine(slots[0].date, time(9, 30)))
    return fair, ticket, slots, staff, at


def test_check_in_valid_then_already_with_when_and_who(today_fair):
    fair, ticket, slots, staff, at = today_fair
    reg = ticketing.register(fair=fair, request=req(ticket, slots[0], people=2), now=at - timedelta(hours=2))
    result = checkin_services.check_in(fair=fair, code=reg.ticket_code, user=staff, now=at)
    assert result.kind == "valid" and result.registration == reg and "2" in result.message
    again = checkin_services.check_in(fair=fair, code=reg.ticket_code, user=staff, now=at + timedelta(minutes=1))
    assert again.kind == "already" and again.checkin.by == staff and "door" in again.message
    assert CheckIn.objects.count() == 1
    assert checkin_services.checkin_counts(fair, day=slots[0].date)["slots"][0]["checked_in"] == 2


def test_check_in_accepts_the_scanned_url_and_allows_multiple_entries_when_configured(today_fair):
    fair, ticket, slots, staff, at = today_fair
    ticket.entries_per_day = 2
    ticket.save()
    reg = ticketing.register(fair=fair, request=req(ticket, slots[0]), now=at - timedelta(hours=2))
    url = f"http://example.com/fairs/checkin/{reg.ticket_code}/"
    assert checkin_services.check_in(fair=fair, code=url, user=staff, now=at).kind == "valid"
    assert checkin_services.check_in(fair=fair, code=f"  {reg.ticket_code} ", user=staff, now=at).kind == "valid"
    assert checkin_services.check_in(fair=fair, code=reg.ticket_code, user=staff, now=at).kind == "already"


def test_check_in_bad_cases(today_fair, setup):
    fair, ticket, slots, staff, at = today_fair
    before = at - timedelta(hours=2)
    reg = ticketing.register(fair=fair, request=req(ticket, slots[0]), now=before)
    # forged / altered codes
    assert (
        checkin_services.check_in(
            fair=fair, code=reg.ticket_code[:-1] + ("A" if reg.ticket_code[-1] != "A" else "B"), user=staff, now=at
        ).kind
        == "unknown"
    )
    assert checkin_services.check_in(fair=fair, code=str(reg.pk), user=staff, now=at).kind == "unknown"
    assert checkin_services.check_in(fair=fair, code="<script>", user=staff, now=at).kind == "unknown"
    # wrong slot (later slot today), wrong day (tomorrow's slot)
    later = ticketing.register(fair=fair, request=req(ticket, slots[1]), now=before)
    assert checkin_services.check_in(fair=fair, code=later.ticket_code, user=staff, now=at).kind == "wrong_slot"
    tomorrow = ticketing.register(fair=fair, request=req(ticket, slots[2]), now=before)
    assert checkin_services.check_in(fair=fair, code=tomorrow.ticket_code, user=staff, now=at).kind == "wrong_day"
    # another fair
    other, other_ticket, other_slots = setup(title="另一场", days_from_now=0)
    foreign = ticketing.register(fair=other, request=req(other_ticket, other_slots[0]), now=before)
    assert checkin_services.check_in(fair=fair, code=foreign.ticket_code, user=staff, now=at).kind == "wrong_fair"
    # cancelled
    ticketing.cancel(reg)
    result = checkin_services.check_in(fair=fair, code=reg.ticket_code, user=staff, now=at)
    assert result.kind == "cancelled" and result.message
    assert CheckIn.objects.count() == 0


def test_only_checkin_staff_of_this_fair_may_check_in(today_fair, setup, django_user_model):
    fair, ticket, slots, staff, at = today_fair
    reg = ticketing.register(fair=fair, request=req(ticket, slots[0]), now=at - timedelta(hours=1))
    other, *_rest = setup(title="另一场", days_from_now=0)
    for user in (django_user_model.objects.create_user("visitor", "", "pw"), None):
        with pytest.raises(DomainError) as err:
            checkin_services.check_in(fair=fair, code=reg.ticket_code, user=user, now=at)
        assert err.value.code == "forbidden"
    with pytest.raises(DomainError):
        checkin_services.check_in(fair=other, code=reg.ticket_code, user=staff, now=at)
    assert CheckIn.objects.count() == 0


# -- reminders and figures ------------------------------------------------------------------------------------


def test_reminders_go_once_the_day_before(setup, django_capture_on_commit_callbacks):
    fair, ticket, slots = setup(days_from_now=1)
    reg = ticketing.register(fair=fair, request=req(ticket, slots[0], email="r@example.com"))
    ticketing.register(fair=fair, request=req(ticket, slots[2], email="later@example.com"))  # the day after
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert ticketing.send_reminders() == 1
        assert ticketing.send_reminders() == 0
    assert [m.to for m in mail.outbox] == [["r@example.com"]]
    assert fresh(reg).reminder_sent_at is not None


def test_registration_stats(today_fair):
    fair, ticket, slots, staff, at = today_fair
    reg = ticketing.register(fair=fair, request=req(ticket, slots[0], people=2), now=at - timedelta(hours=1))
    checkin_services.check_in(fair=fair, code=reg.ticket_code, user=staff, now=at)
    stats = ticketing.registration_stats(fair)
    assert stats["slots"][0]["counts"] == {"confirmed": 2} and stats["slots"][0]["checked_in"] == 2
    assert stats["checkins_over_time"][0]["people"] == 2
    later = ticketing.registration_stats(fair, now=at + timedelta(days=5))
    assert later["no_show_expected"] == 2 and later["no_show_rate"] == 0


def test_commands_run(setup):
    from io import StringIO

    from django.core.management import call_command

    fair, ticket, slots = setup(days_from_now=1)
    ticketing.register(fair=fair, request=req(ticket, slots[0], email="r@example.com"))
    out = StringIO()
    call_command("send_registration_reminders", stdout=out)
    call_command("expire_waitlist_offers", stdout=out)
    assert out.getvalue().split() == ["1", "0"]


# -- the waiting list across slots when the ticket type is the limit ----------------------------------------


def test_freed_ticket_type_place_goes_to_the_earliest_waiting_in_any_slot(setup):
    """Ticket type capacity 3 (the limit), slots of 10: a cancellation in slot 0 offers the place to the
    earliest visitor waiting for the ticket type, who waits in slot 1, not to the later one in slot 0."""
    fair, ticket, slots = setup(slot_capacity=10, type_capacity=3)
    a = ticketing.register(fair=fair, request=req(ticket, slots[0], people=2))
    ticketing.register(fair=fair, request=req(ticket, slots[2], people=1, phone="13900000009"))
    early = ticketing.register(fair=fair, request=req(ticket, slots[1], people=1, phone="13900000001"))
    late = ticketing.register(fair=fair, request=req(ticket, slots[0], people=1, phone="13900000002"))
    assert early.status == late.status == S.WAITLISTED
    ticketing.cancel(a)
    # Two places freed: the earliest (slot 1) first, then the next (slot 0); each held in its own slot.
    assert fresh(early).status == S.OFFERED and fresh(late).status == S.OFFERED
    assert fresh(slots[1]).held == 1 and fresh(slots[0]).held == 1 and fresh(slots[0]).confirmed == 0
    t = fresh(ticket)
    assert (t.confirmed, t.held) == (1, 2)
    ticketing.accept_offer(early)
    assert fresh(early).status == S.CONFIRMED and fresh(slots[1]).confirmed == 1


def test_one_freed_ticket_type_place_is_offered_once_first_come_first_served(setup):
    fair, ticket, slots = setup(slot_capacity=10, type_capacity=2)
    a = ticketing.register(fair=fair, request=req(ticket, slots[0], people=1))
    ticketing.register(fair=fair, request=req(ticket, slots[0], people=1, phone="13900000008"))
    w1 = ticketing.register(fair=fair, request=req(ticket, slots[2], people=1, phone="13900000001"))
    w2 = ticketing.register(fair=fair, request=req(ticket, slots[1], people=1, phone="13900000002"))
    w3 = ticketing.register(fair=fair, request=req(ticket, slots[0], people=1, phone="13900000003"))
    ticketing.cancel(a)
    assert [fresh(r).status for r in (w1, w2, w3)] == [S.OFFERED, S.WAITLISTED, S.WAITLISTED]
    t = fresh(ticket)
    assert t.confirmed + t.held == 2
    # The offer lapses: the place moves on to the next in line (slot 1), still once.
    assert ticketing.expire_offers(now=timezone.now() + timedelta(days=2)) == 1
    assert [fresh(r).status for r in (w1, w2, w3)] == [S.LAPSED, S.OFFERED, S.WAITLISTED]
    assert fresh(slots[2]).held == 0 and fresh(slots[1]).held == 1
    t = fresh(ticket)
    assert (t.confirmed, t.held) == (1, 1)


def test_the_earliest_waiting_group_blocks_smaller_later_ones_for_the_ticket_type(setup):
    fair, ticket, slots = setup(slot_capacity=10, type_capacity=3)
    a = ticketing.register(fair=fair, request=req(ticket, slots[0], people=1))
    ticketing.register(fair=fair, request=req(ticket, slots[0], people=2, phone="13900000008"))
    group = ticketing.register(fair=fair, request=req(ticket, slots[1], people=2, phone="13900000001"))
    single = ticketing.register(fair=fair, request=req(ticket, slots[2], people=1, phone="13900000002"))
    ticketing.cancel(a)
    # One place is free but the earliest waiting group needs two: nobody behind it jumps ahead.
    assert fresh(group).status == S.WAITLISTED and fresh(single).status == S.WAITLISTED
    assert fresh(ticket).confirmed == 2 and fresh(ticket).held == 0
    # Nor does a newcomer in a slot with room: the free place waits for the group.
    newcomer = ticketing.register(fair=fair, request=req(ticket, slots[3], people=1, phone="13900000004"))
    assert newcomer.status == S.WAITLISTED and fresh(ticket).confirmed == 2
    # Another cancellation frees two more: the group gets two, the single the third, the newcomer waits on.
    ticketing.cancel(Registration.objects.get(phone="13900000008"))
    assert [fresh(r).status for r in (group, single, newcomer)] == [S.OFFERED, S.OFFERED, S.WAITLISTED]
    assert fresh(slots[1]).held == 2 and fresh(slots[2]).held == 1
    assert fresh(ticket).held == 3 and fresh(ticket).confirmed == 0


def test_a_waiting_visitor_whose_slot_is_full_is_skipped_for_a_ticket_type_place(setup):
    """Slot 1 is itself full: its waiting visitor waits for the slot, so the freed ticket-type place goes to
    the next visitor whose slot has room."""
    fair, ticket, slots = setup(slot_capacity=2, type_capacity=4)
    a = ticketing.register(fair=fair, request=req(ticket, slots[0], people=2))
    ticketing.register(fair=fair, request=req(ticket, slots[1], people=2, phone="13900000008"))
    stuck = ticketing.register(fair=fair, request=req(ticket, slots[1], people=1, phone="13900000001"))
    assert stuck.status == S.WAITLISTED  # slot 1 full; ticket type has 0 left too
    later = ticketing.register(fair=fair, request=req(ticket, slots[2], people=1, phone="13900000002"))
    assert later.status == S.WAITLISTED  # ticket type full
    ticketing.cancel(a)
    assert fresh(stuck).status == S.WAITLISTED and fresh(later).status == S.OFFERED
    assert fresh(slots[1]).held == 0 and fresh(slots[2]).held == 1


def test_released_unpaid_ticket_offers_the_ticket_type_place_in_another_slot(setup, django_user_model):
    fair, ticket, slots = setup(price="30.00", slot_capacity=10, type_capacity=1)
    held = ticketing.register(fair=fair, request=req(ticket, slots[0]))  # a guest's order, held
    waiting = ticketing.register(fair=fair, request=req(ticket, slots[1], phone="13900000001"))
    assert held.status == S.HELD and waiting.status == S.WAITLISTED
    checkout.expire_unpaid_orders(now=held.order.payment_due_at + timedelta(minutes=1))
    assert fresh(held).status == S.RELEASED and fresh(waiting).status == S.OFFERED
    assert fresh(slots[1]).held == 1 and fresh(ticket).held == 1


def test_someone_joining_a_waiting_list_while_a_place_is_freed_is_locked_and_offered(setup, monkeypatch):
    """The slots to lock are read before the locks; a visitor who joins another slot's waiting list in between
    (simulated: the first read misses them) is noticed under the ticket-type lock, the locks are taken again
    with that slot, and the freed place is offered to them rather than left free."""
    fair, ticket, slots = setup(slot_capacity=10, type_capacity=1)
    a = ticketing.register(fair=fair, request=req(ticket, slots[0]))
    joined = ticketing.register(fair=fair, request=req(ticket, slots[1], phone="13900000001"))
    assert joined.status == S.WAITLISTED
    real, calls = ticketing._waiting_slot_ids, []

    def stale_first(ticket_type_id):
        calls.append(ticket_type_id)
        return [] if len(calls) == 1 else real(ticket_type_id)

    monkeypatch.setattr(ticketing, "_waiting_slot_ids", stale_first)
    ticketing.cancel(a)
    assert len(calls) >= 3  # stale read, the check under the lock, the second round
    assert fresh(joined).status == S.OFFERED and fresh(slots[1]).held == 1 and fresh(ticket).held == 1
