"""Idempotency keys on the registration API (#18 point 8): a retried POST /api/fairs/{id}/registrations/ with the
same X-Idempotency-Key gets the first registration back and holds no further places; the same key with another
body is 422 `idempotency_mismatch` and changes nothing. The same mechanism as the order APIs
(cms.json_api.idempotency)."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cms.errors import DomainError
from cms.models import Consent
from events.models import Registration, TicketType
from events.registration import services as ticketing
from marketplace.checkout.models import Order

pytestmark = pytest.mark.django_db


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


def body(ticket, slot, **kw):
    return {
        "ticket_type": ticket.pk,
        "slot": slot.pk,
        "name": "张三",
        "phone": "13800138000",
        "people": 2,
        "consent": True,
        "payment_method": "bank_transfer",
        **kw,
    }


def post(client, fair, data, key=None):
    headers = {"HTTP_X_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(f"/api/fairs/{fair.pk}/registrations/", data, content_type="application/json", **headers)


def counters(slot, ticket):
    slot.refresh_from_db()
    ticket.refresh_from_db()
    return slot.confirmed, slot.held, ticket.confirmed, ticket.held


@pytest.mark.parametrize("paid", [False, True])
def test_retry_returns_the_same_registration_and_holds_nothing_more(client, scene, paid):
    fair, free, paid_ticket, slots = scene
    ticket = paid_ticket if paid else free
    first = post(client, fair, body(ticket, slots[0]), key="app-reg-1")
    assert first.status_code == 201, first.content
    held = counters(slots[0], ticket)
    assert sum(held) == 4  # two people, on the slot and on the ticket type
    again = post(client, fair, body(ticket, slots[0]), key="app-reg-1")
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"] and again.json()["secret"] == first.json()["secret"]
    assert again.json()["order"] == first.json()["order"]
    assert Registration.objects.count() == 1
    assert Order.objects.count() == (1 if paid else 0)
    assert counters(slots[0], ticket) == held
    assert Consent.objects.count() == 1  # recorded once, by the call that registered


def test_same_key_other_body_is_422_and_changes_nothing(client, scene):
    fair, free, paid, slots = scene
    assert post(client, fair, body(free, slots[0]), key="k-1").status_code == 201
    held = counters(slots[1], free)
    changed = post(client, fair, body(free, slots[1]), key="k-1")
    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency_mismatch" and changed.json()["message"]
    assert Registration.objects.count() == 1 and counters(slots[1], free) == held


def test_without_a_key_or_with_a_new_key_it_is_a_new_request(client, scene):
    fair, free, paid, slots = scene
    assert post(client, fair, body(free, slots[0]), key="k-1").status_code == 201
    # A new key is a new registration: here refused by the one-per-number rule, as without a key.
    assert post(client, fair, body(free, slots[0]), key="k-2").json()["code"] == "phone_limit"
    assert post(client, fair, body(free, slots[0])).json()["code"] == "phone_limit"
    assert post(client, fair, body(free, slots[1], phone="13900139000"), key="k-3").status_code == 201
    assert Registration.objects.count() == 2


def test_keys_are_per_account(client, scene, django_user_model):
    fair, free, paid, slots = scene
    anna = django_user_model.objects.create_user("13800138000", "", "pw")
    ben = django_user_model.objects.create_user("13900139000", "", "pw")
    client.force_login(anna)
    first = post(client, fair, body(free, slots[0]), key="same")
    client.force_login(ben)
    other = post(client, fair, body(free, slots[0], phone="13900139000", name="李四"), key="same")
    assert first.status_code == other.status_code == 201
    assert first.json()["id"] != other.json()["id"]


def test_too_long_key_is_400(client, scene):
    fair, free, paid, slots = scene
    answer = post(client, fair, body(free, slots[0]), key="x" * 81)
    assert answer.status_code == 400 and answer.json()["field"] == "X-Idempotency-Key"
    assert Registration.objects.count() == 0


def test_service_replays_and_refuses_another_fingerprint(scene):
    fair, free, paid, slots = scene
    request = ticketing.RegistrationRequest(ticket_type=free, slot=slots[0], name="张三", phone="13800138000")
    first = ticketing.register(fair=fair, request=request, idempotency_key="s-1", idempotency_fingerprint="a" * 64)
    again = ticketing.register(fair=fair, request=request, idempotency_key="s-1", idempotency_fingerprint="a" * 64)
    assert again.pk == first.pk and again.replayed and not first.replayed
    with pytest.raises(DomainError) as err:
        ticketing.register(fair=fair, request=request, idempotency_key="s-1", idempotency_fingerprint="b" * 64)
    assert err.value.code == "idempotency_mismatch"
    assert counters(slots[0], free) == (1, 0, 1, 0)


def test_openapi_documents_the_header_and_422(client):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/fairs/{fair_id}/registrations/"]["post"]
    assert any(p["name"] == "X-Idempotency-Key" for p in operation["parameters"])
    assert "422" in operation["responses"] and "200" in operation["responses"]
