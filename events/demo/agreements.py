"""Demo purchase agreements (called by events.demo.load after the fair results): the past canteen market's
exhibitors sign with the two demo canteen units and two distributors; the provincial canteen has already ordered
part of its agreement through unit orders, so the results report shows agreements and progress. Recorded and
ordered through events.agreements.services as on the day. Idempotent: a fair that has agreements gets none more."""

import datetime
from decimal import Decimal

# (buyer: a demo unit's key or a distributor's names, lines: (share of the vendor's products, quantity, discount))
BUYERS = [
    {"unit": "浙江省机关事务管理局机关一食堂", "contact": ("陈科长", "13905710001"), "quantity": 300},
    {"unit": "杭州市上城区机关食堂", "contact": ("周主任", "13905710002"), "quantity": 120},
    {
        "name": "衢州市农产品流通有限公司",
        "name_en": "Quzhou Farm Produce Distribution Co., Ltd.",
        "contact": ("郑经理", "0570-3061234"),
        "quantity": 800,
    },
    {
        "name": "杭州鲜生活超市采购中心",
        "name_en": "Hangzhou Fresh Life Supermarkets, purchasing",
        "contact": ("吴女士", "13605810003"),
        "quantity": 500,
    },
]
VENDOR_CONTACTS = [
    ("刘经理", "13757010001"),
    ("徐老板", "0570-6012345"),
    ("汪总", "13967010003"),
    ("方会计", "13867010004"),
]
DISCOUNT = Decimal("0.90")  # bulk agreements are signed below the shop price
CENT = Decimal("0.01")


def load(fairs, admin, tally):
    from events.agreements.models import PurchaseAgreement
    from events.models import FairPage, StallBooking

    if admin is None:
        return
    for fair in fairs:
        if fair.status != FairPage.Status.FINISHED:
            continue
        if PurchaseAgreement.objects.filter(fair=fair).exists():
            tally.present("purchase agreements", PurchaseAgreement.objects.filter(fair=fair).count())
            continue
        vendors = [
            b.vendor
            for b in StallBooking.objects.filter(fair=fair, status=StallBooking.Status.CONFIRMED)
            .select_related("vendor")
            .order_by("pk")
        ]
        made = []
        for index, spec in enumerate(BUYERS if vendors else ()):
            vendor = vendors[index % len(vendors)]  # a small market: a vendor may sign more than once
            agreement = _sign(fair, vendor, spec, VENDOR_CONTACTS[index % len(VENDOR_CONTACTS)], admin)
            if agreement is not None:
                made.append(agreement)
        tally.created("purchase agreements", len(made))
        if made and made[0].buyer_unit_id:
            tally.created("orders against agreements", _order_part(made[0]))


def _products(vendor, *, canteen):
    """Two of the vendor's products; for a canteen unit, ones it may order (a distributor buys anything)."""
    from marketplace.models import ProductPage

    products = ProductPage.objects.live().filter(vendor=vendor, available=True)
    if canteen:
        products = products.filter(audience__in=("both", "canteens"))
    return list(products.order_by("title", "pk")[:2])


def _sign(fair, vendor, spec, vendor_contact, admin):
    from cms.errors import DomainError
    from events.agreements import services as agreements
    from marketplace.canteen.models import BuyerUnit

    unit = BuyerUnit.objects.filter(name=spec["unit"]).first() if "unit" in spec else None
    if "unit" in spec and unit is None:
        return None  # the marketplace demo has not made the units
    products = _products(vendor, canteen=unit is not None)
    if not products:
        return None
    signed_on = fair.end_date
    lines = [
        agreements.LineRequest(
            product_id=product.pk,
            quantity=spec["quantity"] // (index + 1),
            unit_price=(product.unit_price * DISCOUNT).quantize(CENT),
        )
        for index, product in enumerate(products)
    ]
    try:
        return agreements.record_agreement(
            fair=fair,
            user=admin,
            acting_as=agreements.RecordedAs.ORGANISER,
            request=agreements.AgreementRequest(
                vendor=vendor,
                buyer_unit=unit,
                buyer_name=spec.get("name", ""),
                buyer_name_en=spec.get("name_en", ""),
                lines=lines,
                signed_on=signed_on,
                delivery_from=signed_on + datetime.timedelta(days=7),
                delivery_to=signed_on + datetime.timedelta(days=190),
                vendor_contact_name=vendor_contact[0],
                vendor_contact_phone=vendor_contact[1],
                buyer_contact_name=spec["contact"][0],
                buyer_contact_phone=spec["contact"][1],
                note="山海协作签约仪式现场签订",
            ),
        )
    except DomainError:
        return None


def _order_part(agreement):
    """The unit's buyer orders about a fifth of the first line, in two orders a week apart."""
    from django.utils import timezone

    from cms.errors import DomainError
    from events.agreements import services as agreements
    from marketplace.canteen import services as canteen
    from marketplace.canteen.models import UnitMember
    from marketplace.checkout.services import LineRequest

    unit = agreement.buyer_unit
    member = UnitMember.objects.filter(unit=unit, role=UnitMember.Role.BUYER).select_related("user").first()
    line = agreement.lines.exclude(product=None).first()
    address = unit.addresses.first()
    if member is None or line is None or address is None:
        return 0
    earliest = canteen.earliest_delivery_date([line.product], timezone.localdate())
    placed = 0
    for week in range(2):
        day = max(earliest, agreement.delivery_from) + datetime.timedelta(days=7 * week)
        if day > agreement.delivery_to:
            break
        try:
            agreements.order_against(
                agreement,
                user=member.user,
                lines=[LineRequest(product_id=line.product_id, quantity=max(1, int(line.quantity) // 10))],
                delivery=canteen.Delivery(address=address, date=day, window="10:00-11:00"),
            )
        except DomainError:
            break  # out of stock in the demo catalogue: the agreement stays less ordered
        placed += 1
    return placed
