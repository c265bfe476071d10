"""Purchase agreements in the results report (#17), against figures worked out by hand: the fair's tables, the
Excel workbook, the printable summary, the public block (only when published) and a series."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.agreements import results as agreement_results
from events.agreements import services as agreements
from events.fairs import results as fair_results
from events.models import FairPage, FairSeries
from marketplace.canteen import services as canteen
from tests.factories.checkout import lines

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def small_fair(make_fair, make_vendor, make_product, changshan, kecheng, unit_a, organiser):
    """A fair that ended two days ago.

    Agreements, worked out by hand:
      省直机关一食堂 ← 常山胡柚合作社  胡柚 500 × 8.00 + 胡柚膏 20 × 45.50 = 4910.00; ordered 100 × 8.00 = 800.00
      衢州鲜果贸易 ← 柯城糕点铺       桂花糕 100 × 20.00 = 2000.00
      衢州鲜果贸易 ← 常山胡柚合作社  100.00, cancelled (not counted)
      signed 2, 6910.00; ordered 800.00 (12%); by county 常山县 4910.00 / 800.00, 柯城区 2000.00 / 0.00
    """
    today = timezone.localdate()
    fair = make_fair(price="0.00", start_date=today - timedelta(days=3), end_date=today - timedelta(days=2))
    FairPage.objects.filter(pk=fair.pk).update(status=FairPage.Status.FINISHED)
    fair.refresh_from_db()
    a = make_vendor("常山胡柚合作社", changshan)
    b = make_vendor("柯城糕点铺", kecheng)
    huyou = make_product(a, "常山胡柚", "8.00", stock=1000)

    def sign(vendor, lines_, unit=None, buyer_name=""):
        return agreements.record_agreement(
            fair=fair,
            user=organiser,
            acting_as=agreements.RecordedAs.ORGANISER,
            request=agreements.AgreementRequest(
                vendor=vendor,
                buyer_unit=unit,
                buyer_name=buyer_name,
                lines=lines_,
                delivery_from=today,
                delivery_to=today + timedelta(days=60),
                vendor_contact_name="李经理",
                vendor_contact_phone="0570-5012345",
                buyer_contact_name="王老师",
                buyer_contact_phone="13800000001",
            ),
        )

    canteen_agreement = sign(
        a,
        [
            agreements.LineRequest(product_id=huyou.pk, quantity=500, unit_price="8.00"),
            agreements.LineRequest(item_name="胡柚膏", quantity=20, unit_price="45.50"),
        ],
        unit=unit_a,
    )
    sign(b, [agreements.LineRequest(item_name="桂花糕", quantity=100, unit_price="20")], buyer_name="衢州鲜果贸易")
    cancelled = sign(
        a, [agreements.LineRequest(item_name="胡柚", quantity=10, unit_price="10")], buyer_name="衢州鲜果贸易"
    )
    agreements.cancel_agreement(cancelled, user=organiser)
    agreements.order_against(
        canteen_agreement,
        user=unit_a.users["buyer"],
        lines=lines((huyou, 100)),
        delivery=canteen.Delivery(address=unit_a.addresses.first(), date=today + timedelta(days=5)),
    )
    return fair


def by(rows):
    return {row.label: (row.count, row.amount, row.ordered) for row in rows}


def test_the_figures_match_the_hand_computed_ones(small_fair):
    figures = agreement_results.for_fair(small_fair)
    assert (figures["count"], figures["amount"], figures["ordered"], figures["percent"]) == (
        2,
        D("6910.00"),
        D("800.00"),
        12,
    )
    assert (figures["delivered"], figures["cancelled"]) == (D("0.00"), 1)
    assert by(figures["county"]) == {"常山县": (1, D("4910.00"), D("800.00")), "柯城区": (1, D("2000.00"), D("0.00"))}
    assert by(figures["vendor"]) == {
        "常山胡柚合作社": (1, D("4910.00"), D("800.00")),
        "柯城糕点铺": (1, D("2000.00"), D("0.00")),
    }
    assert [(r.key, r.amount) for r in figures["buyer"]] == [(True, D("4910.00")), (False, D("2000.00"))]
    summary = fair_results.summary(small_fair)
    assert (summary["agreements_count"], summary["agreements_amount"], summary["agreements_ordered"]) == (
        2,
        D("6910.00"),
        D("800.00"),
    )


def test_the_report_excel_and_print_show_the_agreements(small_fair, organiser):
    from openpyxl import load_workbook

    client = Client()
    client.force_login(organiser)
    page = client.get(reverse("fair_results", args=[small_fair.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="agreements-amount">¥6,910.00' in html
    assert 'data-figure="agreements-ordered">¥800.00 (12%)' in html
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("fair_results", args=[small_fair.slug]) + "?format=xlsx").content)
    )
    agreements_sheet = workbook.worksheets[-1]  # every agreement line, after the breakdowns
    assert len(next(agreements_sheet.iter_rows(max_row=1, values_only=True))) == 13
    amounts = [row[8] for row in agreements_sheet.iter_rows(min_row=2, values_only=True)]
    assert sum(D(str(a)) for a in amounts) == D("6910.00")
    printed = client.get(reverse("fair_results_print", args=[small_fair.slug])).content.decode()
    assert "¥6,910.00" in printed and "¥800.00" in printed


def test_the_public_block_shows_agreements_only_when_published(small_fair, organiser):
    assert fair_results.public_results(small_fair) is None
    fair_results.set_published(small_fair, published=True, user=organiser)
    public = fair_results.public_results(small_fair)
    assert (public["agreements_count"], public["agreements_amount"]) == (2, D("6910.00"))
    html = Client().get(small_fair.url).content.decode()
    assert "6,910.00" in html or "6910.00" in html


def test_a_series_sums_the_agreements_of_its_fairs(small_fair, make_fair, organiser):
    other = make_fair("第二站")
    series = FairSeries.objects.create(name="2026 山海协作")
    series.fairs.add(small_fair, other)
    results = fair_results.series_results(series)
    assert (results["totals"]["agreements_count"], results["totals"]["agreements_amount"]) == (2, D("6910.00"))
    assert results["agreements"]["ordered"] == D("800.00")
    client = Client()
    client.force_login(organiser)
    page = client.get(reverse("fair_series_results", args=[series.pk]))
    assert 'data-figure="agreements-amount">¥6,910.00' in page.content.decode()
    assert client.get(reverse("fair_series_results", args=[series.pk]) + "?format=xlsx").status_code == 200
