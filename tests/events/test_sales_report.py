"""The organiser's sales per day (events.fairs.sales) and its chart and table on the registration report."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from events.fairs import sales
from events.models import TicketType
from events.registration import services as ticketing
from events.registration.services import RegistrationRequest
from marketplace.checkout import services
from marketplace.checkout.models import Order, OrderLine

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_fixed_timezone(8 * 60)


@pytest.fixture
def paid(make_fair):
    today = timezone.localdate()
    fair = make_fair(start_date=today + timedelta(days=30), end_date=today + timedelta(days=31), stalls=0)
    ticket = TicketType.objects.create(
        fair=fair, name="品鉴票", price=Decimal("30.00"), capacity=100, per_person_limit=4
    )
    slots = ticketing.create_slots(fair=fair, days=[fair.start_date], times=[(time(9), time(11))], capacity=20)
    return fair, ticket, slots[0]


def buy(fair, ticket, slot, *, people, phone, paid_at, organiser):
    reg = ticketing.register(
        fair=fair,
        request=RegistrationRequest(
            ticket_type=ticket,
            slot=slot,
            name="王五",
            phone=phone,
            email="",
            people=people,
            payment_method="bank_transfer",
        ),
    )
    services.record_bank_transfer(
        reg.order, amount=reg.order.total, received_on=paid_at.date(), bank_reference=f"B{phone}", user=organiser
    )
    Order.objects.filter(pk=reg.order_id).update(paid_at=paid_at)
    return reg


def test_sales_per_day_count_paid_tickets_less_refunds(paid, organiser):
    fair, ticket, slot = paid
    # 23:30 in Shanghai is still that day there (15:30 UTC).
    day1 = datetime(2026, 11, 1, 23, 30, tzinfo=SHANGHAI)
    day2 = datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)
    buy(fair, ticket, slot, people=2, phone="13600136000", paid_at=day1, organiser=organiser)
    buy(fair, ticket, slot, people=1, phone="13600136001", paid_at=day2, organiser=organiser)
    refunded = buy(fair, ticket, slot, people=3, phone="13600136002", paid_at=day2, organiser=organiser)
    OrderLine.objects.filter(order=refunded.order).update(refunded_quantity=1)
    # Unpaid: not counted.
    ticketing.register(
        fair=fair,
        request=RegistrationRequest(
            ticket_type=ticket, slot=slot, name="赵六", phone="13600136003", email="", people=1,
            payment_method="bank_transfer",
        ),
    )  # fmt: skip

    result = sales.fair_sales(fair)
    assert [d["day"].isoformat() for d in result["days"]] == ["2026-11-01", "2026-11-03"]
    first, second = result["days"]
    assert (first["tickets"], first["orders"], first["ticket_count"]) == (Decimal("60.00"), 1, 2)
    assert (second["tickets"], second["orders"], second["ticket_count"]) == (Decimal("90.00"), 2, 3)
    assert result["total"] == Decimal("150.00") and result["stall_fees"] == Decimal("0")
    assert first["share"] == Decimal("0.4") and second["share"] == Decimal("0.6")
    assert result["tickets_share"] == 1 and result["stall_fees_share"] == 0


def test_no_sales(paid):
    result = sales.fair_sales(paid[0])
    assert result["days"] == [] and result["total"] == 0 and result["tickets_share"] is None


def test_the_report_shows_the_chart_and_the_table_in_the_pages_language(client, paid, organiser):
    fair, ticket, slot = paid
    buy(fair, ticket, slot, people=2, phone="13600136000", paid_at=timezone.now(), organiser=organiser)
    client.force_login(organiser)
    url = fair.url + "registrations/"
    zh = client.get(url).content.decode()
    assert 'class="sales-chart"' in zh and "每日销售" in zh and "门票：¥60（100%）" in zh
    assert "Tickets" not in zh
    en = client.get("/en" + url).content.decode()
    assert "Sales per day" in en and "Tickets: ¥60 (100%)" in en
    assert 'data-label="Share of sales">100.0%</td>' in en


def test_the_report_says_when_nothing_is_paid(client, paid, organiser):
    client.force_login(organiser)
    html = client.get("/en" + paid[0].url + "registrations/").content.decode()
    assert "Nothing paid yet." in html and "sales-chart" not in html
