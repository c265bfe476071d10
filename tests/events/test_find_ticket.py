"""Find my ticket: mobile number → SMS code → that number's registrations, and nobody else's."""

import re
from datetime import time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cms.accounts import sms_codes
from cms.errors import DomainError
from cms.models import SmsCode
from events.models import TicketType
from events.registration import find_ticket
from events.registration import services as ticketing
from events.registration.tickets import manage_path

# SMS go out at once here: the `outbox` fixture (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbox")]


@pytest.fixture
def scene(make_fair):
    # From tomorrow: a 09:00–11:00 slot of today is over for a run after 11:00 (Shanghai time).
    tomorrow = timezone.localdate() + timedelta(days=1)
    fair = make_fair(start_date=tomorrow, end_date=tomorrow + timedelta(days=1), stalls=0)
    # Two registrations of one number in one slot: the organiser allows two per number for this ticket type.
    ticket = TicketType.objects.create(
        fair=fair, name="普通票", price=Decimal("0"), capacity=100, per_person_limit=4, registrations_per_phone=2
    )
    slots = ticketing.create_slots(fair=fair, days=ticketing.fair_days(fair), times=[(time(9), time(11))], capacity=50)

    def register(phone, name="张三"):
        return ticketing.register(fair=fair, request=ticketing.RegistrationRequest(ticket, name, phone, 1, slots[0]))

    mine = [register("13800138000"), register("13800138000", "张三的朋友")]
    theirs = register("13900139000", "李四")
    index = fair.get_parent().specific
    return SimpleNamespace(fair=fair, mine=mine, theirs=theirs, url=index.url + "find-ticket/")


def test_find_my_ticket_lists_only_this_numbers_tickets(client, scene, outbox):
    page = client.get(scene.url).content.decode()
    field = re.search(r'<input[^>]*name="phone"[^>]*>', page).group(0)
    assert 'type="tel"' in field and 'inputmode="numeric"' in field
    response = client.post(scene.url, {"phone": "138 0013 8000"})
    assert response["Location"] == scene.url + "code/"
    assert [(m.phone, m.template) for m in outbox] == [("13800138000", "find_ticket_code")]
    code = outbox[0].params["code"]
    assert "138****8000" in client.get(scene.url + "code/").content.decode()
    response = client.post(scene.url + "code/", {"code": code})
    html = response.content.decode()
    assert response.status_code == 200 and "data-found-tickets" in html
    for registration in scene.mine:
        assert manage_path(registration) in html
    assert manage_path(scene.theirs) not in html and "李四" not in html
    # The code works once.
    again = client.post(scene.url + "code/", {"code": code})
    assert "data-found-tickets" not in again.content.decode()


def test_wrong_and_expired_codes_show_nothing(client, scene, outbox):
    client.post(scene.url, {"phone": "13800138000"})
    code = outbox[0].params["code"]
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(scene.url + "code/", {"code": wrong})
    html = response.content.decode()
    assert "验证码不正确" in html and "data-found-tickets" not in html
    SmsCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    html = client.post(scene.url + "code/", {"code": code}).content.decode()
    assert "已过期" in html and "data-found-tickets" not in html


def test_a_number_without_tickets_is_answered_alike_and_sent_nothing(client, scene, outbox):
    known = client.post(scene.url, {"phone": "13800138000"})
    unknown = client.post(scene.url, {"phone": "13700137000"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert [m.phone for m in outbox] == ["13800138000"]
    # Whatever is typed for the number without tickets, nothing is shown.
    html = client.post(scene.url + "code/", {"code": "123456"}).content.decode()
    assert "data-found-tickets" not in html


def test_a_code_for_another_number_or_purpose_is_refused(scene, outbox):
    find_ticket.send_code("13900139000")
    their_code = outbox[-1].params["code"]
    with pytest.raises(DomainError):
        find_ticket.registrations_for("13800138000", their_code)  # my number never got a code
    sms_codes.send_code("13800138000", "password_reset", template="password_reset_code", text="{code}")
    reset_code = outbox[-1].params["code"]
    with pytest.raises(DomainError) as error:
        find_ticket.registrations_for("13800138000", reset_code)
    assert error.value.code == "no_code"


def test_too_many_codes_for_one_number(client, scene, outbox):
    for _ in range(sms_codes.MAX_CODES_PER_HOUR):
        assert client.post(scene.url, {"phone": "13800138000"}).status_code == 302
        SmsCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    response = client.post(scene.url, {"phone": "13800138000"})
    assert response.status_code == 200 and "太多" in response.content.decode()
    assert len(outbox) == sms_codes.MAX_CODES_PER_HOUR


def test_bad_number_is_refused_with_a_message(client, scene, outbox):
    response = client.post("/en" + scene.url, {"phone": "12345"})
    assert response.status_code == 200 and "13812345678" in response.content.decode()
    assert not SmsCode.objects.exists() and not outbox


def test_fair_page_and_ticket_page_link_to_find_my_ticket(client, scene):
    assert scene.url in client.get(scene.fair.url).content.decode()
    assert scene.url in client.get(manage_path(scene.mine[0])).content.decode()
