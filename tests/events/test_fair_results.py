"""The results report of a small fair against figures worked out by hand; its pages, Excel, print and the
public block; a fair series summed fair by fair; the stall sales page without JavaScript."""

import datetime
import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from events.fairs import results as fair_results
from events.fairs import stall_sales
from events.models import CheckIn, FairSeries, Registration, StallSale, TicketType
from events.stalls import services
from marketplace.services.vendors import grant_vendor_access

pytestmark = pytest.mark.django_db

D = Decimal


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def small_fair(make_fair, make_vendor, make_product, changshan, kecheng, django_user_model):
    """A two-day fair that ended two days ago.

    Sales, worked out by hand (常山 is a mountain county; 柯城 left the list in 2024):
      day 1  常山胡柚合作社  胡柚 3 × 8.00 = 24.00 WeChat; 麻饼 (typed) 2 × 12.50 = 25.00 cash
      day 2  柯城糕点铺      桂花糕 1 × 20.00 = 20.00 Alipay; 桂花糕 2 × 20.00 = 40.00 card, voided
      total 69.00 in 3 sales; mountain 49.00, other 20.00; fruit 24.00, snacks 20.00, other items 25.00
    Visitors: 5 people registered on day 1, 3 on day 2; checked in 2 at 10:xx and 1 at 11:xx on day 1, 2 on day 2.
    """
    today = timezone.localdate()
    day1, day2 = today - timedelta(days=3), today - timedelta(days=2)
    fair = make_fair(price="0.00", start_date=day1, end_date=day2)
    a = make_vendor("常山胡柚合作社", changshan)
    b = make_vendor("柯城糕点铺", kecheng)
    users = []
    for vendor, code in ((a, "A01"), (b, "A02")):
        user = django_user_model.objects.create_user(f"m{vendor.pk}", f"m{vendor.pk}@example.com", "pw")
        grant_vendor_access(vendor, user)
        application = services.apply(fair=fair, vendor=vendor, user=user, request=services.ApplicationRequest())
        services.approve(application, stall=fair.stalls.get(code=code), user=user)
        users.append(user)
    huyou = make_product(a, "常山胡柚", "8.00", stock=50)
    cake = make_product(b, "桂花糕", "20.00", stock=50, category="snacks")

    def sell(vendor, user, when, **fields):
        request = stall_sales.SaleRequest(client_id=uuid.uuid4(), sold_at=when, **fields)
        return stall_sales.record_sale(fair=fair, vendor=vendor, user=user, request=request, now=when)[0]

    sell(a, users[0], at(day1, 10), product_id=huyou.pk, quantity=3, payment="wechat")
    sell(a, users[0], at(day1, 11), item_name="麻饼", unit_price="12.50", quantity=2, payment="cash")
    sell(b, users[1], at(day2, 10), product_id=cake.pk, quantity=1, payment="alipay")
    wrong = sell(b, users[1], at(day2, 11), product_id=cake.pk, quantity=2, payment="card")
    stall_sales.void_sale(wrong, user=users[1], reason="录错", now=at(day2, 11, 5))

    ticket = TicketType.objects.create(fair=fair, name="入场", capacity=100, requires_slot=False)
    slot1 = fair.slots.create(date=day1, starts_at="09:00", ends_at="17:00", capacity=50)
    slot2 = fair.slots.create(date=day2, starts_at="09:00", ends_at="17:00", capacity=50)
    regs = [
        Registration.objects.create(
            fair=fair,
            ticket_type=ticket,
            slot=slot,
            name="访客",
            phone="13800138000",
            people=people,
            status="confirmed",
        )
        for slot, people in ((slot1, 3), (slot1, 2), (slot2, 3))
    ]
    Registration.objects.create(
        fair=fair, ticket_type=ticket, slot=slot2, name="取消", phone="13800138001", people=4, status="cancelled"
    )
    for reg, when, people in (
        (regs[0], at(day1, 10, 5), 2),
        (regs[1], at(day1, 11, 30), 1),
        (regs[2], at(day2, 9, 40), 2),
    ):
        CheckIn.objects.create(registration=reg, fair=fair, slot=reg.slot, day=when.date(), people=people, at=when)
    return fair, (a, b), users, (day1, day2)


def by(rows):
    return {row.label: (row.count, row.amount) for row in rows}


def test_sums_match_the_hand_computed_figures(small_fair):
    fair, (a, b), _users, (day1, day2) = small_fair
    results = fair_results.fair_results(fair)
    sales = results["sales"]
    assert (sales["total"], sales["count"]) == (D("69.00"), 3)
    assert by(sales["vendor"]) == {"常山胡柚合作社": (2, D("49.00")), "柯城糕点铺": (1, D("20.00"))}
    assert by(sales["county"]) == {"常山县": (2, D("49.00")), "柯城区": (1, D("20.00"))}
    assert [(r.key, r.amount) for r in sales["mountain"]] == [(True, D("49.00")), (False, D("20.00"))]
    categories = {row.key: (row.label, row.amount) for row in sales["category"]}
    assert categories.pop(None)[1] == D("25.00")  # typed items have no category
    assert sorted(categories.values()) == [("水果", D("24.00")), ("糕点小吃", D("20.00"))]
    assert {r.key: r.amount for r in sales["payment"]} == {
        "wechat": D("24.00"),
        "cash": D("25.00"),
        "alipay": D("20.00"),
    }
    assert [(r.key, r.amount) for r in sales["day"]] == [(day1, D("49.00")), (day2, D("20.00"))]
    assert [s.amount for s in results["voided"]] == [D("40.00")] and results["voided_amount"] == D("40.00")
    visitors = results["visitors"]
    assert (visitors["registered"], visitors["checked_in"]) == (8, 5)
    assert [(r["day"], r["registered"], r["checked_in"]) for r in visitors["by_day"]] == [(day1, 5, 3), (day2, 3, 2)]
    assert [(r["hour"].hour, r["checked_in"]) for r in visitors["by_hour"]] == [(10, 2), (11, 1), (9, 2)]
    assert results["stalls"] == {"stalls": 5, "used": 2, "exhibitors": 2, "selling": 2}


def test_series_sums_fair_by_fair(small_fair, make_fair):
    fair, *_ = small_fair
    empty = make_fair("第二站")
    series = FairSeries.objects.create(name="2026 山海协作 区域公用品牌展销")
    series.fairs.set([fair, empty])
    results = fair_results.series_results(series)
    assert [row["fair"].pk for row in results["fairs"]] == [fair.pk, empty.pk]
    assert results["totals"]["sales_amount"] == D("69.00") and results["totals"]["mountain_amount"] == D("49.00")
    assert results["totals"]["checked_in"] == 5 and results["totals"]["stalls_used"] == 2


def test_report_pages_for_organisers_only(client, small_fair, organiser):
    fair, _vendors, users, _days = small_fair
    url = fair.url + "results/"
    client.force_login(users[0])
    assert client.get(url).status_code == 403
    client.force_login(organiser)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="sales-total">¥69.00' in html and "<svg" in html and "录错" in html
    workbook = client.get(url + "?format=xlsx")
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(workbook.content))
    assert book.worksheets[0]["B5"].value == 69  # on-site sales, a number
    printed = client.get(url + "print/")
    assert printed.status_code == 200, printed
    assert "69.00" in printed.content.decode(), printed.content.decode()[400:1500]
    english = client.get(f"/en{url}")
    assert english.status_code == 200 and "On-site sales" in english.content.decode()


def test_public_block_only_when_published(client, small_fair, organiser):
    fair, *_ = small_fair
    assert "fair-results" not in client.get(fair.url).content.decode()
    client.force_login(organiser)
    client.post(fair.url + "results/", {"published": "1"})
    assert fair_results.is_published(fair)
    client.logout()
    html = client.get(fair.url).content.decode()
    assert "fair-results" in html and "69.00" in html


def test_series_page(client, small_fair, organiser):
    fair, *_ = small_fair
    series = FairSeries.objects.create(name="2026 山海协作 区域公用品牌展销")
    series.fairs.set([fair])
    client.force_login(organiser)
    page = client.get(fair.get_parent().url + f"series/{series.pk}/")
    assert page.status_code == 200 and "69.00" in page.content.decode()
    assert client.get(fair.get_parent().url + f"series/{series.pk}/?format=xlsx").status_code == 200


# -- the stall sales page --------------------------------------------------------------------------------------


@pytest.fixture
def on_today(make_fair, vendor_user, make_product):
    today = timezone.localdate()
    fair = make_fair(price="0.00", start_date=today, end_date=today + timedelta(days=1))
    vendor, user = vendor_user()
    application = services.apply(fair=fair, vendor=vendor, user=user, request=services.ApplicationRequest())
    services.approve(application, stall=fair.stalls.get(code="A01"), user=user)
    product = make_product(vendor, "常山胡柚", "8.00", stock=2)
    return fair, vendor, user, product


def test_sales_page_records_without_javascript(client, on_today, django_user_model):
    fair, vendor, user, product = on_today
    url = fair.url + "sales/"
    client.force_login(django_user_model.objects.create_user("nobody", "n@example.com", "pw"))
    assert client.get(url).status_code == 403
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200 and "常山胡柚" in page.content.decode()
    client_id = str(uuid.uuid4())
    body = {"client_id": client_id, "product": product.pk, "quantity": "2", "payment": "cash", "vendor": vendor.pk}
    assert client.post(url, body).status_code == 302
    assert client.post(url, body).status_code == 302  # a double submit
    assert StallSale.objects.count() == 1
    page = client.get(url).content.decode()
    assert "售罄" in page  # the last two were sold
    sale = StallSale.objects.get()
    client.post(url, {"action": "void", "sale": sale.pk, "vendor": vendor.pk})
    sale.refresh_from_db()
    assert sale.status == "voided"


def test_service_worker_scope_covers_the_page(client, on_today):
    fair, _vendor, user, _product = on_today
    client.force_login(user)
    response = client.get(fair.url + "sales/worker/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    assert "shanhai-stall-sales" in response.content.decode()
    assert response["Service-Worker-Allowed"] == fair.url + "sales/"
    page = client.get(fair.url + "sales/").content.decode()
    assert f'data-sw="{fair.url}sales/worker/" data-sw-scope="{fair.url}sales/"' in page


# -- the report in both languages, numbers with thousands separators ---------------------------------------------


@pytest.fixture
def big_bilingual_fair(small_fair):
    """small_fair with English names and a large sale: 礼盒 10 × 1,234.50 = 12,345.00 by 常山胡柚合作社 on day 1,
    so the total is 12,414.00 in 4 sales (mountain 12,394.00)."""
    from events.models import FairPage
    from marketplace.models import ProductPage, VendorPage

    fair, (a, b), users, (day1, day2) = small_fair
    FairPage.objects.filter(pk=fair.pk).update(name_en="Mountain-Sea Fair")
    VendorPage.objects.filter(pk=a.pk).update(name_en="Changshan Pomelo Co-op")
    VendorPage.objects.filter(pk=b.pk).update(name_en="Kecheng Bakery")
    ProductPage.objects.filter(title="桂花糕").update(name_en="Osmanthus cake")
    request = stall_sales.SaleRequest(
        client_id=uuid.uuid4(),
        sold_at=at(day1, 12),
        item_name="礼盒",
        unit_price="1234.50",
        quantity=10,
        payment="card",
    )
    stall_sales.record_sale(fair=fair, vendor=a, user=users[0], request=request, now=at(day1, 12))
    fair.refresh_from_db()
    return fair


def test_grouped_counts_in_every_language():
    from django.utils import translation

    from cms.templatetags.cms_tags import grouped

    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert (grouped(1234567), grouped(12), grouped(D("2000")), grouped(None)) == (
                "1,234,567",
                "12",
                "2,000",
                "",
            )
    assert grouped("n/a") == "n/a" and grouped(D("1.5")) == D("1.5")


def test_report_in_chinese_and_english_with_thousands(client, big_bilingual_fair, organiser):
    fair = big_bilingual_fair
    url = fair.url + "results/"
    client.force_login(organiser)

    chinese = client.get(url).content.decode()
    assert 'data-figure="sales-total">¥12,414.00<' in chinese and 'data-figure="sales-count">4<' in chinese
    assert "¥12,345.00" in chinese and "¥12,394.00" in chinese  # the 礼盒 sale's vendor row; mountain produce
    assert "常山胡柚合作社" in chinese and "常山县" in chinese and "桂花糕 × 2" in chinese
    assert "Changshan Pomelo Co-op" not in chinese

    english = client.get(f"/en{url}").content.decode()
    assert '<html lang="en">' in english and "Results · Mountain-Sea Fair" in english
    assert 'data-figure="sales-total">¥12,414.00<' in english and "¥12,345.00" in english
    assert "Changshan Pomelo Co-op" in english and "Kecheng Bakery" in english
    assert ">Changshan<" in english and ">Fruit<" in english and "Osmanthus cake × 2" in english
    assert "常山胡柚合作社" not in english and "常山县" not in english and "桂花糕" not in english

    for language, prefix in (("zh", ""), ("en", "/en")):
        printed = client.get(f"{prefix}{url}print/").content.decode()
        assert "¥12,414.00" in printed and "¥12,394.00" in printed, language
    assert "Mountain-Sea Fair" in client.get(f"/en{url}print/").content.decode()


def test_excel_in_english_with_number_formats(client, big_bilingual_fair, organiser):
    from openpyxl import load_workbook

    fair = big_bilingual_fair
    url = fair.url  # before any English request: fair.url follows the active language
    client.force_login(organiser)
    book = load_workbook(io.BytesIO(client.get(f"/en{url}results/?format=xlsx").content))
    summary = book.worksheets[0]
    assert summary.title == "Summary" and summary["B1"].value == "Mountain-Sea Fair"
    assert summary["B5"].value == D("12414") and summary["B5"].number_format == "#,##0.00"
    assert summary["B6"].value == 4 and summary["B6"].number_format == "#,##0"
    sales = book["Sales"]
    rows = [[cell.value for cell in row] for row in sales.iter_rows(min_row=2)]
    assert {row[1] for row in rows} == {"Changshan Pomelo Co-op", "Kecheng Bakery"}
    assert {row[3] for row in rows} == {"常山胡柚", "麻饼", "礼盒", "Osmanthus cake"}  # typed items as typed
    assert {row[8] for row in rows} == {"Changshan", "Kecheng"}
    assert [row[0] for row in book["By vendor"].iter_rows(min_row=2, values_only=True)] == [
        "Changshan Pomelo Co-op",
        "Kecheng Bakery",
    ]

    chinese = load_workbook(io.BytesIO(client.get(f"{url}results/?format=xlsx").content))
    assert chinese.worksheets[0]["B1"].value == fair.title and "常山胡柚合作社" in {
        row[1] for row in chinese.worksheets[book.sheetnames.index("Sales")].iter_rows(min_row=2, values_only=True)
    }


def test_public_block_in_both_languages_with_thousands(client, big_bilingual_fair, organiser):
    fair = big_bilingual_fair
    url = fair.url  # before any English request: fair.url follows the active language
    fair_results.set_published(fair, published=True, user=organiser)
    chinese = client.get(url).content.decode()
    block = chinese[chinese.index('class="fair-results') :]
    assert "¥12,414.00" in block and "¥12,394.00" in block and "常山县 ¥12,394.00" in block
    english = client.get(f"/en{url}").content.decode()
    block = english[english.index('class="fair-results') :]
    assert "¥12,414.00" in block and "Changshan ¥12,394.00" in block and "常山县" not in block
