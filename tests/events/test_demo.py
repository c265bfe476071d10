"""events' demo loader: three fairs with 60/120/12 stalls on a drawn floor plan, bookings made through the
services, idempotent and quick to re-run."""

import io
import time
from pathlib import Path

import pytest
from django.db import transaction
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

import events.demo
from cms.demo import facts
from events.checkin import services as checkin_services
from events.models import (
    AddOn,
    Attendee,
    CheckIn,
    CheckInStaff,
    FairIndexPage,
    FairPage,
    FairZone,
    Registration,
    Stall,
    StallApplication,
    StallBooking,
    StallType,
    TicketType,
    TimeSlot,
)
from events.registration import services as ticketing
from events.stalls.services import stall_states
from marketplace.checkout.models import Order
from marketplace.models import VendorMember
from tests.support.demo import demo_database, run_load_demo

EXPECTED_STALLS = {
    "山海协作·衢州名优农产品展销会（宁波鄞州站）": 60,
    "味美浙江·百县千碗美食节（衢州站）": 120,
    "机关食堂消费帮扶市集（省府大院）": 12,
}


def events_lines(output):
    return [line for line in output.splitlines() if line.strip().startswith("events")]


@pytest.fixture(scope="module")
def demo_loaded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded (tests/support/demo.py: once per run on SQLite, floor plans at 4 px a metre), then load_demo
    run again here, timed."""
    media = tmp_path_factory.mktemp("events-demo-media")
    with demo_database(django_db_blocker, media) as demo, django_db_blocker.unblock():
        counts = snapshot()
        started = time.perf_counter()
        with transaction.atomic():  # as the first load: one transaction
            second = run_load_demo()
        seconds = time.perf_counter() - started
        yield {"first": demo.output, "second": second, "counts": counts, "seconds": seconds, "media": media}


@pytest.fixture
def loaded(demo_loaded_once, db):
    return demo_loaded_once


def snapshot():
    models = [
        Page,
        Revision,
        FairZone,
        StallType,
        AddOn,
        Stall,
        StallApplication,
        StallBooking,
        Order,
        VendorMember,
        get_image_model(),
        TicketType,
        TimeSlot,
        Registration,
        Attendee,
        CheckIn,
        CheckInStaff,
    ]
    counts = {model._meta.label: model.objects.count() for model in models}
    counts["blocked"] = Stall.objects.filter(blocked=True).count()
    counts["statuses"] = sorted(StallBooking.objects.values_list("status", flat=True))
    counts["registration statuses"] = sorted(Registration.objects.values_list("status", flat=True))
    counts["counters"] = sorted(TimeSlot.objects.values_list("pk", "capacity", "confirmed", "held"))
    return counts


class TestEventsDemo:
    def test_second_run_creates_nothing_and_is_quick(self, loaded):
        assert snapshot() == loaded["counts"]
        assert any("created" in line for line in events_lines(loaded["first"]))
        assert events_lines(loaded["second"])
        assert not any("created" in line or "updated" in line for line in events_lines(loaded["second"]))
        assert loaded["seconds"] < 5  # the whole load_demo re-run, all apps

    def test_fair_index_and_the_three_fairs_of_the_facts(self, loaded):
        index = FairIndexPage.objects.get()
        assert (index.title, index.slug, index.live, index.show_in_menus) == ("展会活动", "fairs", True, True)
        fairs = {f.title: f for f in FairPage.objects.child_of(index).live().select_related("host_city")}
        assert set(fairs) == {f["name"] for f in facts()["fairs"]}
        for fact in facts()["fairs"]:
            fair = fairs[fact["name"]]
            assert fair.host_city.name == fact["city"]
            assert (fair.end_date - fair.start_date).days + 1 == fact["days"]
            assert fair.stalls.count() == fact["stalls"] == EXPECTED_STALLS[fair.title]
            assert fair.venue and fair.organisers and fair.summary and fair.zones.exists()
            assert fair.stall_types.exists() and fair.addons.exists() and fair.floor_plan_id
            assert fair.mountain_counties.exists()
            for stall in fair.stalls.all():
                assert stall.x >= 0 and stall.x + stall.width <= fair.plan_width, stall.code
                assert stall.y >= 0 and stall.y + stall.height <= fair.plan_height, stall.code
                assert stall.zone is not None and stall.zone.page_id == fair.pk

    def test_dates_one_upcoming_and_one_past(self, loaded):
        from django.utils import timezone

        today = timezone.localdate()
        fairs = list(FairPage.objects.all())
        assert any(f.end_date < today for f in fairs)
        assert sum(1 for f in fairs if f.end_date >= today) == 2
        festival = FairPage.objects.get(title__startswith="味美浙江")
        assert festival.start_date.month == 1 and festival.start_date.day <= 7 <= festival.end_date.day
        assert festival.allows_self_booking and festival.applications_are_open()

    def test_zones_types_and_prices(self, loaded):
        ningbo = FairPage.objects.get(title__contains="宁波鄞州站")
        zones = set(ningbo.zones.values_list("name", flat=True))
        assert {"开化馆", "常山馆"} <= zones
        assert ningbo.zones.filter(kind=FairZone.Kind.B2B).exists()
        assert ningbo.stall_types.filter(price__gt=0).exists()
        canteen = FairPage.objects.get(title__startswith="机关食堂")
        assert not canteen.stall_types.filter(price__gt=0).exists()

    def test_some_stalls_booked_held_and_blocked(self, loaded):
        for fair in FairPage.objects.all():
            states = [state for state, _booking in stall_states(fair).values()]
            assert states.count("booked") >= 5, fair.title
            assert 1 <= states.count("blocked") <= 2, fair.title
            assert states.count("available") > 0, fair.title
        assert StallBooking.objects.filter(status=StallBooking.Status.HELD).count() >= 3
        # Every paid confirmed booking has a paid order; free ones have none; held ones an open order.
        for booking in StallBooking.objects.select_related("order"):
            if booking.fee > 0 and booking.status == StallBooking.Status.CONFIRMED:
                assert booking.order.status == Order.Status.PAID
            elif booking.fee > 0:
                assert booking.order.is_open_unpaid
            else:
                assert booking.order is None and booking.status == StallBooking.Status.CONFIRMED
        assert StallApplication.objects.filter(status=StallApplication.Status.SUBMITTED).exists()
        assert StallApplication.objects.filter(status=StallApplication.Status.WAITLISTED).exists()

    def test_demo_vendor_login_self_booked_a_stall(self, loaded):
        member = VendorMember.objects.select_related("user", "vendor").get()
        booking = StallBooking.objects.get(booked_by=member.user)
        assert booking.vendor == member.vendor and booking.fair.allows_self_booking
        assert booking.status == StallBooking.Status.HELD and booking.order.is_open_unpaid

    def test_floor_plans_are_images(self, loaded):
        for fair in FairPage.objects.select_related("floor_plan"):
            path = Path(fair.floor_plan.file.path)
            with PILImage.open(path) as picture:
                assert picture.size == (fair.plan_width * 4, fair.plan_height * 4)

    def test_fair_pages_render_the_map(self, loaded, client):
        for fair in FairPage.objects.all():
            response = client.get(fair.url)
            assert response.status_code == 200
            html = response.content.decode()
            assert "stall-map__svg" in html and "stall-legend" in html
            assert html.count("<rect") >= fair.stalls.count()
        assert client.get(FairIndexPage.objects.get().url).status_code == 200

    def test_ticket_types_and_slots_of_the_three_fairs(self, loaded):
        ningbo = FairPage.objects.get(title__contains="宁波鄞州站")
        festival = FairPage.objects.get(title__startswith="味美浙江")
        canteen = FairPage.objects.get(title__startswith="机关食堂")
        for fair in (ningbo, festival):
            general = fair.ticket_types.get(price=0)
            assert general.audience == TicketType.Audience.PUBLIC and general.requires_slot
            days = ticketing.fair_days(fair)
            assert set(fair.slots.values_list("date", flat=True)) == set(days)
            for slot in fair.slots.all():
                assert slot.ends_at.hour - slot.starts_at.hour == 2
            assert fair.slots.count() % len(days) == 0
        tasting = festival.ticket_types.get(price__gt=0)
        assert tasting.price == 88 and not tasting.requires_slot
        lunch = canteen.ticket_types.get()
        assert lunch.audience == TicketType.Audience.CANTEEN and lunch.is_free
        assert [str(s)[-11:] for s in canteen.slots.all()] == ["11:30–12:30", "12:30–13:30"]

    def test_registrations_and_counters_agree(self, loaded):
        assert 200 <= Registration.objects.count() <= 600
        statuses = set(Registration.objects.values_list("status", flat=True))
        assert {"confirmed", "waitlisted", "cancelled"} <= statuses
        for model in (TimeSlot, TicketType):
            for obj in model.objects.all():
                regs = Registration.objects.filter(**{"slot" if model is TimeSlot else "ticket_type": obj})
                confirmed = sum(r.people for r in regs if r.status == Registration.Status.CONFIRMED)
                held = sum(r.people for r in regs if r.status in Registration.HOLDING)
                assert (obj.confirmed, obj.held) == (confirmed, held), obj
                assert obj.confirmed + obj.held <= obj.capacity, obj
        # The waiting list is only where the slot is full.
        for reg in Registration.objects.filter(status=Registration.Status.WAITLISTED).select_related("slot"):
            assert reg.slot.remaining < reg.people
        # Every ticket code and manage key differs.
        assert Registration.objects.values("ticket_code").distinct().count() == Registration.objects.count()
        assert Registration.objects.values("manage_key").distinct().count() == Registration.objects.count()

    def test_food_festival_has_free_and_paid_guest_registrations(self, loaded):
        from django.utils import timezone

        festival = FairPage.objects.get(title__startswith="味美浙江")
        assert festival.registration_opens < timezone.now() and festival.start_date > timezone.localdate()
        general = festival.ticket_types.get(price=0)
        free = festival.registrations.filter(ticket_type=general)
        assert free.filter(status=Registration.Status.CONFIRMED).count() >= 50
        assert set(free.values_list("slot", flat=True)) == set(festival.slots.values_list("pk", flat=True))
        tasting = festival.ticket_types.get(price__gt=0)
        paid = list(festival.registrations.filter(ticket_type=tasting).select_related("order"))
        assert sorted(r.status for r in paid) == ["confirmed"] * 3 + ["held"] * 3
        for reg in paid:
            order = reg.order
            assert reg.user is None and order.buyer is None and order.access_token and order.guest_phone == reg.phone
            assert order.status == ("paid" if reg.status == "confirmed" else "pending_payment")
            assert order.total == tasting.price * reg.people

    def test_past_fair_has_check_ins_and_staff_has_the_role(self, loaded):
        canteen = FairPage.objects.get(title__startswith="机关食堂")
        confirmed = canteen.registrations.filter(status=Registration.Status.CONFIRMED)
        checked = CheckIn.objects.filter(fair=canteen)
        assert 0 < checked.count() < confirmed.count()
        assert all(c.registration.status == "confirmed" and c.day == c.slot.date for c in checked)
        assert not CheckIn.objects.exclude(fair=canteen).exists()
        stats = ticketing.registration_stats(canteen)
        assert stats["no_show_expected"] > stats["no_show_came"] > 0
        staff = CheckInStaff.objects.filter(user__username="checkin")
        assert staff.count() == FairPage.objects.count()
        user = staff.first().user
        assert user.check_password("shanhai-checkin") and not user.is_staff
        assert all(ticketing.can_check_in(user, fair) for fair in FairPage.objects.all())
        assert "Check-in login:" in loaded["first"] and "shanhai-checkin" in loaded["first"]
        assert "Check-in login:" in loaded["second"] and "shanhai-checkin" not in loaded["second"]

    def test_demo_check_in_login_scans_a_demo_ticket(self, loaded, client):
        from django.contrib.auth import get_user_model

        ningbo = FairPage.objects.get(title__contains="宁波鄞州站")
        client.force_login(get_user_model().objects.get(username="checkin"))
        assert client.get(ningbo.url + "checkin/").status_code == 200
        reg = ningbo.registrations.filter(status="confirmed").first()
        result = checkin_services.check_in(
            fair=ningbo,
            code=reg.ticket_code,
            user=get_user_model().objects.get(username="checkin"),
            now=reg.slot.start_datetime(),
        )
        assert result.kind == "valid"


def test_floor_plan_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr(events.demo, "CJK_FONTS", [])
    data = events.demo.draw_floor_plan(events.demo.FAIRS[0], scale=3)
    with PILImage.open(io.BytesIO(data)) as picture:
        assert picture.size == (80 * 3, 48 * 3)


def test_demo_results_past_fair_has_sales_and_the_series_groups_the_three(loaded):
    """The past canteen market's results report is full (sales recorded at its stalls, one or more voided, results
    published); the 2026 series groups the three demo fairs; a re-run records no sale twice."""
    from events.fairs import results as fair_results
    from events.models import FairSeries, StallSale

    market = FairPage.objects.get(slug="canteen-market-provincial-offices")
    results = fair_results.fair_results(market)
    assert results["sales"]["count"] > 30 and results["sales"]["total"] > 0
    assert results["stalls"]["selling"] == results["stalls"]["exhibitors"] > 0
    assert results["visitors"]["checked_in"] > 0 and results["published"]
    assert StallSale.objects.exclude(fair=market).count() == 0
    assert "stall sales" in loaded["second"] and "fair series" in loaded["second"]
    series = FairSeries.objects.get()
    assert series.fairs.count() == 3
    assert fair_results.public_results(market)["sales_amount"] == results["sales"]["total"]


def test_demo_agreements_at_the_past_fair_one_partly_ordered(loaded):
    """The past canteen market has purchase agreements with both demo canteen units and with distributors (with
    English names); the provincial canteen's is partly ordered through unit orders; a re-run signs nothing twice."""
    from django.utils import translation

    from events.agreements import results as agreement_results
    from events.agreements.models import AgreementOrder, PurchaseAgreement

    market = FairPage.objects.get(slug="canteen-market-provincial-offices")
    signed = PurchaseAgreement.objects.filter(fair=market)
    assert signed.exclude(buyer_unit=None).count() == 2 and signed.filter(buyer_unit=None).count() == 2
    assert not PurchaseAgreement.objects.exclude(fair=market).exists()
    with translation.override("en"):
        assert all(a.buyer_display_name.isascii() for a in signed.filter(buyer_unit=None))
    figures = agreement_results.for_fair(market)
    assert figures["count"] == 4 and 0 < figures["ordered"] < figures["amount"]
    assert AgreementOrder.objects.count() == 2
    assert "purchase agreements" in loaded["second"]
