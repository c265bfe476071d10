"""On a phone: a paid order is shipped, the buyer asks for a refund of one item with a photo (申请售后), the vendor
refuses in the admin, the buyer asks the platform to decide, staff approve in the after-sale queue and the refund is
recorded. The request page in English too."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from marketplace.checkout import services
from marketplace.checkout.models import AfterSaleRequest, Order, Refund
from marketplace.checkout.services import Address, LineRequest
from marketplace.services.vendors import grant_vendor_access
from tests.support.browser import eventually, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_refund_request_refused_escalated_and_approved(
    live_server,
    phone_page,
    desktop_page,
    screenshot_dir,
    make_vendor,
    make_product,
    changshan,
    django_user_model,
    tmp_path,
):
    coop = make_vendor("常山胡柚合作社", changshan)
    tangelo = make_product(coop, "常山胡柚", "30.00", stock=20)
    buyer = django_user_model.objects.create_user("13800138000", "buyer@example.cn", "pw")
    staff = django_user_model.objects.create_superuser("staff", "staff@example.cn", "pw")
    vendor_user = django_user_model.objects.create_user("coop-s", "coop-s@example.cn", "pw")
    grant_vendor_access(coop, vendor_user)
    order = services.place_order(
        buyer=buyer,
        lines=[LineRequest(tangelo.pk, 3)],
        payment_method="bank_transfer",
        address=Address("张三", "13800138000", "浙江省", "杭州市", "拱墅区", "湖墅南路 1 号"),
    )
    services.record_bank_transfer(
        order, amount=order.total, received_on=timezone.localdate(), bank_reference="B1", user=staff
    )
    part = order.vendor_orders.get()
    base = live_server.url
    admin = desktop_page
    page = phone_page

    # The vendor ships in the admin.
    log_in(admin.context, live_server, vendor_user)
    admin.goto(f"{base}/admin/vendor-orders/{part.pk}/")
    admin.locator("#id_carrier").select_option("sf")
    admin.locator("#id_tracking_number").fill("SF100200")
    admin.locator("#ship-form button[type=submit]").click()
    assert eventually(lambda: order.vendor_orders.get().status == "shipped")

    # The buyer asks for a refund of one tangelo, with a photo.
    log_in(page.context, live_server, buyer)
    page.goto(f"{base}/orders/{order.number}/")
    page.locator(f"[data-after-sale-new='{part.pk}']").click()
    page.wait_for_url("**/after-sale/")
    photo = tmp_path / "bad.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "brown").save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    line = order.lines.get()
    page.locator(f"#id_line_{line.pk}").fill("1")
    page.locator("#id_reason").select_option("quality")
    page.locator("#id_note").fill("有一个烂了")
    page.locator("#id_photos").set_input_files(str(photo))
    page.screenshot(path=screenshot_dir / "after-sale-form-phone.png", full_page=True)
    fits(page, 390)
    page.locator("[data-after-sale-form] button[type=submit]").click()
    page.wait_for_url("**/after-sale/*/")
    expect(page.locator("[data-after-sale-status]")).to_have_attribute("data-after-sale-status", "requested")
    assert eventually(lambda: AfterSaleRequest.objects.filter(status="requested").exists())
    request = AfterSaleRequest.objects.get()
    assert request.photos.count() == 1 and request.amount == Decimal("30.00")
    page.screenshot(path=screenshot_dir / "after-sale-requested-phone.png", full_page=True)
    fits(page, 390)

    # The vendor refuses with a reason.
    admin.goto(f"{base}/admin/vendor-orders/{part.pk}/")
    admin.screenshot(path=screenshot_dir / "after-sale-vendor-desktop.png", full_page=True)
    admin.locator("[data-refuse] textarea").fill("果子发货时完好")
    admin.locator("[data-refuse] button[type=submit]").click()
    assert eventually(lambda: AfterSaleRequest.objects.get().status == "refused")

    # The buyer asks the platform to decide.
    page.reload()
    expect(page.locator("[data-after-sale-status]")).to_have_attribute("data-after-sale-status", "refused")
    page.locator("[data-escalate]").click()
    expect(page.locator("[data-after-sale-status]")).to_have_attribute("data-after-sale-status", "escalated")
    assert eventually(lambda: AfterSaleRequest.objects.get().status == "escalated")

    # Staff find it first in the queue and approve it.
    log_in(admin.context, live_server, staff)
    admin.goto(f"{base}/admin/after-sale/")
    admin.screenshot(path=screenshot_dir / "after-sale-queue-desktop.png", full_page=True)
    admin.locator(f"[data-after-sale='{request.pk}'] a").first.click()
    admin.locator("#after-sale-decision textarea").fill("照片可见烂果")
    admin.screenshot(path=screenshot_dir / "after-sale-decide-desktop.png", full_page=True)
    admin.locator("[data-approve]").click()
    assert eventually(lambda: AfterSaleRequest.objects.get().status == "refunded")
    assert eventually(lambda: Order.objects.get().refunded_total == Decimal("30.00"))
    assert Refund.objects.get().after_sale_id == request.pk

    # The buyer sees the refund on the request page, in Chinese and in English.
    page.reload()
    expect(page.locator("[data-after-sale-status]")).to_have_attribute("data-after-sale-status", "refunded")
    expect(page.locator("[data-after-sale-refunded]")).to_contain_text("¥30.00")
    page.screenshot(path=screenshot_dir / "after-sale-refunded-phone.png", full_page=True)
    fits(page, 390)
    page.goto(f"{base}/en/orders/{order.number}/after-sale/{request.pk}/")
    expect(page.locator("[data-after-sale-status]")).to_contain_text("Refunded")
    page.screenshot(path=screenshot_dir / "after-sale-refunded-en-phone.png", full_page=True)
    fits(page, 390)
    page.goto(f"{base}/orders/{order.number}/")
    page.screenshot(path=screenshot_dir / "after-sale-order-phone.png", full_page=True)
    fits(page, 390)
