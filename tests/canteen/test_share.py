"""The 消费帮扶 share against hand-computed values, with 柯城 leaving the mountain list on 2024-08-01."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.canteen.services import compute_share
from marketplace.checkout.models import Order
from tests.factories import make_paid_unit_order, place_unit_order, set_budget

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
    today = timezone.localdate()
    order = place_unit_order(unit_a, (goods["huyou"], 10))
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


# -- the share for filing: Excel and a printable page -------------------------------------------------------


def _money(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _xlsx(client, url):
    import io

    from openpyxl import load_workbook

    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.content))


def test_share_excel_holds_the_share_figures_cell_by_cell(client, unit_a, unit_b, year_2024):
    from django.urls import reverse

    share = compute_share(2024, unit_a)
    client.force_login(unit_a.users["finance"])
    book = _xlsx(client, reverse("canteen_share", args=[unit_a.pk]) + "?year=2024&format=xlsx")
    assert book.sheetnames == ["汇总", "按月份", "按县（市、区）"]

    summary = {row[0].value: row[1] for row in book["汇总"].iter_rows()}
    assert summary["单位"].value == unit_a.name and summary["年度"].value == 2024
    expected = {
        "平台采购额": share.spend,  # 8100.00
        "其中山区县农产品": share.mountain,  # 4300.00
        "其他": share.other,
        "食堂食材预算": share.budget,
        "目标金额": share.target_amount,
    }
    for label, value in expected.items():
        assert _money(summary[label].value) == value, label
        assert summary[label].number_format == "#,##0.00", label
    assert Decimal(str(summary["占预算比例"].value)) == share.share_of_budget == D("0.0430")
    assert Decimal(str(summary["目标完成进度"].value)) == share.progress == D("0.4300")
    assert Decimal(str(summary["山区县农产品占采购额比例"].value)) == share.mountain_share_of_spend
    assert summary["目标完成进度"].number_format == "0.00%"
    assert Decimal(str(summary["目标占比"].value)) == D("0.100")

    months = list(book["按月份"].iter_rows(values_only=True))
    assert months[0] == ("月份", "采购额", "山区县农产品", "其他", "运费（非农产品）")
    assert len(months) == 1 + 12 + 1
    for row, month in zip(months[1:13], share.months, strict=True):
        assert row[0] == month["month"]
        assert [_money(v) for v in row[1:]] == [month["spend"], month["mountain"], month["other"], month["freight"]]
    assert months[13][0] == "合计" and [_money(v) for v in months[13][1:]] == [
        share.spend,
        share.mountain,
        share.other,
        share.freight,
    ]
    assert _money(months[9][1]) == D("3500.00") and _money(months[9][2]) == D("0.00")  # September, by hand

    counties = list(book["按县（市、区）"].iter_rows(values_only=True))
    assert counties[0] == ("县（市、区）", "采购额", "山区县农产品")
    assert [(r[0], _money(r[1]), _money(r[2])) for r in counties[1:]] == [
        (c["name"], c["amount"], c["mountain"]) for c in share.counties
    ]

    # Another unit's members cannot download it.
    client.force_login(unit_b.users["finance"])
    assert client.get(reverse("canteen_share", args=[unit_a.pk]) + "?year=2024&format=xlsx").status_code == 404


def test_staff_share_excel_has_every_unit(client, unit_a, unit_b, year_2024, django_user_model):
    from django.urls import reverse

    client.force_login(django_user_model.objects.create_superuser("staff", "s@example.com", "pw"))
    book = _xlsx(client, reverse("canteen_staff_share") + "?year=2024&format=xlsx")
    assert book.sheetnames == ["汇总", "按月份", "按县（市、区）", "按单位"]
    everyone = compute_share(2024)
    summary = {row[0].value: row[1].value for row in book["汇总"].iter_rows()}
    assert summary["单位"] == "全部单位" and _money(summary["平台采购额"]) == everyone.spend
    units = {r[0]: r for r in list(book["按单位"].iter_rows(values_only=True))[1:]}
    for unit in (unit_a, unit_b):
        one = compute_share(2024, unit)
        assert (_money(units[unit.name][1]), _money(units[unit.name][2])) == (one.spend, one.mountain)
        assert Decimal(str(units[unit.name][3])) == one.progress


def test_share_excel_writes_text_never_as_a_formula(client, unit_a, goods):
    from django.urls import reverse

    unit_a.name = "=HYPERLINK(1)"
    unit_a.save()
    client.force_login(unit_a.users["buyer"])
    book = _xlsx(client, reverse("canteen_share", args=[unit_a.pk]) + "?format=xlsx")
    cell = book["汇总"]["B1"]
    assert cell.value == "'=HYPERLINK(1)" and cell.data_type == "s"


def test_printable_share_page_for_filing(client, unit_a, year_2024, settings):
    from django.contrib.staticfiles import finders
    from django.urls import reverse

    client.force_login(unit_a.users["approver"])
    page = client.get(reverse("canteen_share", args=[unit_a.pk]) + "?year=2024").content.decode()
    print_url = reverse("canteen_share_print", args=[unit_a.pk]) + "?year=2024"
    assert f'href="{print_url}"' in page and "format=xlsx" in page
    response = client.get(print_url)
    assert response.status_code == 200
    html = response.content.decode()
    for absent in ('class="site-header"', 'class="site-footer"', "account-nav", 'class="main-menu"'):
        assert absent not in html, absent  # nothing but the report on the page
    assert unit_a.name in html and unit_a.uscc in html and "2024" in html
    assert "¥8,100.00" in html and "¥4,300.00" in html and "¥10,000.00" in html and "43%" in html
    assert "<svg" in html and html.count("<tr>") >= 12  # the chart and the months
    assert "每月目标：¥833" in html  # the chart's target, in Chinese (10,000 / 12)
    assert "制表人" in html and "审核人" in html
    from pathlib import Path

    css = Path(finders.find("marketplace/css/share.css")).read_text(encoding="utf-8")
    assert "share.css" in html and "size: A4" in css and "@media print" in css
