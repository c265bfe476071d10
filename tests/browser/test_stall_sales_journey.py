"""On-site sales on a phone: a vendor records three sales at the stall in two taps each, one of them while the
phone is offline (kept in localStorage, sent when the connection returns); the organiser's results report then
shows all three, once each."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import StallSale
from events.stalls import services
from marketplace.models import ProductStock
from tests.support.axe import AXE, axe_violations
from tests.support.browser import eventually, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_vendor_records_three_sales_one_offline_and_the_report_shows_them_once(
    live_server, phone_page, desktop_page, screenshot_dir, make_fair, vendor_user, make_product, django_user_model
):
    today = timezone.localdate()
    fair = make_fair(
        "山海协作·衢州名优农产品展销会", price="0.00", stalls=3, start_date=today, end_date=today + timedelta(1)
    )
    vendor, member = vendor_user("常山胡柚合作社", "coop")
    application = services.apply(fair=fair, vendor=vendor, user=member, request=services.ApplicationRequest())
    services.approve(application, stall=fair.stalls.get(code="A01"), user=member)
    huyou = make_product(vendor, "常山胡柚", "8.00", stock=10, unit="斤")
    make_product(vendor, "胡柚膏", "38.00", track_stock=False)
    organiser = django_user_model.objects.create_superuser("organiser", "org@example.cn", "pw")
    base = live_server.url

    page = phone_page
    page.context.add_init_script(AXE)  # axe-core, to check the pages' accessibility as test_accessibility does
    log_in(page.context, live_server, member)
    page.goto(base + fair.url + "sales/")
    status = page.locator("#sales-sync")

    # 1: online, two taps — the product, then how it was paid.
    page.get_by_role("radio", name="常山胡柚").check()
    page.get_by_role("button", name="微信支付").click()
    expect(status).to_contain_text("已记录：常山胡柚 × 1")

    # 2: the connection drops; the sale is kept on the phone.
    page.context.set_offline(True)
    page.get_by_role("radio", name="胡柚膏").check()
    page.get_by_label("数量").fill("2")
    page.get_by_role("button", name="现金").click()
    expect(status).to_contain_text("离线")
    expect(page.locator(".sale-row--pending")).to_have_count(1)
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('shanhai-stall-sales')).length") == 1
    assert StallSale.objects.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "stall-sales-offline-phone.png", full_page=True)

    # Back online: the waiting sale is sent by itself.
    page.context.set_offline(False)
    expect(page.locator(".sale-row--pending")).to_have_count(0)
    assert eventually(lambda: StallSale.objects.count() == 2)

    # 3: a typed item with its price, paid by card.
    page.get_by_text("其他物品").click()
    page.locator("#sale-item").fill("胡柚鲜果试吃装")
    page.locator("#sale-price").fill("10")
    page.get_by_role("button", name="银行卡").click()
    expect(status).to_contain_text("已记录：胡柚鲜果试吃装")
    assert eventually(lambda: StallSale.objects.count() == 3)
    page.screenshot(path=screenshot_dir / "stall-sales-phone.png", full_page=True)
    assert axe_violations(page) == []

    sales = StallSale.objects.order_by("pk")
    assert [(s.item_name, s.quantity, s.amount, s.payment) for s in sales] == [
        ("常山胡柚", 1, Decimal("8.00"), "wechat"),
        ("胡柚膏", 2, Decimal("76.00"), "cash"),
        ("胡柚鲜果试吃装", 1, Decimal("10.00"), "card"),
    ]
    assert ProductStock.objects.get(product=huyou).quantity == 9
    assert page.evaluate("JSON.parse(localStorage.getItem(Object.keys(localStorage)[0]) || '[]').length") == 0

    # The page in English, on the same phone.
    page.goto(base + "/en" + fair.url + "sales/")
    expect(page.get_by_role("button", name="WeChat Pay")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "stall-sales-en-phone.png", full_page=True)
    assert axe_violations(page) == []

    # The organiser's report: three sales, ¥94.00, each once.
    report = desktop_page
    report.context.add_init_script(AXE)
    log_in(report.context, live_server, organiser)
    report.goto(base + fair.url + "results/")
    expect(report.locator('[data-figure="sales-count"]')).to_have_text("3")
    expect(report.locator('[data-figure="sales-total"]')).to_have_text("¥94.00")
    report.screenshot(path=screenshot_dir / "fair-results-desktop.png", full_page=True)
    assert axe_violations(report) == []
    report.goto(base + "/en" + fair.url + "results/")
    assert axe_violations(report) == []
