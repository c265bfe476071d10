"""Reviews (评价) on the services directly: who may review what, moderation, replies, and the product counters."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.models import ModelLogEntry

from marketplace.checkout import services as checkout
from marketplace.models import ProductStats
from marketplace.reviews import services
from marketplace.reviews.models import Review
from marketplace.services import stats
from marketplace.services.errors import MarketplaceError
from tests.factories import (
    approved_review,
    line_of,
    make_user,
    make_vendor_user,
    moderator,
    pay_by_transfer,
    place_order,
    received_order,
    ship_part,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.cn", "pw")


@pytest.fixture
def goods(make_vendor, make_product, changshan, kecheng):
    coop = make_vendor("常山胡柚合作社", changshan)
    shao = make_vendor("邵永丰食品", kecheng)
    return {
        "coop": coop,
        "shao": shao,
        "tangelo": make_product(coop, "常山胡柚", "30.00", stock=50),
        "jar": make_product(coop, "胡柚膏", "40.00", stock=50, category="processed"),
        "cake": make_product(shao, "邵永丰麻饼", "20.00", stock=50, category="snacks"),
    }


def photo(name="p.png", size=(40, 30)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "green").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def counters(product):
    row = ProductStats.objects.filter(product=product).first()
    return (row.review_count, row.rating_total, row.sold_count) if row else (0, 0, 0)


def test_the_buyer_reviews_a_received_line_once_and_it_waits_for_moderation(buyer, staff, goods):
    buyer.first_name, buyer.last_name = "三", "张"
    buyer.save()
    order = received_order(buyer, staff, (goods["tangelo"], 2))
    review = services.create_review(
        line_of(order, goods["tangelo"]), user=buyer, rating=4, text=" 很甜 ", photos=[photo(), photo("b.png")]
    )
    assert review.status == Review.Status.PENDING and review.text == "很甜" and review.rating == 4
    assert review.product == goods["tangelo"] and review.vendor == goods["coop"]
    assert [p.image.width for p in review.photos.all()] == [40, 40]
    assert ModelLogEntry.objects.filter(object_id=str(review.pk), action="wagtail.create").exists()
    # Not shown nor counted before approval.
    assert counters(goods["tangelo"])[:2] == (0, 0)
    with pytest.raises(MarketplaceError) as again:
        services.create_review(line_of(order, goods["tangelo"]), user=buyer, rating=5)
    assert again.value.code == "already_reviewed"
    assert Review.objects.count() == 1


def test_masking_keeps_the_first_character_of_the_name_or_username(django_user_model):
    assert services.mask_name(django_user_model(username="x", first_name="三", last_name="张")) == "张**"
    assert services.mask_name(django_user_model(username="13800138000")) == "1**"
    assert services.mask_name(django_user_model(username="lilei", first_name="Lei", last_name="Li")) == "L**"


def test_a_line_not_yet_received_is_refused_and_nothing_is_written(buyer, staff, goods):
    order = pay_by_transfer(place_order(buyer, (goods["tangelo"], 1)), staff)
    with pytest.raises(MarketplaceError) as unpaid_shipped:
        services.create_review(line_of(order, goods["tangelo"]), user=buyer, rating=5)
    assert unpaid_shipped.value.code == "not_received"
    ship_part(order, goods["coop"], staff)
    with pytest.raises(MarketplaceError) as shipped:
        services.create_review(line_of(order, goods["tangelo"]), user=buyer, rating=5, photos=[photo()])
    assert shipped.value.code == "not_received" and shipped.value.message == "确认收货后即可评价 常山胡柚。"
    assert not Review.objects.exists()


def test_someone_elses_line_and_a_refunded_line_are_refused(buyer, staff, goods):
    order = received_order(buyer, staff, (goods["tangelo"], 1), (goods["jar"], 1))
    stranger = make_user("stranger")
    with pytest.raises(MarketplaceError) as not_theirs:
        services.create_review(line_of(order, goods["tangelo"]), user=stranger, rating=5)
    assert not_theirs.value.code == "not_found"
    checkout.refund(order, user=staff, lines={line_of(order, goods["jar"]).pk: 1})
    with pytest.raises(MarketplaceError) as refunded:
        services.create_review(line_of(order, goods["jar"]), user=buyer, rating=1)
    assert refunded.value.code == "not_received"
    assert not Review.objects.exists()
    assert services.reviewable_line_ids(order) == {line_of(order, goods["tangelo"]).pk}


@pytest.mark.parametrize("rating", [0, 6, "5", True, None])
def test_a_rating_outside_1_to_5_is_refused(buyer, staff, goods, rating):
    order = received_order(buyer, staff, (goods["tangelo"], 1))
    with pytest.raises(MarketplaceError) as refused:
        services.create_review(line_of(order, goods["tangelo"]), user=buyer, rating=rating)
    assert refused.value.code == "invalid_rating"


def test_text_length_photo_count_and_real_images_are_checked(buyer, staff, goods):
    order = received_order(buyer, staff, (goods["tangelo"], 1))
    line = line_of(order, goods["tangelo"])
    with pytest.raises(MarketplaceError) as long_text:
        services.create_review(line, user=buyer, rating=5, text="好" * 501)
    assert long_text.value.field == "text"
    with pytest.raises(MarketplaceError) as many:
        services.create_review(line, user=buyer, rating=5, photos=[photo(), photo(), photo(), photo()])
    assert many.value.code == "too_many_photos"
    fake = SimpleUploadedFile("virus.png", b"not an image at all", content_type="image/png")
    with pytest.raises(MarketplaceError) as not_image:
        services.create_review(line, user=buyer, rating=5, photos=[fake])
    assert not_image.value.field == "photos"
    assert not Review.objects.exists()


def test_moderation_counts_approved_reviews_and_logs_each_step(buyer, staff, goods):
    first = received_order(buyer, staff, (goods["tangelo"], 1))
    second = received_order(buyer, staff, (goods["tangelo"], 1))
    moderator = make_user("mod", is_staff=True)
    with pytest.raises(MarketplaceError) as not_staff:
        services.approve_review(
            services.create_review(line_of(first, goods["tangelo"]), user=buyer, rating=5), user=moderator
        )
    assert not_staff.value.code == "forbidden"
    review = Review.objects.get()
    services.approve_review(review, user=staff)
    other = services.create_review(line_of(second, goods["tangelo"]), user=buyer, rating=2)
    services.approve_review(other, user=staff)
    stats_row = ProductStats.objects.get(product=goods["tangelo"])
    assert (stats_row.review_count, stats_row.rating_total) == (2, 7)
    assert stats_row.average_rating == Decimal("3.5")
    with pytest.raises(MarketplaceError) as twice:
        services.approve_review(review, user=staff)
    assert twice.value.code == "invalid_state"
    # Taking an approved review down removes it from the rating.
    services.reject_review(other, user=staff, reason="广告")
    stats_row.refresh_from_db()
    assert (stats_row.review_count, stats_row.rating_total, stats_row.average_rating) == (1, 5, Decimal("5.0"))
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(other.pk)).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["wagtail.create", "marketplace.review_approved", "marketplace.review_rejected"]
    assert list(services.approved_reviews(goods["tangelo"].pk)) == [review]


def test_a_vendor_member_replies_once(buyer, staff, goods):
    order = received_order(buyer, staff, (goods["tangelo"], 1))
    review = approved_review(order, goods["tangelo"], staff)
    coop_member = make_vendor_user(goods["coop"], "coop")
    shao_member = make_vendor_user(goods["shao"], "shao")
    with pytest.raises(MarketplaceError) as other_vendor:
        services.reply_to_review(review, user=shao_member, text="谢谢")
    assert other_vendor.value.code == "forbidden"
    with pytest.raises(MarketplaceError) as buyer_reply:
        services.reply_to_review(review, user=buyer, text="谢谢")
    assert buyer_reply.value.code == "forbidden"
    services.reply_to_review(review, user=coop_member, text="谢谢支持！")
    review.refresh_from_db()
    assert review.reply == "谢谢支持！" and review.replied_by == coop_member and review.replied_at
    with pytest.raises(MarketplaceError) as again:
        services.reply_to_review(review, user=coop_member, text="再谢")
    assert again.value.code == "already_replied"
    review.refresh_from_db()
    assert review.reply == "谢谢支持！"
    assert ModelLogEntry.objects.filter(object_id=str(review.pk), action="marketplace.review_replied").count() == 1


def test_sold_counts_received_units_less_refunds(buyer, staff, goods, settings):
    order = pay_by_transfer(place_order(buyer, (goods["tangelo"], 3), (goods["cake"], 2)), staff)
    ship_part(order, goods["coop"], staff)
    assert counters(goods["tangelo"])[2] == 0  # shipped is not yet sold
    checkout.confirm_delivery(order.vendor_orders.get(vendor=goods["coop"]), user=buyer)
    assert counters(goods["tangelo"])[2] == 3
    # A refund before receipt never counted; one after receipt is taken off.
    checkout.refund(order, user=staff, lines={line_of(order, goods["cake"]).pk: 1})
    checkout.refund(order, user=staff, lines={line_of(order, goods["tangelo"]).pk: 1})
    assert counters(goods["tangelo"])[2] == 2
    ship_part(order, goods["shao"], staff)
    checkout.confirm_delivery(order.vendor_orders.get(vendor=goods["shao"]), user=buyer)
    assert counters(goods["cake"])[2] == 1
    # Automatic confirmation counts too.
    settings.ORDER_AUTO_CONFIRM_DAYS = 0
    later = pay_by_transfer(place_order(buyer, (goods["jar"], 4)), staff)
    ship_part(later, goods["coop"], staff)
    checkout.auto_confirm_deliveries()
    assert counters(goods["jar"])[2] == 4
    # Recounting from the orders and reviews gives the same numbers.
    before = {p: counters(goods[p]) for p in ("tangelo", "cake", "jar")}
    ProductStats.objects.all().delete()
    stats.recount()
    assert {p: counters(goods[p]) for p in ("tangelo", "cake", "jar")} == before


def test_staff_completing_a_shipped_order_counts_it_sold(buyer, staff, goods):
    order = pay_by_transfer(place_order(buyer, (goods["tangelo"], 2)), staff)
    ship_part(order, goods["coop"], staff)
    checkout.mark_order_completed(order, user=staff)
    assert counters(goods["tangelo"])[2] == 2


def test_the_moderators_group_may_moderate(buyer, staff, goods):
    order = received_order(buyer, staff, (goods["tangelo"], 1))
    review = services.create_review(line_of(order, goods["tangelo"]), user=buyer, rating=5)
    assert services.approve_review(review, user=moderator()).status == Review.Status.APPROVED
