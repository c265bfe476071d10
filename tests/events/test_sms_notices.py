"""Visitors and exhibitors reached by SMS: a guest with only a mobile number gets the private order link of a
paid ticket by SMS, and the order page says where the link went; a visitor without e-mail gets the ticket
link; a vendor hears of stall decisions by SMS as well as e-mail."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from cms import sms
from events.models import Registration, TicketType
from events.registration import services as ticketing
from events.registration.services import RegistrationRequest
from events.stalls import services
from marketplace.models import VendorPage
from tests.factories import stall

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"
GUEST = "13600136002"
VENDOR_PHONE = "13700137000"


@pytest.fixture
def tickets(make_fair):
    today = timezone.localdate()
    fair = make_fair(start_date=today + timedelta(days=30), end_date=today + timedelta(days=31), stalls=0)
    paid = TicketType.objects.create(fair=fair, name="品鉴票", price=Decimal("30.00"), capacity=100, per_person_limit=4)
    free = TicketType.objects.create(fair=fair, name="普通票", price=Decimal("0.00"), capacity=100, per_person_limit=4)
    (slot,) = ticketing.create_slots(fair=fair, days=[fair.start_date], times=[(time(9), time(11))], capacity=10)
    return fair, paid, free, slot


def register(fair, ticket, slot, *, email="", phone=GUEST):
    return ticketing.register(
        fair=fair,
        request=RegistrationRequest(
            ticket_type=ticket,
            slot=slot,
            name="王五",
            phone=phone,
            email=email,
            people=1,
            payment_method="bank_transfer",
        ),
    )


def path(link):
    assert link.startswith(BASE + "/"), link
    return link.removeprefix(BASE)


@override_settings(WAGTAILADMIN_BASE_URL=BASE)
def test_guest_with_only_a_phone_gets_the_private_order_link_by_sms(
    client, tickets, django_capture_on_commit_callbacks
):
    fair, paid, _free, slot = tickets
    with django_capture_on_commit_callbacks(execute=True):
        reg = register(fair, paid, slot)
    assert reg.status == Registration.Status.HELD and mail.outbox == []
    ((phone, key, params),) = [(m.phone, m.template, m.params) for m in sms.outbox]  # one SMS, not two
    assert (phone, key, params["number"]) == (GUEST, "order_placed", reg.order.number)
    assert params["link"] == f"{BASE}/orders/guest/{reg.order.access_token}/"
    # The link works in a browser that has never seen the order, and the page says where the link went.
    response = client.get(path(params["link"]), follow=True)
    assert response.status_code == 200 and reg.order.number in response.content.decode()
    page = response.content.decode()
    assert "136****6002" in page and "短信" in page and "请保存我们发给您的链接" not in page


def test_guest_with_an_email_gets_it_by_email_and_the_page_says_so(client, tickets, django_capture_on_commit_callbacks):
    fair, paid, _free, slot = tickets
    with django_capture_on_commit_callbacks(execute=True):
        reg = register(fair, paid, slot, email="guest@example.cn")
    assert [m.template for m in sms.outbox] == []
    assert [m.to for m in mail.outbox if reg.order.number in m.subject] == [["guest@example.cn"]]
    page = client.get(f"/orders/guest/{reg.order.access_token}/", follow=True).content.decode()
    assert "guest@example.cn" in page and "短信" not in page


@override_settings(WAGTAILADMIN_BASE_URL=BASE)
def test_free_ticket_reminder_and_cancel_by_sms(client, tickets, django_capture_on_commit_callbacks):
    fair, _paid, free, slot = tickets
    with django_capture_on_commit_callbacks(execute=True):
        reg = register(fair, free, slot)
    ((key, params),) = [(m.template, m.params) for m in sms.outbox if m.phone == GUEST]
    assert key == "ticket_confirmed" and params["code"] == reg.grouped_short_code
    response = client.get(path(params["link"]))
    assert response.status_code == 200 and reg.grouped_short_code in response.content.decode()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert ticketing.send_reminders(now=timezone.now() + timedelta(days=29)) == 1
    assert sms.outbox[-1].template == "ticket_reminder" and sms.outbox[-1].params["fair"] == fair.title
    with django_capture_on_commit_callbacks(execute=True):
        ticketing.cancel(reg)
    assert sms.outbox[-1].template == "ticket_cancelled"


def test_vendor_hears_of_stall_decisions_by_sms_and_email(
    fair, vendor_user, organiser, django_capture_on_commit_callbacks
):
    (v1, u1), (v2, u2) = vendor_user("甲"), vendor_user("乙")
    VendorPage.objects.filter(pk__in=[v1.pk, v2.pk]).update(contact_phone=VENDOR_PHONE)
    v1.refresh_from_db()
    v2.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        a1 = services.apply(fair=fair, vendor=v1, user=u1, request=services.ApplicationRequest())
        a2 = services.apply(fair=fair, vendor=v2, user=u2, request=services.ApplicationRequest())
        booking = services.approve(a1, stall=stall(fair, "A01"), user=organiser)
        services.waitlist(a2, user=organiser)
        services.reject(a2, user=organiser, reason="展位已满")
        services.send_payment_reminders(within=timedelta(days=30))
    keys = [m.template for m in sms.outbox if m.phone == VENDOR_PHONE]
    assert keys == [
        "stall_received",
        "stall_received",
        "stall_held",
        "stall_waitlisted",
        "stall_rejected",
        "stall_reminder",
    ]
    held = next(m for m in sms.outbox if m.template == "stall_held")
    assert held.params["stall"] == "A01" and booking.order.number in held.params["link"]
    assert "展位已满" in next(m for m in sms.outbox if m.template == "stall_rejected").text
    # E-mail as before: received, held, the fee order, reminder.
    assert len([m for m in mail.outbox if u1.email in m.to]) == 4


@override_settings(
    SMS_BACKEND="tests.checkout.test_sms_notices.DownProvider",
    EMAIL_BACKEND="tests.cms.test_notify.BrokenMail",
    SMS_MAX_ATTEMPTS=2,
)
def test_a_provider_failure_never_breaks_a_registration(tickets, django_capture_on_commit_callbacks, caplog):
    fair, paid, free, slot = tickets
    with django_capture_on_commit_callbacks(execute=True):
        held = register(fair, paid, slot)
        confirmed = register(fair, free, slot, email="v@example.cn", phone="13600136003")
    assert Registration.objects.get(pk=held.pk).status == Registration.Status.HELD
    assert Registration.objects.get(pk=confirmed.pk).status == Registration.Status.CONFIRMED
    assert sms.outbox == [] and "failed for good" in caplog.text
