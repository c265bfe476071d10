"""A visitor on a phone fills a cart from two vendors, signs up, pays by bank transfer; a vendor sees its part."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from marketplace.checkout.models import Order
from marketplace.models import ProductStock
from marketplace.services.vendors import grant_vendor_access

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_to_cart(page, url, quantity):
    page.goto(url)
    page.locator("#buy-quantity").fill(str(quantity))
    page.locator(".buy-box .buy-box__add").click()
    page.wait_for_url("**/cart/")


def test_visitor_checks_out_by_bank_transfer_and_vendor_sees_its_line(
    live_server, browser, phone_page, screenshot_dir, make_vendor, make_product, changshan, kecheng
):
    coop = make_vendor("常山胡柚合作社", changshan)
    shao = make_vendor("邵永丰食品", kecheng)
    tangelo = make_product(coop, "常山胡柚", "58.00", stock=20, tiers=[(5, "52.00")])
    cake = make_product(shao, "邵永丰麻饼", "30.00", stock=10, category="snacks")
    base = live_server.url

    page = phone_page
    add_to_cart(page, base + tangelo.url, 5)
    add_to_cart(page, base + cake.url, 2)

    groups = page.locator(".cart-vendor")
    expect(groups).to_have_count(2)
    expect(groups.filter(has_text="常山胡柚合作社")).to_contain_text("¥260.00")  # 5 × the ¥52.00 tier price
    expect(groups.filter(has_text="邵永丰食品")).to_contain_text("¥60.00")
    expect(page.locator("[data-cart-total]")).to_have_text("¥320.00")
    expect(page.locator("[data-cart-count]")).to_have_text("(2)")
    page.screenshot(path=screenshot_dir / "checkout-cart-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Checking out needs an account: the login page offers sign-up and comes back to the checkout.
    page.locator(".cart-summary a.button--primary").click()
    page.wait_for_url("**/login/?next=**")
    page.locator("a[href*='/signup/?next=']").click()
    page.locator("#id_mobile").fill("13800138000")
    page.locator("#id_name").fill("张三")
    page.locator("#id_password1").fill("Shanhai-pass-2024")
    page.locator("#id_password2").fill("Shanhai-pass-2024")
    page.locator("#id_consent").check()
    page.locator("form button[type=submit]").last.click()
    # Signup does not log in (it must not tell a new number from one with an account): log in next.
    page.wait_for_url("**/login/?next=**")
    page.locator("#id_identifier").fill("13800138000")
    page.locator("#id_password").fill("Shanhai-pass-2024")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/checkout/")

    expect(page.locator("input[name=address][value=new]")).to_be_checked()
    page.locator("#id_new-recipient").fill("张三")
    # The account's mobile number is pre-filled; 省/市/区 are chosen from lists that follow each other.
    expect(page.locator("#id_new-phone")).to_have_value("13800138000")
    expect(page.locator("#id_new-province")).to_have_value("浙江省")
    page.wait_for_selector("html[data-divisions-ready]", state="attached")  # the lists follow each other now
    page.locator("#id_new-city").select_option("杭州市")
    page.locator("#id_new-district").select_option("拱墅区")
    page.locator("#id_new-street").fill("湖墅南路 1 号")
    # Online payment is not configured here: bank transfer is stated as the way to pay, nothing to choose.
    expect(page.locator("[data-payment-method=bank_transfer]")).to_contain_text("对公转账")
    expect(page.locator("input[name=payment_method][type=radio]")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "checkout-form-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(".checkout__form button[type=submit]").click()
    page.wait_for_url("**/orders/SH*/")

    order = Order.objects.get()
    expect(page.locator(".payment-reference")).to_have_text(order.payment_reference)
    expect(page.locator("[data-bank=amount]")).to_have_text("¥320.00")
    expect(page.locator(".order-part")).to_have_count(2)
    expect(page.locator("[data-cart-count]")).to_have_count(0)  # the ordered lines left the cart
    page.screenshot(path=screenshot_dir / "checkout-order-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert ProductStock.objects.get(product=tangelo).quantity == 15

    # The co-op's user logs in to the admin and sees its own line of the order, not the other vendor's.
    vendor_user = get_user_model().objects.create_user("coop@example.cn", "coop@example.cn", "Coop-pass-2024")
    grant_vendor_access(coop, vendor_user)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    try:
        admin = context.new_page()
        admin.goto(base + "/admin/login/?next=/admin/vendor-orders/")
        admin.locator("#id_username").fill("coop@example.cn")
        admin.locator("#id_password").fill("Coop-pass-2024")
        admin.locator("form button[type=submit]").first.click()
        admin.wait_for_url("**/admin/vendor-orders/")
        listing = admin.locator("main")
        expect(listing).to_contain_text(order.number)
        expect(listing).to_contain_text("常山胡柚")
        expect(listing).not_to_contain_text("邵永丰麻饼")
        admin.screenshot(path=screenshot_dir / "checkout-vendor-orders-desktop.png", full_page=True)
    finally:
        context.close()
