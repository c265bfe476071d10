"""On a phone: the cart and the checkout show each vendor's shipping fee for the address, the order is placed with
it, the vendor ships in the admin and the buyer confirms receipt (确认收货), which completes the order. The same
pages in English on a desktop."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from marketplace.checkout.models import DeliveryAddress, Order, ShippingRegion, ShippingRule
from marketplace.checkout.services import record_bank_transfer
from marketplace.services.vendors import grant_vendor_access

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_order_with_a_shipping_fee_is_shipped_and_confirmed(
    live_server,
    browser,
    phone_page,
    desktop_page,
    screenshot_dir,
    make_vendor,
    make_product,
    changshan,
    kecheng,
    django_user_model,
):
    coop = make_vendor("常山胡柚合作社", changshan)
    shao = make_vendor("邵永丰食品", kecheng)
    rule = ShippingRule.objects.create(
        vendor=coop,
        first_fee=Decimal("10.00"),
        additional_fee=Decimal("5.00"),
        free_above=Decimal("300.00"),
        excluded_provinces=["西藏自治区"],
    )
    ShippingRegion.objects.create(rule=rule, provinces=["新疆维吾尔自治区"], first_fee=Decimal("25.00"))
    ShippingRule.objects.create(vendor=shao, charge_by=ShippingRule.ChargeBy.FLAT, first_fee=Decimal("8.00"))
    tangelo = make_product(coop, "常山胡柚", "30.00", stock=20)
    cake = make_product(shao, "邵永丰麻饼", "20.00", stock=20, category="snacks")
    buyer = django_user_model.objects.create_user("13800138000", "", "pw")
    DeliveryAddress.objects.create(
        user=buyer,
        recipient="张三",
        phone="13800138000",
        province="浙江省",
        city="杭州市",
        district="拱墅区",
        street="湖墅南路 1 号",
        is_default=True,
    )
    base = live_server.url
    page = phone_page
    log_in(page.context, live_server, buyer)

    for product, quantity in ((tangelo, 3), (cake, 1)):
        page.goto(base + product.url)
        page.locator("#buy-quantity").fill(str(quantity))
        page.locator(".buy-box .buy-box__add").click()
        page.wait_for_url("**/cart/")

    # The cart shows each vendor's fee for the default address (浙江): 10 + 2 × 5, and a flat 8.
    coop_group = page.locator(".cart-vendor").filter(has_text="常山胡柚合作社")
    expect(coop_group.locator("[data-shipping-fee]")).to_contain_text("¥20.00")
    expect(page.locator(".cart-vendor").filter(has_text="邵永丰食品").locator("[data-shipping-fee]")).to_contain_text(
        "¥8.00"
    )
    expect(page.locator("[data-shipping-total]")).to_have_text("¥28.00")
    expect(page.locator("[data-cart-total]")).to_have_text("¥138.00")
    page.screenshot(path=screenshot_dir / "shipping-cart-phone.png", full_page=True)
    fits(page, 390)
    # Another province: 西藏 is not delivered to by the co-op, and it says so for that part.
    page.locator("#cart-province").select_option("西藏自治区")
    page.locator(".cart-destination button[type=submit]").click()
    expect(coop_group.locator("[data-flag=not_delivered]")).to_contain_text("不配送至西藏自治区")
    page.screenshot(path=screenshot_dir / "shipping-cart-refused-phone.png", full_page=True)
    fits(page, 390)

    # At checkout the fees follow the address chosen: a new address in 新疆 recalculates them.
    page.goto(base + "/checkout/")
    expect(page.locator(".checkout__shipping [data-shipping-total]")).to_have_text("¥28.00")
    with page.expect_navigation():  # choosing another address recalculates (the new one starts in 浙江省)
        page.locator("input[name=address][value=new]").check()
    expect(page.locator(".checkout__shipping [data-shipping-total]")).to_have_text("¥28.00")
    page.locator("#id_new-recipient").fill("李四")
    page.locator("#id_new-phone").fill("13900139000")
    page.locator("#id_new-street").fill("解放北路 2 号")
    with page.expect_navigation():  # a new province recalculates on its own
        page.locator("#id_new-province").select_option("新疆维吾尔自治区")
    expect(page.locator(".checkout__shipping [data-shipping-total]")).to_have_text("¥33.00")  # 25 + 8
    page.wait_for_selector("html[data-divisions-ready]", state="attached")
    page.locator("#id_new-city").select_option("乌鲁木齐市")
    page.locator("#id_new-district").select_option("天山区")
    expect(page.locator("#id_new-street")).to_have_value("解放北路 2 号")
    page.screenshot(path=screenshot_dir / "shipping-checkout-phone.png", full_page=True)
    fits(page, 390)
    # Back to the saved 浙江 address, and the order is placed with those fees.
    with page.expect_navigation():
        page.locator("input[name=address]").first.check()
    expect(page.locator(".checkout__shipping [data-shipping-total]")).to_have_text("¥28.00")
    expect(page.locator("[data-checkout-total]")).to_have_text("¥138.00")
    page.locator(".checkout__form button[type=submit]").click()
    page.wait_for_url("**/orders/SH*/")
    order = Order.objects.get()
    assert order.total == Decimal("138.00")
    assert sorted(p.shipping_fee for p in order.vendor_orders.all()) == [Decimal("8.00"), Decimal("20.00")]
    expect(page.locator("[data-bank=amount]")).to_have_text("¥138.00")

    # Paid; the co-op ships its part in the admin.
    staff = django_user_model.objects.create_superuser("staff", "staff@example.cn", "pw")
    record_bank_transfer(order, amount=order.total, received_on=timezone.localdate(), bank_reference="B1", user=staff)
    vendor_user = django_user_model.objects.create_user("coop-s", "coop-s@example.cn", "pw")
    grant_vendor_access(coop, vendor_user)
    part = order.vendor_orders.get(vendor=coop)
    admin = desktop_page
    log_in(admin.context, live_server, vendor_user)
    admin.goto(f"{base}/admin/vendor-orders/{part.pk}/")
    expect(admin.locator("tfoot")).to_contain_text("¥20.00")
    admin.locator("#id_carrier").select_option("sf")
    admin.locator("#id_tracking_number").fill("SF100200")
    admin.locator("#ship-form button[type=submit]").click()
    admin.wait_for_load_state()
    part.refresh_from_db()
    assert part.status == "shipped"

    # The buyer confirms receipt of the shipped part on the phone (the page asks first).
    page.goto(f"{base}/orders/{order.number}/")
    shipped = page.locator(".order-part").filter(has_text="常山胡柚合作社")
    expect(shipped.locator("[data-part-shipping]")).to_contain_text("¥20.00")
    expect(page.locator(".order-part__confirm")).to_have_count(1)  # only the shipped part
    page.screenshot(path=screenshot_dir / "shipping-order-shipped-phone.png", full_page=True)
    fits(page, 390)
    shipped.locator(".order-part__confirm button").click()
    page.locator("dialog.confirm-dialog .confirm-dialog__ok").click()
    page.wait_for_url(f"**/orders/{order.number}/")
    expect(page.locator(".messages, [role=status]").first).to_contain_text("您已确认收到常山胡柚合作社的商品")
    expect(shipped.locator("[data-part-received]")).to_be_visible()
    part.refresh_from_db()
    assert part.status == "delivered" and part.received_by == buyer

    # The other vendor ships, the buyer confirms, the order completes.
    other = order.vendor_orders.get(vendor=shao)
    from marketplace.checkout.services import mark_vendor_order_shipped

    mark_vendor_order_shipped(other, carrier="zto", tracking_number="ZT1", user=staff)
    page.reload()
    page.locator(".order-part__confirm button").click()
    page.locator("dialog.confirm-dialog .confirm-dialog__ok").click()
    page.wait_for_url(f"**/orders/{order.number}/")
    expect(page.locator("[data-order-status]").first).to_have_attribute("data-order-status", "completed")
    page.screenshot(path=screenshot_dir / "shipping-order-completed-phone.png", full_page=True)
    fits(page, 390)

    # The same order page in English on a desktop.
    log_in(admin.context, live_server, buyer)
    admin.goto(f"{base}/en/orders/{order.number}/")
    expect(admin.locator(".order-part").first).to_contain_text("Shipping")
    admin.screenshot(path=screenshot_dir / "shipping-order-completed-en-desktop.png", full_page=True)
    fits(admin, 1280)
    admin.goto(f"{base}/en/cart/?province=新疆维吾尔自治区")
    admin.screenshot(path=screenshot_dir / "shipping-cart-empty-en-desktop.png", full_page=True)
