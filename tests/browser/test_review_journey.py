"""On a phone (390 px): an order with a shipping fee is shipped by the vendor in the admin, the buyer confirms
receipt (确认收货) and reviews the product with a photo, staff approve the review in the admin, and the review is
on the product page at once with the buyer's name shortened (张**). Then the review in English on a desktop."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image as PILImage
from playwright.sync_api import expect

from marketplace.checkout.models import ShippingRule, VendorOrder
from marketplace.checkout.services import record_bank_transfer
from marketplace.reviews.models import Review
from tests.factories import make_vendor_user, place_order
from tests.support.browser import eventually, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_buyer_reviews_a_received_product_and_staff_approve_it(
    live_server, phone_page, desktop_page, screenshot_dir, make_vendor, make_product, changshan, django_user_model
):
    coop = make_vendor("常山胡柚合作社", changshan)
    ShippingRule.objects.create(vendor=coop, charge_by=ShippingRule.ChargeBy.FLAT, first_fee=Decimal("10.00"))
    tangelo = make_product(coop, "常山胡柚", "30.00", stock=20)
    buyer = django_user_model.objects.create_user("13800138000", "", "pw", first_name="张三")
    staff = django_user_model.objects.create_superuser("staff", "staff@example.cn", "pw")
    order = place_order(buyer, (tangelo, 2))
    assert order.total == Decimal("70.00")  # 2 × 30 and a 10 元 shipping fee
    record_bank_transfer(order, amount=order.total, received_on=timezone.localdate(), bank_reference="B1", user=staff)
    part = order.vendor_orders.get()
    base, page = live_server.url, phone_page

    # The vendor ships its part in the admin, on a phone.
    log_in(page.context, live_server, make_vendor_user(coop, "coop"))
    page.goto(f"{base}/admin/vendor-orders/{part.pk}/")
    page.locator("#id_carrier").select_option("sf")
    page.locator("#id_tracking_number").fill("SF100200")
    page.locator("#ship-form button[type=submit]").click()
    assert eventually(lambda: VendorOrder.objects.get(pk=part.pk).status == VendorOrder.Status.SHIPPED)

    # The buyer confirms receipt; then the line offers 评价.
    log_in(page.context, live_server, buyer)
    page.goto(f"{base}/orders/{order.number}/")
    expect(page.locator("[data-review-line]")).to_have_count(0)
    page.locator(".order-part__confirm button").click()
    page.locator("dialog.confirm-dialog .confirm-dialog__ok").click()
    review_link = page.locator("[data-review-line]")
    expect(review_link).to_have_text("评价")
    page.screenshot(path=screenshot_dir / "review-order-phone.png", full_page=True)
    fits(page, 390)

    # The review form: four stars, a text and a photo.
    review_link.click()
    page.wait_for_url("**/review/")
    expect(page.locator("h1")).to_contain_text("评价 常山胡柚")
    page.locator("input[name=rating][value='4']").check()
    page.locator("textarea[name=text]").fill("果子很新鲜，酸甜可口。")
    buffer = io.BytesIO()
    PILImage.new("RGB", (120, 90), "orange").save(buffer, "JPEG")
    page.locator("input[name=photos]").set_input_files(
        [{"name": "huyou.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}]
    )
    page.screenshot(path=screenshot_dir / "review-form-phone.png", full_page=True)
    fits(page, 390)
    page.locator(".review-form button[type=submit]").click()
    page.wait_for_url(f"**/orders/{order.number}/")
    expect(page.locator("[data-reviewed]")).to_have_text("评价审核中")
    assert eventually(lambda: Review.objects.filter(status=Review.Status.PENDING).count() == 1)
    review = Review.objects.get()
    assert review.photos.count() == 1 and review.author_masked == "张**"

    # Not on the product page before staff approve it.
    page.goto(base + tangelo.url)
    expect(page.locator(".product__reviews")).to_contain_text("暂无评价")

    # Staff approve it from the moderation queue, on the phone too.
    log_in(page.context, live_server, staff)
    page.goto(f"{base}/admin/snippets/marketplace/review/")
    page.locator(f"a[href$='/moderate/{review.pk}/']").first.click()
    expect(page.locator("main")).to_contain_text("果子很新鲜")
    page.screenshot(path=screenshot_dir / "review-moderate-phone.png", full_page=True)
    page.locator("button[name=action][value=approve]").click()
    assert eventually(lambda: Review.objects.get(pk=review.pk).status == Review.Status.APPROVED)

    # A visitor sees it on the product page at once: masked name, stars read out, the photo, the counts.
    page.context.clear_cookies()
    page.goto(base + tangelo.url)
    shown = page.locator(f"[data-review='{review.pk}']")
    expect(shown).to_contain_text("张**")
    expect(shown).to_contain_text("果子很新鲜，酸甜可口。")
    expect(shown.locator(".stars")).to_have_attribute("aria-label", "4 星（满分 5 星）")
    expect(shown.locator(".review__photos img")).to_have_count(1)
    expect(page.locator(".product__info .review-summary")).to_contain_text("1 条评价")
    expect(page.locator(".product__info .review-summary")).to_contain_text("已售 2")
    assert "张三" not in page.content()
    shown.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "review-product-phone.png", full_page=True)
    fits(page, 390)

    # The product page and the listing in English on a desktop.
    desktop_page.goto(f"{base}/en{tangelo.url}")
    expect(desktop_page.locator(f"[data-review='{review.pk}'] .stars")).to_have_attribute(
        "aria-label", "4 out of 5 stars"
    )
    desktop_page.screenshot(path=screenshot_dir / "review-product-en-desktop.png", full_page=True)
    fits(desktop_page, 1280)
    desktop_page.goto(f"{base}/en/market/products/")
    expect(desktop_page.locator(".card--product").first).to_contain_text("1 review")
    fits(desktop_page, 1280)
