"""Paid tickets without an account: the registration holds its places with a guest's order (no buyer, the
guest's contact, an unguessable access token), which the guest reaches through the session or the private
link, pays (Stripe page or bank transfer) and cancels; confirmed when paid, released on expiry. Every place
that read `order.buyer` copes with a guest: e-mails, staff list, detail and export, the API."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cms.errors import DomainError
from events.models import Registration, TicketType
from events.registration import services as ticketing
from events.registration.services import RegistrationRequest
from events.registration.tickets import manage_path
from marketplace.checkout import exports, services
from marketplace.checkout.models import Order, OrderEvent, PaymentMethod
from marketplace.checkout.order_access import GUEST_ORDERS_SESSION_KEY

pytestmark = pytest.mark.django_db

S = Registration.Status


@pytest.fixture
def paid(make_fair):
    today = timezone.localdate()
    fair = make_fair(start_date=today + timedelta(days=30), end_date=today + timedelta(days=31), stalls=0)
    ticket = TicketType.objects.create(
        fair=fair, name="品鉴票", price=Decimal("30.00"), capacity=100, per_person_limit=4
    )
    slots = ticketing.create_slots(fair=fair, days=[fair.start_date], times=[(time(9), time(11))], capacity=4)
    return fair, ticket, slots[0]


def guest_register(fair, ticket, slot, *, people=1, method="bank_transfer", email="guest@example.cn", phone=None):
    return ticketing.register(
        fair=fair,
        request=RegistrationRequest(
            ticket_type=ticket,
            slot=slot,
            name="王五",
            phone=phone or "13600136000",
            email=email,
            people=people,
            payment_method=method,
        ),
    )


def fresh(obj):
    obj.refresh_from_db()
    return obj


# -- services -----------------------------------------------------------------------------------------------


def test_guest_paid_registration_is_held_with_a_guest_order_and_confirmed_when_paid(paid, organiser):
    fair, ticket, slot = paid
    reg = guest_register(fair, ticket, slot, people=2)
    order = reg.order
    assert reg.status == S.HELD and reg.user is None
    assert order.buyer is None and order.is_guest
    assert (order.guest_name, order.guest_phone, order.guest_email) == ("王五", "13600136000", "guest@example.cn")
    assert len(order.access_token) >= 40 and order.total == Decimal("60.00")
    assert order.payment_reference and order.status == Order.Status.PENDING_PAYMENT
    assert fresh(slot).held == 2 and fresh(ticket).held == 2
    assert OrderEvent.objects.get(order=order, action="placed").data == {"total": "60.00", "guest": True}
    # Two guests' orders never clash on the (buyer, idempotency key) constraint: both have no key.
    other = guest_register(fair, ticket, slot, phone="13600136001")
    assert other.order.access_token != order.access_token
    services.record_bank_transfer(
        order, amount=order.total, received_on="2026-01-01", bank_reference="B-guest", user=organiser
    )
    reg = fresh(reg)
    assert reg.status == S.CONFIRMED and fresh(slot).confirmed == 2 and fresh(slot).held == 1
    assert fresh(order).status == Order.Status.PAID


def test_guest_order_mails_go_to_the_guest_with_the_private_link(paid, django_capture_on_commit_callbacks):
    fair, ticket, slot = paid
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reg = guest_register(fair, ticket, slot)
    order_mails = [m for m in mail.outbox if reg.order.number in m.subject]
    assert order_mails, [m.subject for m in mail.outbox]
    assert order_mails[0].to == ["guest@example.cn"]
    assert reverse("order_access", args=[reg.order.access_token]) in order_mails[0].body
    # Without an e-mail address the guest gets no order mail (the link goes by SMS: see test_sms_notices).
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        quiet = guest_register(fair, ticket, slot, email="", phone="13600136002")
    assert quiet.status == S.HELD and not [m for m in mail.outbox if quiet.order.number in m.subject]


def test_unpaid_guest_order_expires_and_releases_the_places(paid):
    fair, ticket, slot = paid
    reg = guest_register(fair, ticket, slot, people=2)
    assert services.expire_unpaid_orders(now=reg.order.payment_due_at + timedelta(minutes=1)) == [reg.order.number]
    assert fresh(reg).status == S.RELEASED and fresh(slot).held == 0 and fresh(ticket).held == 0


def test_guest_cancel_needs_the_access_token(paid):
    fair, ticket, slot = paid
    reg = guest_register(fair, ticket, slot)
    order = reg.order
    for token in (None, "", "x" * 43):
        with pytest.raises(DomainError) as err:
            services.cancel_order(order, user=None, access_token=token)
        assert err.value.code == "forbidden"
    services.cancel_order(order, user=None, access_token=order.access_token)
    assert fresh(order).status == Order.Status.CANCELLED and fresh(reg).status == S.CANCELLED
    assert fresh(slot).held == 0


def test_guest_orders_need_a_contact_and_product_orders_an_account(paid):
    with pytest.raises(DomainError) as err:
        services.place_fee_order(
            buyer=None,
            fees=[services.Fee(kind="ticket", name="票", unit_price=Decimal("1.00"))],
            payment_method=PaymentMethod.ALIPAY,
        )
    assert err.value.code == "invalid"
    with pytest.raises(DomainError) as err:
        services.place_fee_order(
            buyer=None,
            fees=[services.Fee(kind="ticket", name="票", unit_price=Decimal("1.00"))],
            payment_method=PaymentMethod.ALIPAY,
            guest=services.GuestContact(name="王五", phone=" "),
        )
    assert err.value.code == "invalid"
    with pytest.raises(DomainError) as err:
        services.place_order(buyer=None, lines=[services.LineRequest(1, 1)], payment_method=PaymentMethod.ALIPAY)
    assert err.value.code == "login_required"
    # The database refuses an order with neither a buyer nor a guest's token and phone.
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(buyer=None, payment_method="alipay", total=Decimal("1.00"))


def test_logged_in_paid_registration_still_belongs_to_the_account(paid, django_user_model):
    fair, ticket, slot = paid
    user = django_user_model.objects.create_user("13700137000", "b@example.com", "pw")
    reg = ticketing.register(
        fair=fair,
        user=user,
        request=RegistrationRequest(ticket_type=ticket, slot=slot, name="张三", phone="13700137000"),
    )
    assert reg.order.buyer == user and reg.order.access_token is None and reg.order.guest_phone == ""


# -- pages --------------------------------------------------------------------------------------------------


def form_data(ticket, slot, **kw):
    return {
        "phone": "13600136000",
        "name": "王五",
        "email": "guest@example.cn",
        "ticket_type": ticket.pk,
        "slot": slot.pk,
        "people": 1,
        "join_waitlist": "on",
        "payment_method": "bank_transfer",
        "consent": "on",
        **kw,
    }


def test_guest_registers_a_paid_ticket_on_the_page_and_sees_the_bank_transfer_order(client, paid):
    fair, ticket, slot = paid
    response = client.post(fair.url + "register/", form_data(ticket, slot))
    reg = Registration.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("order_detail", args=[reg.order.number])
    assert client.session[GUEST_ORDERS_SESSION_KEY] == {reg.order.number: reg.order.access_token}
    page = client.get(response["Location"]).content.decode()
    assert reg.order.payment_reference in page and "data-guest-order" in page and "60.00" not in page
    assert "30.00" in page
    # The order page leads back to the ticket page (the registration's manage link) in this browser.
    assert f'href="{manage_path(reg)}" data-related-link' in page
    # The ticket page's "Pay now" is the private link, never the bare order number.
    manage = client.get(manage_path(reg)).content.decode()
    assert reverse("order_access", args=[reg.order.access_token]) in manage


def test_guest_order_pages_need_the_token(client, paid, django_user_model):
    fair, ticket, slot = paid
    reg = guest_register(fair, ticket, slot)
    order = reg.order
    detail = reverse("order_detail", args=[order.number])
    # No token in this browser: the login page, as for any order page.
    response = client.get(detail)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("order_access", args=["not-the-token"])).status_code == 404
    # Someone else's account does not open it either.
    other = django_user_model.objects.create_user("13900139000", "", "pw")
    client.force_login(other)
    assert client.get(detail).status_code == 404
    assert client.post(reverse("order_cancel", args=[order.number])).status_code == 404
    client.logout()
    # The private link opens it and remembers it for the order pages.
    response = client.get(reverse("order_access", args=[order.access_token]))
    assert response.status_code == 302 and response["Location"] == detail
    response = client.get(detail)
    assert response.status_code == 200 and order.number in response.content.decode()
    assert "data-related-link" not in response.content.decode()  # this browser never saw the ticket page
    # A session with a wrong token for this number is still refused.
    session = client.session
    session[GUEST_ORDERS_SESSION_KEY] = {order.number: "x" * 43}
    session.save()
    assert client.get(detail).status_code == 404


def test_guest_cancels_from_the_order_page_and_the_places_return(client, paid):
    fair, ticket, slot = paid
    reg = guest_register(fair, ticket, slot, people=2)
    client.get(reverse("order_access", args=[reg.order.access_token]))
    response = client.post(reverse("order_cancel", args=[reg.order.number]))
    assert response.status_code == 302
    assert fresh(reg.order).status == Order.Status.CANCELLED and fresh(reg).status == S.CANCELLED
    assert fresh(slot).held == 0


def test_guest_pays_online_through_the_private_link(client, paid, settings, stripe_fake):
    """Against localstripe: the guest reaches the Stripe page with the order's token, the fake plays Stripe.js's
    confirmation, and the return page finds the order paid and the ticket confirmed."""
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_shanhai"
    settings.STRIPE_JS_URL = "http://127.0.0.1:9/stripe.js"
    fair, ticket, slot = paid
    reg = guest_register(fair, ticket, slot, method="card")
    order = reg.order
    pay = reverse("order_pay", args=[order.number])
    assert client.get(pay).status_code == 302  # no token yet: login page
    client.get(reverse("order_access", args=[order.access_token]))
    page = client.get(pay).content.decode()
    payment = order.payments.get()
    assert payment.stripe_client_secret and f'data-client-secret="{payment.stripe_client_secret}"' in page
    assert reverse("order_pay_return", args=[order.number]) in page
    assert fresh(reg).status == S.HELD

    stripe_fake.confirm_in_browser(payment.stripe_payment_intent)
    response = client.get(reverse("order_pay_return", args=[order.number]))
    assert response["Location"] == reverse("order_detail", args=[order.number])
    assert fresh(order).status == Order.Status.PAID and fresh(reg).status == S.CONFIRMED
    intent = stripe_fake.intent(payment.stripe_payment_intent)
    assert (intent["status"], intent["amount"], intent["currency"]) == ("succeeded", int(order.total * 100), "cny")


# -- staff and the API ----------------------------------------------------------------------------------------


def test_staff_see_and_export_the_guest_as_buyer(client, paid, organiser):
    fair, ticket, slot = paid
    reg = guest_register(fair, ticket, slot)
    order = reg.order
    row = next(exports.staff_order_rows([order]))
    assert "王五" in row["buyer"] and "13600136000" in row["buyer"]
    client.force_login(organiser)
    listing = client.get("/admin/orders/", {"q": "13600136000"}).content.decode()
    assert order.number in listing and "13600136000" in listing
    detail = client.get(f"/admin/orders/{order.pk}/").content.decode()
    assert "王五" in detail and "guest@example.cn" in detail


def test_api_guest_registers_a_paid_ticket_and_gets_the_payment_link(client, paid):
    fair, ticket, slot = paid
    body = {
        "ticket_type": ticket.pk,
        "slot": slot.pk,
        "name": "王五",
        "phone": "13600136000",
        "payment_method": "bank_transfer",
        "consent": True,
    }
    response = client.post(f"/api/fairs/{fair.pk}/registrations/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    order = Order.objects.get(number=data["order"])
    assert data["status"] == "held" and data["order_status"] == "pending_payment"
    assert data["payment_url"] == reverse("order_access", args=[order.access_token]) and order.buyer is None
    assert client.get(data["payment_url"]).status_code == 302
    got = client.get(f"/api/registrations/{data['secret']}/").json()
    assert got["payment_url"] == data["payment_url"] and got["order_status"] == "pending_payment"
    bad = client.post(
        f"/api/fairs/{fair.pk}/registrations/", {**body, "payment_method": "cash"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_payment_method"


def test_free_tickets_have_no_payment_link_in_the_api(client, paid):
    fair, ticket, slot = paid
    ticket.price = Decimal("0")
    ticket.save()
    body = {"ticket_type": ticket.pk, "slot": slot.pk, "name": "王五", "phone": "13600136000", "consent": True}
    data = client.post(f"/api/fairs/{fair.pk}/registrations/", body, content_type="application/json").json()
    assert data["status"] == "confirmed" and data["payment_url"] is None and data["order_status"] is None


def test_register_refuses_a_guest_with_a_bad_phone_and_keeps_places(paid):
    fair, ticket, slot = paid
    with pytest.raises(DomainError) as err:
        guest_register(fair, ticket, slot, phone="12345")
    assert err.value.code == "invalid_phone"
    assert not Order.objects.exists() and fresh(slot).held == 0
