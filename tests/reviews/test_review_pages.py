"""Reviews through the Django test client: the order page's 评价 action and the review form, the product page
and cards (also from the page cache), the vendor's reviews with the reply form, and the staff moderation queue."""

import io

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image as PILImage
from wagtail.models import Site

from cms.models import SiteSettings
from marketplace.reviews import services
from marketplace.reviews.models import Review
from tests.factories import (
    approved_review,
    line_of,
    make_user,
    make_vendor_user,
    pay_by_transfer,
    place_order,
    received_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.cn", "pw")


@pytest.fixture
def goods(make_vendor, make_product, changshan):
    coop = make_vendor("常山胡柚合作社", changshan)
    return {
        "coop": coop,
        "tangelo": make_product(coop, "常山胡柚", "30.00", stock=50),
        "jar": make_product(coop, "胡柚膏", "40.00", stock=50, category="processed"),
    }


@pytest.fixture
def named_buyer(django_user_model):
    return django_user_model.objects.create_user("buyer", "buyer@example.cn", "pw", first_name="张三")


def png():
    buffer = io.BytesIO()
    PILImage.new("RGB", (30, 30), "red").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def test_the_order_page_offers_a_review_only_for_received_lines(client, named_buyer, staff, goods):
    waiting = pay_by_transfer(place_order(named_buyer, (goods["tangelo"], 1)), staff)
    received = received_order(named_buyer, staff, (goods["tangelo"], 1))
    client.force_login(named_buyer)
    assert b"data-review-line" not in client.get(f"/orders/{waiting.number}/").content
    page = client.get(f"/en/orders/{received.number}/").content.decode()
    line = line_of(received, goods["tangelo"])
    assert f'data-review-line="{line.pk}"' in page and f"/en/orders/{received.number}/lines/{line.pk}/review/" in page


def test_the_buyer_writes_a_review_with_photos_and_it_waits_for_staff(client, named_buyer, staff, goods):
    order = received_order(named_buyer, staff, (goods["tangelo"], 1))
    line = line_of(order, goods["tangelo"])
    client.force_login(named_buyer)
    url = f"/orders/{order.number}/lines/{line.pk}/review/"
    form = client.get(url)
    assert form.status_code == 200 and 'name="rating"' in form.content.decode()
    # No rating: the form says so and nothing is stored.
    refused = client.post(url, {"text": "好"})
    assert refused.status_code == 200 and not Review.objects.exists()
    answer = client.post(url, {"rating": "5", "text": "很甜很新鲜", "photos": [png(), png()]})
    assert answer.status_code == 302 and answer["Location"] == f"/orders/{order.number}/"
    review = Review.objects.get()
    assert review.rating == 5 and review.photos.count() == 2 and review.status == Review.Status.PENDING
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert f'data-reviewed="{line.pk}"' in page and "评价审核中" in page
    # A second visit to the form goes back to the order.
    assert client.get(url).status_code == 302


def test_a_fake_photo_and_a_stranger_are_refused(client, named_buyer, staff, goods):
    order = received_order(named_buyer, staff, (goods["tangelo"], 1))
    line = line_of(order, goods["tangelo"])
    client.force_login(named_buyer)
    fake = SimpleUploadedFile("x.jpg", b"GIF89a not really", content_type="image/jpeg")
    answer = client.post(f"/en/orders/{order.number}/lines/{line.pk}/review/", {"rating": "4", "photos": [fake]})
    assert answer.status_code == 200 and b"field--error" in answer.content
    assert not Review.objects.exists()
    client.force_login(make_user("stranger"))
    assert client.get(f"/orders/{order.number}/lines/{line.pk}/review/").status_code == 404


def test_an_approved_review_shows_on_the_product_page_and_cards_with_the_masked_name(client, named_buyer, staff, goods):
    order = received_order(named_buyer, staff, (goods["tangelo"], 2))
    before = client.get(goods["tangelo"].url).content.decode()
    assert "暂无评价" in before or "No reviews yet" in before
    review = services.create_review(line_of(order, goods["tangelo"]), user=named_buyer, rating=4, text="很甜")
    assert "很甜" not in client.get(goods["tangelo"].url).content.decode()  # pending: not shown
    services.approve_review(review, user=staff)
    coop_member = make_vendor_user(goods["coop"], "coop")
    services.reply_to_review(review, user=coop_member, text="谢谢惠顾")
    page = client.get(goods["tangelo"].url).content.decode()
    assert "很甜" in page and "张**" in page and "张三" not in page and "谢谢惠顾" in page
    assert 'aria-label="4 星（满分 5 星）"' in page and "已售 2" in page
    assert "2 sold" in client.get("/en" + goods["tangelo"].url).content.decode()
    listing = client.get("/en/market/products/").content.decode()
    assert "1 review" in listing and "2 sold" in listing


def test_the_cached_product_page_shows_an_approved_review_at_once(settings, named_buyer, staff, goods):
    SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.PAGE_CACHE_SECONDS = 60
    caches[settings.PAGE_CACHE_ALIAS].clear()
    visitor = Client()
    order = received_order(named_buyer, staff, (goods["tangelo"], 1))
    url = goods["tangelo"].url
    visitor.get(url)
    assert visitor.get(url)["X-Cache"] == "hit"
    review = services.create_review(line_of(order, goods["tangelo"]), user=named_buyer, rating=5, text="回购了")
    services.approve_review(review, user=staff)
    fresh = visitor.get(url)
    assert fresh["X-Cache"] == "miss" and "回购了" in fresh.content.decode()
    listing = visitor.get("/market/products/").content.decode()
    assert "1 条评价" in listing or "1 review" in listing
    caches[settings.PAGE_CACHE_ALIAS].clear()


def test_the_vendor_reads_and_replies_once(client, named_buyer, staff, goods):
    order = received_order(named_buyer, staff, (goods["tangelo"], 1))
    review = approved_review(order, goods["tangelo"], staff, text="不错")
    member = make_vendor_user(goods["coop"], "coop")
    client.force_login(member)
    listing = client.get("/en/account/reviews/").content.decode()
    assert "不错" in listing and f"/en/account/reviews/{review.pk}/reply/" in listing
    answer = client.post(f"/en/account/reviews/{review.pk}/reply/", {"text": "感谢支持"})
    assert answer.status_code == 302
    review.refresh_from_db()
    assert review.reply == "感谢支持"
    client.post(f"/en/account/reviews/{review.pk}/reply/", {"text": "再次感谢"})
    review.refresh_from_db()
    assert review.reply == "感谢支持"
    assert f"/account/reviews/{review.pk}/reply/" not in client.get("/en/account/reviews/").content.decode()
    # Vendor members find the page from the admin menu; a buyer who is no vendor member has no such page.
    assert "/account/reviews/" in client.get("/admin/").content.decode()
    client.force_login(named_buyer)
    assert client.get("/account/reviews/").status_code == 404


def test_staff_moderate_from_the_admin_queue(client, named_buyer, staff, goods):
    first = received_order(named_buyer, staff, (goods["tangelo"], 1), (goods["jar"], 1))
    older = approved_review(first, goods["jar"], staff)
    pending = services.create_review(line_of(first, goods["tangelo"]), user=named_buyer, rating=3, text="一般")
    client.force_login(staff)
    queue = client.get("/admin/snippets/marketplace/review/").content.decode()
    assert queue.index(f"moderate/{pending.pk}/") < queue.index(f"moderate/{older.pk}/")  # pending first
    moderate_url = f"/admin/snippets/marketplace/review/moderate/{pending.pk}/"
    assert "一般" in client.get(moderate_url).content.decode()
    assert client.post(moderate_url, {"action": "approve"}).status_code == 302
    pending.refresh_from_db()
    assert pending.status == Review.Status.APPROVED
    # Someone without the permission is turned away.
    client.force_login(make_user("nobody", is_staff=True))
    assert client.post(moderate_url, {"action": "reject"}).status_code in (302, 403)
    pending.refresh_from_db()
    assert pending.status == Review.Status.APPROVED
