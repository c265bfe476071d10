"""Paid fair tickets and stall fees offer only the payment methods that can be paid now: without Stripe, bank
transfer is the pre-selected only choice and an online method is refused before any place or stall is held; the
guest's order page switches methods while the places stay held, and the new deadline respects the time slot
(tickets) or the hold deadline (stalls). Cancelling a registration and releasing a stall ask for confirmation."""

import re
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.errors import DomainError
from events.models import FairPage, Registration, StallBooking, TicketType
from events.registration import services as ticketing
from events.registration.services import RegistrationRequest
from events.registration.tickets import manage_path
from events.stalls import services as stall_services
from marketplace.checkout import services as checkout
from marketplace.checkout.models import Order, PaymentMethod
from tests.factories import stall

pytestmark = pytest.mark.django_db

S = Registration.Status


@pytest.fixture
def no_stripe(settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    return settings


@pytest.fixture
def paid(make_fair):
    today = timezone.localdate()
    fair = make_fair(start_date=today + timedelta(days=30), end_date=today + timedelta(days=31), stalls=0)
    ticket = TicketType.objects.create(
        fair=fair, name="品鉴票", price=Decimal("30.00"), capacity=100, per_person_limit=4
    )
    (slot,) = ticketing.create_slots(fair=fair, days=[fair.start_date], times=[(time(9), time(11))], capacity=4)
    return fair, ticket, slot


def form_data(ticket, slot, **extra):
    return {
        "phone": "13600136000",
        "name": "王五",
        "ticket_type": ticket.pk,
        "slot": slot.pk,
        "people": 2,
        "consent": "on",
        **extra,
    }


def fresh(obj):
    obj.refresh_from_db()
    return obj


def register(fair, ticket, slot, method="", people=1, phone="13600136000"):
    return ticketing.register(
        fair=fair,
        request=RegistrationRequest(
            ticket_type=ticket, slot=slot, name="王五", phone=phone, people=people, payment_method=method
        ),
    )


# -- the registration form ---------------------------------------------------------------------------------


def test_without_stripe_the_form_states_bank_transfer_and_the_visitor_lands_on_the_transfer_details(
    client, no_stripe, paid
):
    fair, ticket, slot = paid
    url = fair.url + "register/"
    page = client.get(url).content.decode()
    assert 'data-payment-method="bank_transfer"' in page
    assert '<input type="hidden" name="payment_method" value="bank_transfer">' in page
    assert 'type="radio" name="payment_method"' not in page and '<select name="payment_method"' not in page
    for method in ("card", "alipay", "wechat_pay"):
        assert f'value="{method}"' not in page

    response = client.post(url, form_data(ticket, slot, payment_method="bank_transfer"))
    reg = Registration.objects.get()
    assert reg.status == S.HELD and reg.order.payment_method == "bank_transfer" and reg.order.buyer is None
    assert response["Location"] == reverse("order_detail", args=[reg.order.number])
    order_page = client.get(response["Location"]).content.decode()
    assert reg.order.payment_reference in order_page and 'data-bank="number"' in order_page
    assert "order_pay" not in order_page and reverse("order_pay", args=[reg.order.number]) not in order_page


def test_an_online_method_without_stripe_is_refused_and_nothing_is_held(client, no_stripe, paid):
    fair, ticket, slot = paid
    response = client.post(fair.url + "register/", form_data(ticket, slot, payment_method="alipay"))
    assert response.status_code == 200 and response.context["form"].errors["payment_method"]
    assert not Registration.objects.exists() and not Order.objects.exists() and fresh(slot).held == 0
    with pytest.raises(DomainError) as refused:
        register(fair, ticket, slot, method="card")
    assert refused.value.code == "invalid_payment_method" and refused.value.field == "payment_method"
    assert not Registration.objects.exists() and fresh(slot).held == 0


def test_no_method_given_means_the_default_one(no_stripe, paid):
    fair, ticket, slot = paid
    reg = register(fair, ticket, slot)
    assert reg.status == S.HELD and reg.order.payment_method == "bank_transfer" and reg.order.payment_reference


def test_with_stripe_the_form_offers_every_method_with_the_first_checked(client, stripe_settings, paid):
    fair, ticket, _slot = paid
    page = client.get(fair.url + "register/").content.decode()
    for method in ("card", "alipay", "wechat_pay", "bank_transfer"):
        assert f'name="payment_method" value="{method}"' in page
    assert re.search(r'name="payment_method" value="card"[^>]*checked', page)


def test_a_waiting_list_offer_taken_without_stripe_is_paid_by_bank_transfer(no_stripe, paid, django_user_model):
    fair, ticket, slot = paid
    first = register(fair, ticket, slot, people=4)
    waiting = register(fair, ticket, slot, people=2, phone="13700137000")
    assert waiting.status == S.WAITLISTED
    checkout.cancel_order(first.order, user=None, by_staff=True)
    waiting = fresh(waiting)
    assert waiting.status == S.OFFERED
    accepted = ticketing.accept_offer(waiting)
    assert accepted.status == S.HELD and accepted.order.payment_method == "bank_transfer"


# -- the API ---------------------------------------------------------------------------------------------------


def test_api_refuses_an_online_method_without_stripe_and_holds_nothing(client, no_stripe, paid):
    fair, ticket, slot = paid
    body = {"ticket_type": ticket.pk, "slot": slot.pk, "name": "王五", "phone": "13600136000", "consent": True}
    url = f"/api/fairs/{fair.pk}/registrations/?lang=en"
    for method in ("alipay", "card", "wechat_pay"):
        response = client.post(url, {**body, "payment_method": method}, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_payment_method" and "bank transfer" in response.json()["message"]
    assert not Registration.objects.exists() and fresh(slot).held == 0
    # Without a method: the default one (bank transfer here).
    data = client.post(url, body, content_type="application/json").json()
    assert data["status"] == "held" and Order.objects.get(number=data["order"]).payment_method == "bank_transfer"


def test_api_stall_booking_refuses_an_online_method_without_stripe(client, no_stripe, make_fair, vendor_user):
    fair = make_fair(booking_mode=FairPage.Booking.SELF)
    _vendor, user = vendor_user()
    client.force_login(user)
    url = f"/api/fairs/{fair.pk}/stall-bookings/"
    response = client.post(url, {"stall": stall(fair, "A01").pk, "payment_method": "card"}, "application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_payment_method"
    assert not StallBooking.objects.exists() and not Order.objects.exists()


# -- switching methods -----------------------------------------------------------------------------------------


def test_guest_switches_from_online_to_bank_transfer_on_the_private_link_and_keeps_the_places(
    client, stripe_settings, paid
):
    fair, ticket, slot = paid
    reg = register(fair, ticket, slot, method="card", people=2)
    order = reg.order
    assert fresh(slot).held == 2
    # The private link (e.g. opened on another phone) leads to the order page, which offers the switch.
    response = client.get(reverse("order_access", args=[order.access_token]), follow=True)
    page = response.content.decode()
    switch_url = reverse("order_payment_method", args=[order.number])
    assert f'action="{switch_url}"' in page and "data-guest-order" in page
    response = client.post(switch_url, {"payment_method": "bank_transfer"})
    assert response["Location"] == reverse("order_detail", args=[order.number])
    order = fresh(order)
    assert order.payment_method == "bank_transfer" and order.payment_reference
    assert fresh(reg).status == S.HELD and fresh(reg).order_id == order.pk and fresh(slot).held == 2
    page = client.get(response["Location"]).content.decode()
    assert order.payment_reference in page
    # A browser without the link cannot switch it.
    other = client.__class__()
    assert other.post(switch_url, {"payment_method": "card"}).status_code == 302  # to the login page
    assert fresh(order).payment_method == "bank_transfer"


def test_a_ticket_stays_due_before_its_time_slot_whatever_the_method(stripe_settings, make_fair):
    # Tomorrow at 10:00 is 10 to 34 hours away whatever the time of day: sooner than a transfer's 72 hours.
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    fair = make_fair(start_date=today, end_date=tomorrow, stalls=0)
    ticket = TicketType.objects.create(fair=fair, name="品鉴票", price=Decimal("30.00"), capacity=10)
    (slot,) = ticketing.create_slots(fair=fair, days=[tomorrow], times=[(time(10), time(18))], capacity=5)
    reg = register(fair, ticket, slot, method="alipay")
    order = checkout.change_payment_method(reg.order, PaymentMethod.BANK_TRANSFER, by_staff=True)
    assert slot.start_datetime() - timezone.now() < timedelta(hours=72)
    assert order.payment_due_at == slot.start_datetime()  # not 72 hours from now: the slot starts sooner


def test_a_stall_fee_keeps_its_hold_deadline_when_switching(stripe_settings, make_fair, vendor_user):
    fair = make_fair(booking_mode=FairPage.Booking.SELF)
    vendor, user = vendor_user()
    booking = stall_services.self_book(fair=fair, vendor=vendor, user=user, stall=stall(fair, "A01"))
    order = booking.order
    assert order.payment_method == "bank_transfer" and order.payment_due_at == booking.hold_until
    order = checkout.change_payment_method(order, PaymentMethod.CARD, user=user)
    assert order.payment_method == "card" and order.payment_due_at == fresh(booking).hold_until
    assert fresh(booking).status == StallBooking.Status.HELD


def test_the_stall_booking_page_states_bank_transfer_without_stripe(client, no_stripe, make_fair, vendor_user):
    fair = make_fair(booking_mode=FairPage.Booking.SELF)
    _vendor, user = vendor_user()
    client.force_login(user)
    page = client.get(f"{fair.url}book/{stall(fair, 'A01').pk}/").content.decode()
    assert '<input type="hidden" name="payment_method" value="bank_transfer">' in page
    assert 'value="card"' not in page


# -- confirmations ----------------------------------------------------------------------------------------------


def test_cancelling_a_registration_and_releasing_a_stall_ask_first(client, no_stripe, paid, make_fair, vendor_user):
    fair, ticket, slot = paid
    reg = register(fair, ticket, slot)
    page = client.get(f"/en{manage_path(reg)}").content.decode()
    assert 'data-confirm="Cancel this registration?' in page and 'data-confirm-keep="Keep my registration"' in page

    stall_fair = make_fair(booking_mode=FairPage.Booking.SELF)
    vendor, user = vendor_user()
    stall_services.self_book(fair=stall_fair, vendor=vendor, user=user, stall=stall(stall_fair, "A01"))
    client.force_login(user)
    page = client.get(stall_fair.get_parent().url + "mine/").content.decode()
    assert "data-confirm=" in page and "A01" in page and 'data-confirm-ok="' in page
