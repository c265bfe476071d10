"""Demo fair results (called by events.demo.load after the fairs): sales at the stalls of the past canteen market,
recorded through events.fairs.stall_sales as they would have been on the day (one voided), its results published on
its page, and a fair series grouping the three demo fairs. Idempotent: a fair that has sales gets none more; the
series is found by name."""

import datetime
import random
import uuid
from decimal import Decimal

from django.utils import timezone

from cms.errors import DomainError

SERIES_NAME = "2026 山海协作 区域公用品牌展销"
SERIES_NAME_EN = "2026 Mountain-sea cooperation: regional public brands on show and sale"
SERIES_DESCRIPTION = "区域公用品牌系列展销活动：宁波山海协作展销会、衢州百县千碗美食节、省府大院机关食堂消费帮扶市集。"
PAYMENTS = ["wechat"] * 5 + ["alipay"] * 3 + ["cash", "card"]
TYPED_ITEMS = [("现做麻饼", "6.00"), ("胡柚鲜果试吃装", "10.00"), ("手工米糕", "8.00"), ("土鸡蛋（10 枚）", "25.00")]


def load(fairs, admin, tally):
    """`fairs`: the demo FairPages in the order of the facts file; `admin`: the superuser that records on the
    vendors' behalf (the demo's vendors have no member logins of their own)."""
    from events.fairs.models import FairSeries
    from events.models import FairPage, StallBooking, StallSale

    if admin is None:
        return
    for fair in fairs:
        if fair.status != FairPage.Status.FINISHED:
            continue
        if StallSale.objects.filter(fair=fair).exists():
            tally.present("stall sales", StallSale.objects.filter(fair=fair).count())
        else:
            bookings = StallBooking.objects.filter(fair=fair, status=StallBooking.Status.CONFIRMED).select_related(
                "vendor"
            )
            for booking in bookings.order_by("pk"):
                tally.created("stall sales", _sell(fair, booking, admin))
        _publish(fair, admin)
    series, created = FairSeries.objects.get_or_create(
        name=SERIES_NAME, defaults={"name_en": SERIES_NAME_EN, "description": SERIES_DESCRIPTION}
    )
    series.fairs.add(*fairs)
    (tally.created if created else tally.present)("fair series")


def _sell(fair, booking, admin):
    from events.fairs import stall_sales

    rng = random.Random(f"{fair.slug}:{booking.vendor_id}")
    products = list(stall_sales.sale_products(booking.vendor)[:6])
    opens = datetime.datetime.combine(fair.start_date, fair.opens_at)
    minutes = max(30, int((datetime.datetime.combine(fair.start_date, fair.closes_at) - opens).total_seconds() // 60))
    made = []
    for _n in range(rng.randint(6, 14)):
        sold_at = timezone.make_aware(
            opens + datetime.timedelta(minutes=rng.randrange(minutes), seconds=rng.randrange(60))
        )
        request = stall_sales.SaleRequest(
            client_id=uuid.UUID(int=rng.getrandbits(128), version=4), payment=rng.choice(PAYMENTS), sold_at=sold_at
        )
        if products and rng.random() < 0.85:
            product = rng.choice(products)
            request.product_id, request.quantity = product.pk, rng.choice([1, 1, 1, 2, 2, 3, 5])
        else:
            request.item_name, price = rng.choice(TYPED_ITEMS)
            request.unit_price, request.quantity = Decimal(price), rng.choice([1, 2, 3])
        try:
            sale, _created = stall_sales.record_sale(
                fair=fair, vendor=booking.vendor, user=admin, request=request, now=sold_at
            )
        except DomainError:
            continue  # sold out: the demo stock decides, as it would have on the day
        made.append(sale)
    if len(made) > 3 and rng.random() < 0.4:
        wrong = made[1]
        stall_sales.void_sale(
            wrong, user=admin, reason="录入错误，已重新记录", now=wrong.sold_at + datetime.timedelta(minutes=2)
        )
    return len(made)


def _publish(fair, admin):
    from events.fairs import results as fair_results

    fair_results.set_published(fair, published=True, user=admin)
