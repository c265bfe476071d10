"""PIPL for visitors: consent at fair registration, masked mobile numbers for organisers without the
permission, and the purge of attendees' names and numbers after a fair."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from cms.models import Consent
from cms.privacy import current_notice
from events import ticketing
from events.models import Registration, TicketType

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
