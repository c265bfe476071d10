"""PIPL for visitors: consent at fair registration, masked mobile numbers for organisers without the
permission, and the purge of attendees' names and numbers after a fair."""

import csv
import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from openpyxl import load_workbook

from cms.models import Consent
from cms.privacy import current_notice
from events.models import CheckIn, Registration, TicketType
from events.registration import services as ticketing
from marketplace.checkout.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(make_fair):
    today = timezone.localdate()
    fair = make_fair(start_date=today, end_date=today + timedelta(days=1), stalls=0)
    ticket = TicketType.objects.create(fair=fair, name="普通票", price=Decimal("0"), capacity=100, per_person_limit=4)
    slots = ticketing.create_slots(
        fair=fair, days=ticketing.fair_days(fair), times=[(time(0), time(23, 59))], capacity=10
    )
    return fair, ticket, slots


def form_data(ticket, slot, **kw):
    return {"phone": "13800138000", "name": "张三", "ticket_type": ticket.pk, "slot": slot.pk, "people": 1, **kw}


def test_registration_needs_consent_and_records_it_for_the_registration(client, scene):
    fair, ticket, slots = scene
    notice = current_notice()
    notice.version = "2026-12"
    notice.save()
    url = fair.url + "register/"
    page = client.get(url).content.decode()
    assert 'name="consent"' in page and 'href="/privacy/"' in page

    response = client.post(url, form_data(ticket, slots[0]))
    assert response.status_code == 200 and response.context["form"].errors["consent"]
    assert not Registration.objects.exists() and not Consent.objects.exists()

    response = client.post(url, form_data(ticket, slots[0], consent="on"))
    assert response.status_code == 302
    registration = Registration.objects.get()
    consent = Consent.objects.get()
    assert consent.purpose == Consent.Purpose.FAIR_REGISTRATION
    assert consent.subject == f"events.registration:{registration.pk}"
    assert consent.notice_version == "2026-12" and consent.user is None


def test_a_refused_registration_records_no_consent(client, scene):
    fair, ticket, slots = scene
    response = client.post(fair.url + "register/", form_data(ticket, slots[0], people=9, consent="on"))
    assert response.status_code == 200
    assert not Registration.objects.exists() and not Consent.objects.exists()


@pytest.mark.parametrize(
    "template",
    [
        "cms/accounts/signup.html",
        "events/register.html",
        "events/apply.html",
        "events/find_ticket.html",
        "marketplace/checkout/checkout.html",
        "marketplace/checkout/address_form.html",
        "marketplace/canteen/apply.html",
        "marketplace/signup/apply.html",
    ],
)
def test_every_form_that_collects_personal_data_links_to_the_notice(template):
    source = get_template(template).template.source
    assert '{% include "cms/privacy/link.html" %}' in source


def test_the_link_points_at_the_notice():
    assert 'href="/privacy/"' in render_to_string("cms/privacy/link.html")


# -- organisers see masked mobile numbers unless they hold events.view_attendee_phone ---------------------------


@pytest.fixture
def organiser_without_phones(django_user_model):
    user = django_user_model.objects.create_user("organiser2", "", "pw")
    user.user_permissions.add(Permission.objects.get(codename="change_registration"))
    return user


def registered(fair, ticket, slot, name="张三", phone="13812345678"):
    return ticketing.register(fair=fair, request=ticketing.RegistrationRequest(ticket, name, phone, 1, slot))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_mask_mobile_numbers_without_the_permission(client, scene, organiser_without_phones, fmt):
    fair, ticket, slots = scene
    registered(fair, ticket, slots[0])
    client.force_login(organiser_without_phones)
    response = client.get(fair.url + "registrations/?format=" + fmt)
    assert response.status_code == 200
    cells = export_cells(response, fmt)
    assert "138****5678" in cells and not any("13812345678" in c for c in cells)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_show_mobile_numbers_with_the_permission(client, scene, organiser_without_phones, fmt):
    fair, ticket, slots = scene
    registered(fair, ticket, slots[0])
    organiser_without_phones.user_permissions.add(Permission.objects.get(codename="view_attendee_phone"))
    client.force_login(organiser_without_phones)
    cells = export_cells(client.get(fair.url + "registrations/?format=" + fmt), fmt)
    assert "13812345678" in cells


def export_cells(response, fmt):
    if fmt == "csv":
        return [c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for c in row]
    workbook = load_workbook(io.BytesIO(response.content))
    return [str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row if c is not None]


# -- retention: purge_personal_data ------------------------------------------------------------------------------


def past_fair(make_fair, ticket_name, days_ago):
    end = timezone.localdate() - timedelta(days=days_ago)
    fair = make_fair(start_date=end - timedelta(days=1), end_date=end, stalls=0)
    ticket = TicketType.objects.create(fair=fair, name=ticket_name, price=Decimal("0"), capacity=100)
    return fair, ticket


def old_registration(fair, ticket, name, phone, staff):
    # Registered and checked in while the fair was on.
    on = timezone.make_aware(datetime.combine(fair.end_date, time(10)))
    reg = Registration.objects.create(
        fair=fair,
        ticket_type=ticket,
        name=name,
        phone=phone,
        email="x@example.cn",
        people=2,
        status=Registration.Status.CONFIRMED,
        created_at=on,
        confirmed_at=on,
        short_code=f"{fair.pk:04d}{phone[-4:]}",
    )
    reg.attendees.create(name="同伴")
    CheckIn.objects.create(registration=reg, fair=fair, day=fair.end_date, at=on, by=staff, people=2)
    return reg


def test_purge_masks_attendees_of_fairs_ended_long_ago_and_keeps_counts_and_check_ins(
    make_fair, django_user_model, settings
):
    settings.EVENTS_PERSONAL_DATA_DAYS = 90
    staff = django_user_model.objects.create_user("door", "", "pw")
    old_fair, old_ticket = past_fair(make_fair, "旧票", 91)
    recent_fair, recent_ticket = past_fair(make_fair, "新票", 89)
    old = old_registration(old_fair, old_ticket, "张三", "13812345678", staff)
    recent = old_registration(recent_fair, recent_ticket, "李四", "13900001111", staff)
    checked_in_at = old.checkins.get().at

    out = io.StringIO()
    call_command("purge_personal_data", stdout=out)
    assert out.getvalue().strip() == "1"
    old.refresh_from_db()
    assert (old.name, old.phone, old.email, old.people) == ("张**", "138****5678", "", 2)
    assert old.attendees.get().name == "同**"
    assert old.checkins.get().at == checked_in_at and old.checkins.get().people == 2
    recent.refresh_from_db()
    assert (recent.name, recent.phone, recent.email) == ("李四", "13900001111", "x@example.cn")

    # Idempotent: a second run changes nothing.
    out = io.StringIO()
    call_command("purge_personal_data", stdout=out)
    assert out.getvalue().strip() == "0"
    old.refresh_from_db()
    assert (old.name, old.phone) == ("张**", "138****5678")


def test_purge_follows_the_setting(make_fair, django_user_model, settings):
    staff = django_user_model.objects.create_user("door", "", "pw")
    fair, ticket = past_fair(make_fair, "票", 10)
    reg = old_registration(fair, ticket, "王五", "13700002222", staff)
    settings.EVENTS_PERSONAL_DATA_DAYS = 30
    call_command("purge_personal_data", verbosity=0)
    reg.refresh_from_db()
    assert reg.phone == "13700002222"
    settings.EVENTS_PERSONAL_DATA_DAYS = 7
    call_command("purge_personal_data", verbosity=0)
    reg.refresh_from_db()
    assert reg.phone == "137****2222"


def test_the_api_needs_consent_and_records_it(client, scene):
    fair, ticket, slots = scene
    url = f"/api/fairs/{fair.pk}/registrations/"
    body = {"ticket_type": ticket.pk, "slot": slots[0].pk, "name": "张三", "phone": "13800138000"}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "consent_required"
    assert response.json()["field"] == "consent"
    assert not Registration.objects.exists() and not Consent.objects.exists()
    response = client.post(url, {**body, "consent": True}, content_type="application/json")
    assert response.status_code == 201, response.content
    registration = Registration.objects.get()
    consent = Consent.objects.get()
    assert consent.subject == f"events.registration:{registration.pk}"
    assert consent.purpose == Consent.Purpose.FAIR_REGISTRATION and consent.notice_version == "1.0"


def test_purge_masks_a_guest_ticket_order_and_keeps_its_amount(make_fair, django_user_model):
    staff = django_user_model.objects.create_user("door", "", "pw")
    fair, ticket = past_fair(make_fair, "付费票", 120)
    reg = old_registration(fair, ticket, "王五", "13600136000", staff)
    reg.order = Order.objects.create(
        payment_method="bank_transfer",
        total=Decimal("40.00"),
        guest_name="王五",
        guest_phone="13600136000",
        guest_email="guest@example.cn",
        access_token="guest-token",
    )
    reg.save(update_fields=["order"])
    call_command("purge_personal_data", verbosity=0)
    reg.order.refresh_from_db()
    assert (reg.order.guest_name, reg.order.guest_phone, reg.order.guest_email) == ("王**", "136****6000", "")
    assert reg.order.total == Decimal("40.00")
