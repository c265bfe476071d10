"""Registration pages (form, ticket/manage page with QR, iCal, change slot, cancel), the QR's check-in URL,
the staff check-in page, organiser figures and exports, and the JSON API with its OpenAPI schema."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from events.checkin import services as checkin_services
from events.models import CheckIn, Registration, TicketType
from events.registration import services as ticketing
from events.registration.tickets import checkin_url, manage_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(make_fair, django_user_model):
    today = timezone.localdate()
    fair = make_fair(start_date=today, end_date=today + timedelta(days=1), stalls=0)
    ticket = TicketType.objects.create(fair=fair, name="普通票", price=Decimal("0"), capacity=100, per_person_limit=4)
    slots = ticketing.create_slots(
        fair=fair, days=ticketing.fair_days(fair), times=[(time(0), time(23, 59))], capacity=3
    )
    staff = django_user_model.objects.create_user("door", "", "pw")
    ticketing.grant_checkin_role(fair, staff)
    return fair, ticket, slots, staff


def form_data(ticket, slot, **kw):
    return {
        "phone": "13800138000",
        "name": "张三",
        "ticket_type": ticket.pk,
        "slot": slot.pk,
        "people": 2,
        "join_waitlist": "on",
        "consent": "on",
        **kw,
    }


def test_register_page_confirms_and_shows_the_ticket_with_qr(client, scene):
    fair, ticket, slots, staff = scene
    url = fair.url + "register/"
    html = client.get(url).content.decode()
    assert html.index('name="phone"') < html.index('name="name"')  # phone first
    assert url in client.get(fair.url).content.decode()  # the fair page links to the form
    response = client.post(url, form_data(ticket, slots[1], attendees="张三\n李四"))
    assert response.status_code == 302
    reg = Registration.objects.get()
    assert response["Location"] == manage_path(reg)
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and reg.grouped_short_code in page and str(slots[1]) in page and "李四" in page
    assert client.get(response["Location"] + "qr/")["Content-Type"] == "image/svg+xml"
    ics = client.get(response["Location"] + "ical/")
    assert ics["Content-Type"].startswith("text/calendar") and "BEGIN:VEVENT" in ics.content.decode()
    assert client.get(fair.get_parent().url + "registration/not-a-key/").status_code == 404


def test_register_page_shows_specific_errors_and_changes_nothing(client, scene):
    fair, ticket, slots, staff = scene
    response = client.post(fair.url + "register/", form_data(ticket, slots[1], phone="12345"))
    assert response.status_code == 200 and "13812345678" in response.content.decode()
    response = client.post(fair.url + "register/", form_data(ticket, slots[1], people=9))
    assert response.status_code == 200 and "1" in response.content.decode()
    assert not Registration.objects.exists()


def test_manage_page_changes_slot_and_cancels(client, scene):
    fair, ticket, slots, staff = scene
    reg = ticketing.register(
        fair=fair, request=ticketing.RegistrationRequest(ticket, "张三", "13800138000", 1, slots[1])
    )
    url = manage_path(reg)
    client.post(url, {"action": "change_slot", "slot": slots[0].pk})
    reg.refresh_from_db()
    assert reg.slot_id == slots[0].pk
    client.post(url, {"action": "cancel"})
    reg.refresh_from_db()
    assert reg.status == "cancelled"
    assert "<svg" not in client.get(url).content.decode()  # no QR for a cancelled ticket


def test_qr_check_in_url_needs_the_check_in_role(client, scene, django_user_model):
    fair, ticket, slots, staff = scene
    reg = ticketing.register(
        fair=fair, request=ticketing.RegistrationRequest(ticket, "张三", "13800138000", 2, slots[0])
    )
    url = checkin_url(reg)
    assert reg.ticket_code in url and reg.manage_key not in url
    path = url[url.index("/", 8) :]
    response = client.get(path)
    assert response.status_code == 302 and "login" in response["Location"]  # the visitor sees a login page
    client.force_login(django_user_model.objects.create_user("visitor", "", "pw"))
    assert client.get(path).status_code == 403
    client.force_login(staff)
    page = client.get(path).content.decode()
    assert reg.ticket_code in page and not CheckIn.objects.exists()  # GET changes nothing


def test_staff_check_in_page_valid_then_already_and_unknown(client, scene):
    fair, ticket, slots, staff = scene
    reg = ticketing.register(
        fair=fair, request=ticketing.RegistrationRequest(ticket, "张三", "13800138000", 2, slots[0])
    )
    url = fair.url + "checkin/"
    assert client.get(url).status_code == 302
    client.force_login(staff)
    html = client.get(url).content.decode()
    assert "checkin.js" in html
    first = client.post(url, {"code": checkin_url(reg)}).content.decode()
    assert 'data-kind="valid"' in first and "checkin-result--green" in first
    second = client.post(url, {"code": reg.ticket_code}).content.decode()
    assert 'data-kind="already"' in second and "door" in second
    assert 'data-kind="unknown"' in client.post(url, {"code": "forged-code-123456"}).content.decode()
    assert client.get(url + "?counts=1").json()["total"] == 2


def test_organiser_report_and_exports(client, scene, organiser):
    fair, ticket, slots, staff = scene
    reg = ticketing.register(
        fair=fair, request=ticketing.RegistrationRequest(ticket, "=cmd()", "13800138000", 2, slots[0])
    )
    checkin_services.check_in(fair=fair, code=reg.ticket_code, user=staff)
    url = fair.url + "registrations/"
    client.force_login(staff)
    assert client.get(url).status_code == 403
    client.force_login(organiser)
    html = client.get(url).content.decode()
    assert "bar-chart__bar" in html
    csv = client.get(url + "?format=csv").content.decode("utf-8-sig")
    assert "13800138000" in csv and "'=cmd()" in csv and reg.grouped_short_code in csv  # the code staff can type
    xlsx = client.get(url + "?format=xlsx")
    assert xlsx.content[:2] == b"PK"


# -- API ------------------------------------------------------------------------------------------------------


def test_api_register_get_delete_and_409_when_full(client, scene):
    fair, ticket, slots, staff = scene
    url = f"/api/fairs/{fair.pk}/registrations/"
    body = {
        "ticket_type": ticket.pk,
        "slot": slots[1].pk,
        "name": "张三",
        "phone": "13800138000",
        "people": 3,
        "consent": True,
    }
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "confirmed" and data["code"] and data["qr_url"].endswith("/qr/")
    assert client.get(data["qr_url"]).status_code == 200
    other = {**body, "phone": "13900139000"}  # one active registration per number and slot
    response = client.post(url, {**other, "people": 1, "join_waitlist": False}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "full"
    assert client.post(url, {**other, "people": 1}, content_type="application/json").json()["status"] == "waitlisted"
    bad = client.post(url, {**body, "phone": "123"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_phone" and bad.json()["field"] == "phone"
    zero = client.post(url, {**body, "people": 0}, content_type="application/json")
    assert zero.status_code == 400 and zero.json()["code"] == "invalid_people"
    got = client.get(f"/api/registrations/{data['secret']}/").json()
    assert got["status"] == "confirmed"
    gone = client.delete(f"/api/registrations/{data['secret']}/")
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    assert client.delete(f"/api/registrations/{data['secret']}/").status_code == 409
    assert client.get("/api/registrations/nope/").status_code == 404


def test_api_check_in_staff_only(client, scene, django_user_model):
    fair, ticket, slots, staff = scene
    reg = ticketing.register(
        fair=fair, request=ticketing.RegistrationRequest(ticket, "张三", "13800138000", 2, slots[0])
    )
    body = {"fair": fair.pk, "code": checkin_url(reg)}
    assert client.post("/api/checkin/", body, content_type="application/json").status_code == 401
    client.force_login(django_user_model.objects.create_user("visitor", "", "pw"))
    response = client.post("/api/checkin/", body, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not CheckIn.objects.exists()
    client.force_login(staff)
    assert client.post("/api/checkin/", body, content_type="application/json").json()["result"] == "valid"
    again = client.post("/api/checkin/", body, content_type="application/json").json()
    assert again["result"] == "already" and again["checked_in_by"] == "door"


def test_openapi_documents_registration_and_checkin(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "post" in paths["/api/fairs/{fair_id}/registrations/"]
    assert {"get", "delete"} <= set(paths["/api/registrations/{secret}/"])
    assert "post" in paths["/api/checkin/"]
