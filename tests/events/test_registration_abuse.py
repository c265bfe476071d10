"""Registration abuse (#18 point 3): one active registration per mobile number per slot (raised per ticket type),
a short hold for paid tickets registered without an account, and a picture challenge after repeated attempts."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from captcha.models import CaptchaStore
from django.conf import settings as django_settings
from django.utils import timezone, translation

from cms.errors import DomainError
from events.models import Registration, TicketType
from events.registration import services as ticketing
from events.registration.services import RegistrationRequest
from marketplace.checkout.models import PaymentMethod

pytestmark = pytest.mark.django_db
S = Registration.Status


@pytest.fixture(autouse=True)
def default_language():
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def scene(make_fair):
    today = timezone.localdate()
    fair = make_fair(start_date=today + timedelta(days=3), end_date=today + timedelta(days=4), stalls=0)
    free = TicketType.objects.create(fair=fair, name="普通票", price=Decimal("0"), capacity=100, per_person_limit=4)
    paid = TicketType.objects.create(fair=fair, name="品鉴票", price=Decimal("30"), capacity=100, per_person_limit=4)
    slots = ticketing.create_slots(
        fair=fair, days=ticketing.fair_days(fair), times=[(time(9), time(12)), (time(13), time(17))], capacity=50
    )
    return fair, free, paid, slots


def req(ticket, slot, phone="13800138000", **kw):
    return RegistrationRequest(ticket_type=ticket, slot=slot, name="张三", phone=phone, **kw)


# -- one active registration per mobile number per slot ---------------------------------------------------------


def test_second_registration_of_a_number_in_a_slot_is_refused_and_changes_nothing(scene):
    fair, free, paid, slots = scene
    ticketing.register(fair=fair, request=req(free, slots[0]))
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(free, slots[0], phone="+86 138 0013 8000"))
    assert err.value.code == "phone_limit" and err.value.field == "phone"
    assert "手机号" in err.value.message
    with pytest.raises(DomainError):  # another ticket type in the same slot counts too
        ticketing.register(fair=fair, request=req(paid, slots[0]))
    assert Registration.objects.count() == 1
    slots[0].refresh_from_db()
    assert slots[0].confirmed == 1 and slots[0].held == 0
    # Another slot, another number: fine. A cancelled registration no longer counts.
    ticketing.register(fair=fair, request=req(free, slots[1]))
    ticketing.register(fair=fair, request=req(free, slots[0], phone="13900139000"))
    ticketing.cancel(Registration.objects.filter(phone="13800138000", slot=slots[0]).get())
    assert ticketing.register(fair=fair, request=req(free, slots[0])).status == S.CONFIRMED


def test_english_message(scene):
    fair, free, paid, slots = scene
    ticketing.register(fair=fair, request=req(free, slots[0]))
    translation.activate("en")
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(free, slots[0]))
    assert "This mobile number already has 1 registration" in err.value.message


def test_organiser_can_raise_the_limit_per_ticket_type(scene):
    fair, free, paid, slots = scene
    free.registrations_per_phone = 3
    free.save()
    for _ in range(3):
        ticketing.register(fair=fair, request=req(free, slots[0]))
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=req(free, slots[0]))
    assert err.value.code == "phone_limit" and "3" in err.value.message


def test_changing_slot_into_one_where_the_number_is_registered_is_refused(scene):
    fair, free, paid, slots = scene
    ticketing.register(fair=fair, request=req(free, slots[0]))
    other = ticketing.register(fair=fair, request=req(free, slots[1]))
    with pytest.raises(DomainError) as err:
        ticketing.change_slot(other, slots[0])
    assert err.value.code == "phone_limit"
    assert Registration.objects.get(pk=other.pk).slot_id == slots[1].pk


def test_api_answers_409_phone_limit(client, scene):
    fair, free, paid, slots = scene
    url = f"/api/fairs/{fair.pk}/registrations/"
    body = {
        "ticket_type": free.pk,
        "slot": slots[0].pk,
        "name": "张三",
        "phone": "13800138000",
        "people": 1,
        "consent": True,
    }
    assert client.post(url, body, content_type="application/json").status_code == 201
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "phone_limit"
    assert Registration.objects.count() == 1


# -- a short hold for paid tickets without an account -----------------------------------------------------------


@pytest.mark.parametrize(
    "method, hold",
    [(PaymentMethod.ALIPAY, timedelta(minutes=30)), (PaymentMethod.BANK_TRANSFER, timedelta(hours=24))],
)
def test_guest_paid_ticket_holds_briefly(scene, method, hold, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_x", "pk_test_x"  # online payment offered
    fair, free, paid, slots = scene
    now = timezone.now()
    reg = ticketing.register(fair=fair, request=req(paid, slots[0], payment_method=method), now=now)
    assert reg.status == S.HELD
    assert reg.order.payment_due_at == now + hold


def test_guest_hold_follows_settings(scene, settings):
    settings.EVENTS_GUEST_BANK_TRANSFER_HOURS = 2
    fair, free, paid, slots = scene
    now = timezone.now()
    reg = ticketing.register(
        fair=fair, request=req(paid, slots[0], payment_method=PaymentMethod.BANK_TRANSFER), now=now
    )
    assert reg.order.payment_due_at == now + timedelta(hours=2)


def test_account_holder_keeps_the_checkout_window(scene, django_user_model):
    fair, free, paid, slots = scene
    user = django_user_model.objects.create_user("13800138000", "", "pw")
    now = timezone.now()
    # The fair's last slot (day 4, 13:00) starts after the 72-hour window whatever the time of day; an earlier
    # slot would cut the window at its start.
    last = slots[-1]
    reg = ticketing.register(
        fair=fair, request=req(paid, last, payment_method=PaymentMethod.BANK_TRANSFER), user=user, now=now
    )
    assert now + timedelta(hours=django_settings.CHECKOUT_BANK_TRANSFER_HOURS) < last.start_datetime()
    assert reg.order.payment_due_at == now + timedelta(hours=django_settings.CHECKOUT_BANK_TRANSFER_HOURS)


# -- a picture challenge after repeated attempts from one address ----------------------------------------------


def form(ticket, slot, phone, **kw):
    return {
        "phone": phone,
        "name": "张三",
        "ticket_type": ticket.pk,
        "slot": slot.pk,
        "people": 1,
        "consent": "on",
        **kw,
    }


def test_challenge_after_five_attempts_from_one_address(client, scene):
    fair, free, paid, slots = scene
    url = fair.url + "register/"
    assert 'name="captcha_1"' not in client.get(url).content.decode()
    for _ in range(5):  # five posts (here all refused: the number is bad), no challenge yet
        response = client.post(url, form(free, slots[0], "123"))
        assert response.status_code == 200 and 'name="captcha_1"' not in response.content.decode()
    page = client.get(url).content.decode()
    assert 'name="captcha_1"' in page and "/captcha/image/" in page
    # Without (or with a wrong) answer: refused with a message, nothing registered.
    response = client.post(url, form(free, slots[0], "13800138000"))
    assert response.status_code == 200 and response.context["form"].errors["captcha"]
    key = CaptchaStore.objects.order_by("-pk").first().hashkey
    response = client.post(url, form(free, slots[0], "13800138000", captcha_0=key, captcha_1="wrong"))
    assert "图片中的字符" in response.content.decode()
    assert not Registration.objects.exists()
    # Another address is not challenged; the right answer registers.
    assert 'name="captcha_1"' not in client.get(url, REMOTE_ADDR="10.0.0.7").content.decode()
    store = CaptchaStore.objects.order_by("-pk").first()
    image = client.get(f"/captcha/image/{store.hashkey}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    response = client.post(url, form(free, slots[0], "13800138000", captcha_0=store.hashkey, captcha_1=store.response))
    assert response.status_code == 302 and Registration.objects.count() == 1


def test_api_without_account_is_limited_per_address(client, scene, settings):
    settings.EVENTS_REGISTER_API_RATE = "3/10m"
    fair, free, paid, slots = scene
    url = f"/api/fairs/{fair.pk}/registrations/"
    for i in range(3):
        body = {
            "ticket_type": free.pk,
            "slot": slots[0].pk,
            "name": "张三",
            "phone": f"1380013800{i}",
            "people": 1,
            "consent": True,
        }
        assert client.post(url, body, content_type="application/json").status_code == 201
    body["phone"] = "13800138009"
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert 0 < int(refused["Retry-After"]) <= 600
    assert Registration.objects.count() == 3
