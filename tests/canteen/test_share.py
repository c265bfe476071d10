"""The 消费帮扶 share against hand-computed values, with 柯城 leaving the mountain list on 2024-08-01."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.canteen.services import compute_share
from marketplace.models import Order
from tests.fixtures.canteen import make_paid_unit_order, set_budget

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def year_2024(unit_a, unit_b, goods):
    buyer = unit_a.users["buyer"]
    set_budget(unit_a, 2024, "100000.00", "0.100")
    # 2024-03-10: 常山胡柚 50.00 × 20 = 1000.00, mountain.
    make_paid_unit_order(unit_a, buyer, datetime.date(2024, 3, 10), [(goods["huyou"], 20)])
    # 2024-05-05: 柯城椪柑 30.00 × 100 = 3000.00, mountain (柯城 is on the list until 2024-08-01).
    make_paid_unit_order(unit_a, buyer, datetime.date(2024, 5, 5), [(goods["kecheng"], 100)])
    # 2024-07-31 vs 2024-08-01: the last day on the list, and the first day off it.
    make_paid_unit_order(unit_a, buyer, datetime.date(2024, 7, 31), [(goods["kecheng"], 10)])  # 300.00 mountain
    make_paid_unit_order(unit_a, buyer, datetime.date(2024, 8, 1), [(goods["kecheng"], 10)])  # 300.00 other
    # 2024-09-15: 柯城 again, 30.00 × 50 = 1500.00, not mountain any more; plus 西湖 20.00 × 100 = 2000.00, other.
    make_paid_unit_order(unit_a, buyer, datetime.date(2024, 9, 15), [(goods["kecheng"], 50), (goods["xihu"], 100)])
    # Not counted: a cancelled order, an order waiting for approval, last year's, another unit's.
    make_paid_unit_order(
        unit_a, buyer, datetime.date(2024, 6, 1), [(goods["huyou"], 100)], status=Order.Status.CANCELLED
    )
    make_paid_unit_order(
        unit_a, buyer, datetime.date(2024, 6, 2), [(goods["huyou"], 100)], status=Order.Status.AWAITING_APPROVAL
    )
    make_paid_unit_order(unit_a, buyer, datetime.date(2023, 12, 31), [(goods["huyou"], 100)])
    make_paid_unit_order(unit_b, unit_b.users["buyer"], datetime.date(2024, 3, 1), [(goods["huyou"], 40)])  # 2000.00
    set_budget(unit_b, 2024, "50000.00", "0.100")


def test_unit_share_by_hand(unit_a, year_2024):
    share = compute_share(2024, unit_a)
    # spend 1000 + 3000 + 300 + 300 + 1500 + 2000 = 8100; mountain 1000 + 3000 + 300 = 4300
    assert share.spend == D("8100.00")
    assert share.mountain == D("4300.00")
    assert share.other == D("3800.00")
    assert share.budget == D("100000.00")
    assert share.target_amount == D("10000.00")
    assert share.share_of_budget == D("0.0430")  # 4300 / 100000
    assert share.progress == D("0.4300")  # 4300 / 10000
    assert share.mountain_share_of_spend == D("0.5309")  # 4300 / 8100 = 0.53086…
    by_month = {m["month"]: (m["spend"], m["mountain"]) for m in share.months}
    assert by_month[3] == (D("1000.00"), D("1000.00"))
    assert by_month[5] == (D("3000.00"), D("3000.00"))
    assert by_month[6] == (D("0.00"), D("0.00"))
    assert by_month[7] == (D("300.00"), D("300.00"))
    assert by_month[8] == (D("300.00"), D("0.00"))
    assert by_month[9] == (D("3500.00"), D("0.00"))
    assert sum(m["spend"] for m in share.months) == share.spend
    by_county = {row["name"]: (row["amount"], row["mountain"]) for row in share.counties}
    assert by_county == {
        "柯城区": (D("5100.00"), D("3300.00")),
        "西湖区": (D("2000.00"), D("0.00")),
        "常山县": (D("1000.00"), D("1000.00")),
    }
    assert [row["name"] for row in share.counties] == ["柯城区", "西湖区", "常山县"]


def test_refunded_quantities_come_off(unit_a, goods):
    order = make_paid_unit_order(unit_a, unit_a.users["buyer"], datetime.date(2024, 4, 1), [(goods["huyou"], 20)])
    line = order.lines.get()
    line.refunded_quantity = 5
    line.save()
    assert compute_share(2024, unit_a).mountain == D("750.00")


def test_all_units_for_staff(unit_a, year_2024):
    share = compute_share(2024)
    assert share.spend == D("10100.00")
    assert share.mountain == D("6300.00")
    assert share.budget == D("150000.00")
    assert share.target_amount == D("15000.00")
    assert share.progress == D("0.4200")


def test_no_budget_gives_no_share(unit_b, goods):
    make_paid_unit_order(unit_b, unit_b.users["buyer"], datetime.date(2025, 2, 1), [(goods["huyou"], 10)])
    share = compute_share(2025, unit_b)
    assert share.mountain == D("500.00")
    assert share.share_of_budget is None and share.progress is None


def test_share_keeps_the_county_as_ordered(unit_a, goods, xihu):
    """Moving a product to another county later leaves the share of orders already placed alone."""
    from marketplace.canteen.services import Delivery, place_unit_order
    from marketplace.checkout.services import LineRequest

    today = timezone.localdate()
    order = place_unit_order(
        user=unit_a.users["buyer"],
        unit=unit_a,
        lines=[LineRequest(goods["huyou"].pk, 10)],
        delivery=Delivery(address=unit_a.addresses.first(), date=today + datetime.timedelta(days=3)),
    )
    line = order.lines.get()
    assert line.origin_county_id == goods["huyou"].origin_county_id
    before = compute_share(today.year, unit_a)
    assert before.mountain == D("500.00")
    product = goods["huyou"]
    product.origin_county = xihu
    product.save()
    after = compute_share(today.year, unit_a)
    assert after.mountain == before.mountain == D("500.00")
    assert [row["name"] for row in after.counties] == ["常山县"]


def test_lines_from_before_the_copy_use_the_products_county(unit_a, goods):
    order = make_paid_unit_order(unit_a, unit_a.users["buyer"], datetime.date(2024, 4, 1), [(goods["huyou"], 10)])
    assert order.lines.get().origin_county_id is None
    assert compute_share(2024, unit_a).mountain == D("500.00")
