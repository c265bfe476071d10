"""Short ticket codes door staff can type: generation (alphabet, length, unique per fair, retried on collision),
the data migration's backfill, lookup (normalised, within the checked fair only), the per-staff rate limit on
typed codes (service, page → 429, API → 429 + Retry-After), and the long code / QR URL that keep working."""

import importlib
import re
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from cms.errors import DomainError
from events.checkin import services as checkin_services
from events.models import SHORT_CODE_ALPHABET, CheckIn, Registration, TicketType
from events.registration import services as ticketing
from events.registration.tickets import checkin_url, manage_path
from tests.support.throttle import hold_throttle_windows

pytestmark = pytest.mark.django_db

LOOK_ALIKES = set("01OIL")


@pytest.fixture
def scene(make_fair, django_user_model):
    """A fair today with an all-day slot, a free ticket and a door volunteer with the check-in role."""

    def make(title="山海协作展销会", username="door"):
        today = timezone.localdate()
        fair = make_fair(title, start_date=today, end_date=today + timedelta(days=1), stalls=0)
        ticket = TicketType.objects.create(
            fair=fair, name="普通票", price=Decimal("0"), capacity=100, per_person_limit=4
        )
        (slot,) = ticketing.create_slots(fair=fair, days=[today], times=[(time(0), time(23, 59))], capacity=50)
        staff = django_user_model.objects.create_user(username, "", "pw")
        ticketing.grant_checkin_role(fair, staff)
        return fair, ticket, slot, staff

    return make


def register(fair, ticket, slot, phone="13800138000", people=2):
    return ticketing.register(fair=fair, request=ticketing.RegistrationRequest(ticket, "张三", phone, people, slot))


def typed(code):
    """How a person might type it: lower case, a space and a dash in the middle."""
    return f" {code[:2].lower()} {code[2:4]}-{code[4:].lower()} "


# -- generation --------------------------------------------------------------------------------------------


def test_short_codes_use_the_alphabet_without_look_alikes_and_are_grouped_for_reading(scene):
    fair, ticket, slot, staff = scene()
    regs = [register(fair, ticket, slot, phone=f"1380013800{i}", people=1) for i in range(8)]
    codes = [r.short_code for r in regs]
    assert len(set(codes)) == len(codes)
    for reg in regs:
        assert len(reg.short_code) == 8 and set(reg.short_code) <= set(SHORT_CODE_ALPHABET)
        assert not set(reg.short_code) & LOOK_ALIKES
        assert reg.grouped_short_code == f"{reg.short_code[:4]}-{reg.short_code[4:]}"
        assert reg.short_code not in reg.ticket_code and len(reg.ticket_code) >= 20  # the long secret stays
    assert not LOOK_ALIKES & set(SHORT_CODE_ALPHABET)


def test_a_colliding_short_code_is_drawn_again_within_the_fair_but_may_repeat_in_another(scene, monkeypatch):
    fair, ticket, slot, staff = scene()
    other, other_ticket, other_slot, _other_staff = scene("另一场", username="door2")
    first = register(fair, ticket, slot)
    draws = iter([first.short_code, first.short_code, "HJKMNPQR"])
    monkeypatch.setattr(ticketing, "new_short_code", lambda: next(draws))
    second = register(fair, ticket, slot, phone="13900139000")
    assert second.short_code == "HJKMNPQR"  # two collisions, then a fresh code

    monkeypatch.setattr(ticketing, "new_short_code", lambda: first.short_code)
    elsewhere = register(other, other_ticket, other_slot)
    assert elsewhere.short_code == first.short_code  # unique per fair, not across fairs


def test_the_database_refuses_a_second_registration_with_the_same_short_code_in_a_fair(scene):
    fair, ticket, slot, staff = scene()
    reg = register(fair, ticket, slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            fair=fair, ticket_type=ticket, slot=slot, name="李四", phone="13900139000", people=1,
            status=Registration.Status.CONFIRMED, short_code=reg.short_code,
        )  # fmt: skip


def test_giving_up_after_too_many_collisions_is_a_translated_error_that_changes_nothing(scene, monkeypatch):
    fair, ticket, slot, staff = scene()
    reg = register(fair, ticket, slot)
    monkeypatch.setattr(ticketing, "new_short_code", lambda: reg.short_code)
    with pytest.raises(DomainError) as err:
        register(fair, ticket, slot, phone="13900139000")
    assert err.value.message == "无法生成票码，请重试。"
    assert Registration.objects.count() == 1


def test_the_migration_backfills_registrations_without_a_short_code(scene):
    migration = importlib.import_module("events.migrations.0003_registration_short_code")
    fair, ticket, slot, staff = scene()
    other, other_ticket, other_slot, _other_staff = scene("另一场", username="door2")
    kept = register(fair, ticket, slot)
    blank = register(fair, ticket, slot, phone="13900139000")
    blank_elsewhere = register(other, other_ticket, other_slot)
    Registration.objects.filter(pk__in=[blank.pk, blank_elsewhere.pk]).update(short_code="")

    assert migration.backfill_short_codes(apps) == 2
    assert migration.backfill_short_codes(apps) == 0  # nothing left to do
    codes = dict(Registration.objects.values_list("pk", "short_code"))
    assert codes[kept.pk] == kept.short_code
    for pk in (blank.pk, blank_elsewhere.pk):
        assert re.fullmatch(f"[{SHORT_CODE_ALPHABET}]{{8}}", codes[pk])
    assert codes[blank.pk] != kept.short_code


# -- lookup --------------------------------------------------------------------------------------------------


def test_normalise_short_code():
    assert checkin_services.normalise_short_code("abcd efgh") == "ABCDEFGH"
    assert checkin_services.normalise_short_code(" ABCD-EFGH ") == "ABCDEFGH"
    assert checkin_services.normalise_short_code("abcd–efgh") == "ABCDEFGH"  # a phone's en dash
    assert checkin_services.normalise_short_code("ABCD-EFG") is None  # too short
    assert checkin_services.normalise_short_code("ABCD-EFGHJ") is None  # too long
    assert checkin_services.normalise_short_code("ABCD-EFG0") is None  # 0 is not in the alphabet
    assert checkin_services.normalise_short_code("ABCD-EFGI") is None  # nor is I
    assert checkin_services.normalise_short_code(None) is None


def test_a_typed_short_code_checks_in_once_and_the_long_code_and_url_still_work(scene):
    fair, ticket, slot, staff = scene()
    reg = register(fair, ticket, slot)
    result = checkin_services.check_in(fair=fair, code=typed(reg.short_code), user=staff)
    assert result.kind == "valid" and result.registration == reg
    assert checkin_services.check_in(fair=fair, code=reg.grouped_short_code, user=staff).kind == "already"
    by_long = register(fair, ticket, slot, phone="13900139000")
    assert checkin_services.check_in(fair=fair, code=by_long.ticket_code, user=staff).kind == "valid"
    by_url = register(fair, ticket, slot, phone="13700137000")
    assert checkin_services.check_in(fair=fair, code=checkin_url(by_url), user=staff).kind == "valid"
    assert CheckIn.objects.count() == 3


def test_a_short_code_of_another_fair_never_finds_that_fairs_ticket(scene, monkeypatch):
    fair, ticket, slot, staff = scene()
    other, other_ticket, other_slot, other_staff = scene("另一场", username="door2")
    foreign = register(other, other_ticket, other_slot)
    result = checkin_services.check_in(fair=fair, code=foreign.short_code, user=staff)
    assert result.kind == "unknown" and result.registration is None
    # The same short code at both fairs: each fair's staff get their own fair's ticket.
    monkeypatch.setattr(ticketing, "new_short_code", lambda: foreign.short_code)
    mine = register(fair, ticket, slot)
    assert mine.short_code == foreign.short_code
    result = checkin_services.check_in(fair=fair, code=foreign.short_code, user=staff)
    assert result.kind == "valid" and result.registration == mine
    assert not CheckIn.objects.filter(registration=foreign).exists()


def test_typed_codes_are_rate_limited_per_staff_account_but_scans_are_not(scene, settings, django_user_model):
    settings.EVENTS_CHECKIN_TYPED_RATE = "3/m"
    fair, ticket, slot, staff = scene()
    reg = register(fair, ticket, slot)
    for guess in ("ABCDEFGH", "HJKMNPQR", "not a code"):
        assert checkin_services.check_in(fair=fair, code=guess, user=staff).kind == "unknown"
    with pytest.raises(DomainError) as err:
        checkin_services.check_in(fair=fair, code=reg.short_code, user=staff)
    assert err.value.code == "rate_limited" and 0 < err.value.retry_after <= 60
    assert "手动输入票码过于频繁" in err.value.message
    with translation.override("en"):
        with pytest.raises(DomainError) as err:
            checkin_services.check_in(fair=fair, code=reg.short_code, user=staff)
        assert err.value.message.startswith("Too many typed codes.")
    assert not CheckIn.objects.exists()
    # The QR URL (the long secret) is not limited; another staff account has its own count.
    assert checkin_services.check_in(fair=fair, code=checkin_url(reg), user=staff).kind == "valid"
    colleague = django_user_model.objects.create_user("door-b", "", "pw")
    ticketing.grant_checkin_role(fair, colleague)
    assert checkin_services.check_in(fair=fair, code=reg.short_code, user=colleague).kind == "already"


# -- pages and API -------------------------------------------------------------------------------------------


def test_ticket_page_shows_the_grouped_short_code(client, scene):
    fair, ticket, slot, staff = scene()
    reg = register(fair, ticket, slot)
    html = client.get(manage_path(reg)).content.decode()
    assert f'<code class="ticket__code">{reg.grouped_short_code}</code>' in html


def test_check_in_page_takes_a_typed_short_code_and_announces_the_result(client, scene):
    fair, ticket, slot, staff = scene()
    reg = register(fair, ticket, slot)
    client.force_login(staff)
    url = fair.url + "checkin/"
    html = client.post(url, {"code": typed(reg.short_code)}).content.decode()
    assert 'data-kind="valid"' in html and "张三" in html
    status = html[html.index('id="checkin-status"') - 40 : html.index('data-kind="valid"')]
    assert 'role="status"' in status and 'aria-live="polite"' in status
    assert 'data-kind="already"' in client.post(url, {"code": reg.grouped_short_code}).content.decode()


def test_check_in_page_answers_429_with_a_message_when_typing_too_fast(client, scene, settings):
    settings.EVENTS_CHECKIN_TYPED_RATE = "2/m"
    fair, ticket, slot, staff = scene()
    reg = register(fair, ticket, slot)
    client.force_login(staff)
    url = fair.url + "checkin/"
    for guess in ("ABCDEFGH", "HJKMNPQR"):
        assert client.post(url, {"code": guess}).status_code == 200
    response = client.post(url, {"code": reg.short_code})
    html = response.content.decode()
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60
    assert 'data-kind="rate_limited"' in html and "手动输入票码过于频繁" in html
    assert not CheckIn.objects.exists()
    english = client.post("/en" + url, {"code": reg.short_code})
    assert english.status_code == 429 and "Too many typed codes." in english.content.decode()
    assert not CheckIn.objects.exists()
    # A scanned QR (the check-in URL with the long code) still goes through.
    assert 'data-kind="valid"' in client.post(url, {"code": checkin_url(reg)}).content.decode()


def test_api_check_in_takes_the_short_code_and_answers_429_when_typing_too_fast(client, scene, settings, monkeypatch):
    settings.EVENTS_CHECKIN_TYPED_RATE = "2/m"
    hold_throttle_windows(monkeypatch)
    fair, ticket, slot, staff = scene()
    reg = register(fair, ticket, slot)
    long_code = register(fair, ticket, slot, phone="13900139000")
    client.force_login(staff)

    def post(code):
        return client.post("/api/checkin/", {"fair": fair.pk, "code": code}, content_type="application/json")

    assert post(typed(reg.short_code)).json()["result"] == "valid"
    assert post("ABCDEFGH").json()["result"] == "unknown"
    response = post(reg.grouped_short_code)
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60
    assert response.json()["code"] == "rate_limited" and "手动输入票码过于频繁" in response.json()["message"]
    assert post(long_code.ticket_code).json()["result"] == "valid"  # the long code is not limited
    assert CheckIn.objects.count() == 2


def test_api_registration_carries_the_short_code_once_confirmed(client, scene):
    fair, ticket, slot, staff = scene()
    body = {
        "ticket_type": ticket.pk,
        "slot": slot.pk,
        "name": "张三",
        "phone": "13800138000",
        "people": 1,
        "consent": True,
    }
    data = client.post(f"/api/fairs/{fair.pk}/registrations/", body, content_type="application/json").json()
    reg = Registration.objects.get()
    assert data["short_code"] == reg.grouped_short_code and data["code"] == reg.ticket_code


def test_a_failing_cache_does_not_stop_the_door(scene, monkeypatch, caplog):
    import django_ratelimit.core

    fair, ticket, slot, staff = scene()
    first, second = register(fair, ticket, slot), register(fair, ticket, slot, phone="13900139000")

    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(django_ratelimit.core, "get_usage", broken)
    assert checkin_services.check_in(fair=fair, code=first.short_code, user=staff).kind == "valid"
    # django-ratelimit's own answer when it could not count (time_left -1) is not taken as "over the limit".
    no_count = {"count": 0, "limit": 0, "should_limit": True, "time_left": -1}
    monkeypatch.setattr(django_ratelimit.core, "get_usage", lambda *args, **kwargs: no_count)
    assert checkin_services.check_in(fair=fair, code=second.short_code, user=staff).kind == "valid"
    assert caplog.text.count("not rate-limited") == 2
