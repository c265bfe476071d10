"""Demo reviews (评价): five demo buyers each order about half of the demo products, receive them (确认收货) and
review every line; staff approve the reviews, and the vendor answers some of them. All through the services
(checkout, then marketplace.reviews), so the products' counters (rating, reviews, sold) are the services' own.

Idempotent: nothing is made when a demo reviewer already has an order. Only the curated demo products get reviews;
the products `--scale N` generates in bulk have none (their cards show no rating), which keeps `load_demo
--scale 10000` as fast as before. After loading reviews in bulk any other way, `marketplace.services.stats.recount()`
rebuilds the counters from the orders and reviews.

The demo buyer (`buyer`) is left with a received order not yet reviewed, to try the 评价 button.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone

REVIEWERS = [
    ("demo-reviewer-1", "王", "芳"),
    ("demo-reviewer-2", "李", "明"),
    ("demo-reviewer-3", "赵", "磊"),
    ("demo-reviewer-4", "刘", "洋"),
    ("demo-reviewer-5", "陈", "静"),
]
ADDRESS = {
    "recipient": "王芳",
    "phone": "13857000002",
    "province": "浙江省",
    "city": "宁波市",
    "district": "鄞州区",
    "street": "天童南路 588 号",
}
# (rating, text): what people write about food they bought from the mountain counties.
TEXTS = [
    (5, "收到很新鲜，包装也很用心，家里老人很喜欢，会回购。"),
    (5, "味道正宗，和在衢州吃到的一样，物流也快。"),
    (4, "整体不错，就是快递路上压了一点，商家态度很好。"),
    (5, "山里的好东西，支持山海协作！"),
    (3, "味道还可以，分量比想象的少一点。"),
    (4, "第二次买了，品质稳定，送朋友也体面。"),
]
REPLIES = ["感谢您的支持，欢迎常来！", "谢谢反馈，我们会改进包装。"]


def load_reviews(products, tally):
    from marketplace.checkout import services as checkout
    from marketplace.checkout.models import Order, PaymentMethod
    from marketplace.checkout.services import Address, LineRequest
    from marketplace.models import ProductPage, VendorMember
    from marketplace.reviews import services as reviews
    from marketplace.services.errors import MarketplaceError

    user_model = get_user_model()
    if Order.objects.filter(buyer__username__startswith="demo-reviewer-").exists():
        written = reviews.Review.objects.filter(author__username__startswith="demo-reviewer-")
        tally.present("demo reviews", written.count())
        return
    staff = user_model.objects.filter(is_superuser=True).order_by("pk").first()
    if staff is None:
        return
    buyable = [
        p
        for p in ProductPage.objects.filter(pk__in=[p.pk for p in products], live=True, available=True)
        .exclude(audience=ProductPage.Audience.CANTEENS)
        .select_related("vendor", "stock")
        .order_by("pk")
        if p.vendor
        and p.vendor.is_approved
        and (not p.track_stock or getattr(getattr(p, "stock", None), "quantity", 0) >= 5 * p.min_order_quantity)
    ]
    members = {m.vendor_id: m.user for m in VendorMember.objects.select_related("user")}
    for n, (username, family, given) in enumerate(REVIEWERS):
        user = user_model.objects.filter(username=username).first() or user_model.objects.create_user(
            username, f"{username}@shanhai.example", None, first_name=given, last_name=family
        )
        items = [p for i, p in enumerate(buyable) if (i + n) % 2 == 0]
        if not items:
            continue
        try:
            order = checkout.place_order(
                buyer=user,
                lines=[LineRequest(p.pk, p.min_order_quantity) for p in items],
                payment_method=PaymentMethod.BANK_TRANSFER,
                address=Address(**ADDRESS),
            )
        except MarketplaceError:
            continue  # a vendor that does not deliver there, or stock sold meanwhile: fewer reviews, no harm
        checkout.record_bank_transfer(
            order, amount=order.total, received_on=timezone.localdate(), bank_reference=f"DEMO-R{order.pk}", user=staff
        )
        for part in order.vendor_orders.all():
            tracking = f"SF15{order.pk:04d}{part.pk}"
            checkout.mark_vendor_order_shipped(part, carrier="sf", tracking_number=tracking, user=staff)
            checkout.confirm_delivery(part, user=user)
        for i, line in enumerate(order.lines.select_related("vendor_order").order_by("pk")):
            rating, text = TEXTS[(i + n) % len(TEXTS)]
            review = reviews.create_review(line, user=user, rating=rating, text=text)
            reviews.approve_review(review, user=staff)
            member = members.get(line.vendor_order.vendor_id)
            if member is not None and (i + n) % 3 == 0:
                reviews.reply_to_review(review, user=member, text=REPLIES[(i + n) % len(REPLIES)])
            tally.created("demo reviews")
