"""Demo shipping rules (运费模板) for every demo vendor, and a demo buyer's orders from payment to receipt.

Idempotent: a vendor that has rules keeps them; the buyer's orders are only made when the buyer has none.
- Co-ops, farms and brands charge by count: 江浙沪皖 6 元 first item + 2 元 each more, free from 59 元;
  elsewhere 12 + 6, free from 99 元; 新疆, 西藏, 青海 and 内蒙古 25 + 15; no delivery to 港澳台.
  Canteen deliveries are free in the vendor's own city, 30 元 elsewhere.
- Restaurants (dishes, gift boxes) charge a flat 15 元 (10 元 in 江浙沪皖) and deliver only in 江浙沪皖.
- The demo buyer (`buyer`, password `shanhai-buyer` or $DEMO_BUYER_PASSWORD) has an order confirmed as received
  (completed), one shipped and waiting for 确认收货, and one paid and waiting to be shipped.
"""

import os
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

NEAR = ["浙江省", "江苏省", "上海市", "安徽省"]
FAR = ["新疆维吾尔自治区", "西藏自治区", "青海省", "内蒙古自治区"]
ABROAD = ["香港特别行政区", "澳门特别行政区", "台湾省"]
BUYER_USERNAME = "buyer"
DEFAULT_BUYER_PASSWORD = "shanhai-buyer"
BUYER_ADDRESS = {
    "recipient": "陈晓燕",
    "phone": "13857000001",
    "province": "浙江省",
    "city": "杭州市",
    "district": "拱墅区",
    "street": "湖墅南路 88 号 3 幢 501",
}


def _d(value):
    return Decimal(value)


def load_shipping_rules(tally):
    from cms.divisions import provinces
    from marketplace.checkout.models import ShippingRegion, ShippingRule
    from marketplace.models import VendorPage

    everywhere = set(provinces())
    vendors = VendorPage.objects.filter(shipping_rule__isnull=True).select_related("county__city")
    for vendor in vendors:
        city = vendor.county.city.name if vendor.county and vendor.county.city_id else ""
        if vendor.kind == VendorPage.Kind.RESTAURANT:
            rule = ShippingRule.objects.create(
                vendor=vendor,
                name="餐饮礼盒运费",
                name_en="Gift box shipping",
                charge_by=ShippingRule.ChargeBy.FLAT,
                first_fee=_d("15.00"),
                excluded_provinces=sorted(everywhere - set(NEAR)),
                canteen_free_area=city,
                canteen_fee=_d("30.00"),
            )
            ShippingRegion.objects.create(rule=rule, provinces=NEAR, first_fee=_d("10.00"))
        else:
            rule = ShippingRule.objects.create(
                vendor=vendor,
                name="全国运费模板",
                name_en="Nationwide shipping",
                charge_by=ShippingRule.ChargeBy.COUNT,
                first_units=_d("1"),
                first_fee=_d("12.00"),
                additional_units=_d("1"),
                additional_fee=_d("6.00"),
                free_above=_d("99.00"),
                excluded_provinces=ABROAD,
                canteen_free_area=city,
                canteen_fee=_d("30.00"),
            )
            ShippingRegion.objects.create(
                rule=rule, provinces=NEAR, first_fee=_d("6.00"), additional_fee=_d("2.00"), free_above=_d("59.00")
            )
            ShippingRegion.objects.create(
                rule=rule, provinces=FAR, first_fee=_d("25.00"), additional_fee=_d("15.00"), sort_order=1
            )
        tally.created("shipping rules")
    present = ShippingRule.objects.count() - tally.counts.get("shipping rules", {}).get("created", 0)
    if present:
        tally.present("shipping rules", present)


def load_buyer_orders(products, tally, stdout):
    """A demo buyer with a saved address and three orders along the after-payment path."""
    from marketplace.checkout import services
    from marketplace.checkout.models import DeliveryAddress, Order, PaymentMethod
    from marketplace.checkout.services import Address, LineRequest
    from marketplace.models import ProductPage

    user_model = get_user_model()
    buyer = user_model.objects.filter(username=BUYER_USERNAME).first()
    if buyer is None:
        password = os.environ.get("DEMO_BUYER_PASSWORD") or DEFAULT_BUYER_PASSWORD
        buyer = user_model.objects.create_user(BUYER_USERNAME, "buyer@shanhai.example", password, first_name="晓燕")
        stdout.write(f"Buyer login: /login/  username: {BUYER_USERNAME}  password: {password}")
        tally.created("demo buyers")
    if not DeliveryAddress.objects.filter(user=buyer).exists():
        DeliveryAddress.objects.create(user=buyer, is_default=True, **BUYER_ADDRESS)
    if Order.objects.filter(buyer=buyer).exists():
        tally.present("demo buyer orders", Order.objects.filter(buyer=buyer).count())
        load_after_sale_request(buyer, tally)
        return
    staff = user_model.objects.filter(is_superuser=True).order_by("pk").first()
    buyable = [
        p
        for p in ProductPage.objects.filter(pk__in=[p.pk for p in products], live=True, available=True)
        .exclude(audience=ProductPage.Audience.CANTEENS)
        .select_related("vendor", "stock")
        .order_by("pk")
        if p.vendor
        and p.vendor.is_approved
        and p.vendor.kind != p.vendor.Kind.RESTAURANT
        and p.min_order_quantity <= 2
        and (not p.track_stock or getattr(getattr(p, "stock", None), "quantity", 0) >= 10)
    ]
    by_vendor = {}
    for product in buyable:
        by_vendor.setdefault(product.vendor_id, product)
    picks = list(by_vendor.values())[:4]
    if len(picks) < 3:
        return
    address = Address(**BUYER_ADDRESS)
    plans = [("confirmed", [picks[0], picks[1]]), ("shipped", [picks[2]]), ("paid", [picks[3 % len(picks)]])]
    for state, items in plans:
        order = services.place_order(
            buyer=buyer,
            lines=[LineRequest(p.pk, max(p.min_order_quantity, 1)) for p in items],
            payment_method=PaymentMethod.BANK_TRANSFER,
            address=address,
            note="周末在家，请放门口",
        )
        services.record_bank_transfer(
            order, amount=order.total, received_on=timezone.localdate(), bank_reference=f"DEMO-{order.pk}", user=staff
        )
        if state in ("confirmed", "shipped"):
            for n, part in enumerate(order.vendor_orders.all()):
                services.mark_vendor_order_shipped(
                    part, carrier="sf", tracking_number=f"SF14{order.pk:04d}{n:02d}7788", user=staff
                )
        if state == "confirmed":
            for part in order.vendor_orders.all():
                services.confirm_delivery(part, user=buyer)
        tally.created("demo buyer orders")
    load_after_sale_request(buyer, tally)


def load_after_sale_request(buyer, tally):
    """One after-sale request in progress (仅退款, waiting for the vendor) on the buyer's received order, through
    the after-sale service as the buyer would make it."""
    from marketplace.checkout import after_sale
    from marketplace.checkout.models import AfterSaleRequest, VendorOrder

    if AfterSaleRequest.objects.filter(order__buyer=buyer).exists():
        tally.present("demo after-sale requests", AfterSaleRequest.objects.filter(order__buyer=buyer).count())
        return
    part = (
        VendorOrder.objects.filter(order__buyer=buyer, status=VendorOrder.Status.DELIVERED)
        .select_related("order")
        .order_by("pk")
        .first()
    )
    line = part.lines.order_by("pk").first() if part else None
    if line is None or after_sale.window_error(part):
        return
    after_sale.create_request(
        part,
        user=buyer,
        kind=AfterSaleRequest.Kind.REFUND_ONLY,
        reason=AfterSaleRequest.Reason.DAMAGED,
        quantities={line.pk: 1},
        note="快递外箱压坏，有一件破损",
    )
    tally.created("demo after-sale requests")
