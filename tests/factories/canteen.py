"""Canteen buyers: verified units with a member in each role and a canteen address, dated paid orders, budgets."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from marketplace.canteen.models import AnnualBudget, BuyerUnit, CanteenAddress, UnitMember
from marketplace.checkout.models import Order, OrderLine, VendorOrder

from .catalogue import make_uscc
from .users import make_user

_serial = itertools.count(1)


def make_unit_with_members(name, *, threshold="2000.00", prefix=None, verified=True, **fields):
    prefix = prefix or f"u{next(_serial)}"
    unit = BuyerUnit.objects.create(
        name=name,
        uscc=make_uscc(),
        status=BuyerUnit.Status.VERIFIED if verified else BuyerUnit.Status.PENDING,
        contact_name="王老师",
        contact_phone="13800000000",
        approval_threshold=Decimal(threshold),
        invoice_title=name,
        taxpayer_id="12330000000000000X",
        **fields,
    )
    users = {}
    for role in UnitMember.Role.values:
        user = make_user(f"{prefix}-{role}", email=f"{prefix}-{role}@example.com")
        UnitMember.objects.create(unit=unit, user=user, role=role)
        users[role] = user
    CanteenAddress.objects.create(
        unit=unit,
        name="一食堂",
        recipient="李师傅",
        phone="13900000000",
        city="杭州市",
        district="上城区",
        street="解放路1号",
    )
    unit.users = users
    return unit


def make_paid_unit_order(unit, buyer, placed_at, items, *, status=Order.Status.PAID):
    """An order as if placed on `placed_at` (a date, noon in Asia/Shanghai) and paid: items are (product, qty).

    Dated history for the spend and share reports, written directly (the checkout service stamps "now"); it
    touches no stock. For an order placed today use `place_order` or marketplace.canteen.services."""
    if isinstance(placed_at, datetime.date) and not isinstance(placed_at, datetime.datetime):
        placed_at = datetime.datetime.combine(placed_at, datetime.time(12), timezone.get_current_timezone())
    total = sum((Decimal(p.unit_price) * q for p, q in items), Decimal("0.00"))
    order = Order.objects.create(
        buyer=buyer,
        buyer_unit=unit,
        payment_method="bank_transfer",
        total=total,
        status=status,
        placed_at=placed_at,
        paid_at=placed_at if status != Order.Status.CANCELLED else None,
    )
    parts = {}
    for product, quantity in items:
        vendor = product.vendor
        if vendor.pk not in parts:
            parts[vendor.pk] = VendorOrder.objects.create(
                order=order, vendor=vendor, vendor_name=vendor.title, subtotal=Decimal("0"), status="to_ship"
            )
        line_total = Decimal(product.unit_price) * quantity
        OrderLine.objects.create(
            order=order,
            vendor_order=parts[vendor.pk],
            product=product,
            name=product.title,
            vendor_name=vendor.title,
            unit=product.unit,
            unit_price=product.unit_price,
            quantity=quantity,
            line_total=line_total,
        )
        parts[vendor.pk].subtotal += line_total
    for part in parts.values():
        part.save()
    return order


def set_budget(unit, year, amount, target="0.100"):
    return AnnualBudget.objects.create(unit=unit, year=year, food_budget=Decimal(amount), target_share=Decimal(target))


def place_unit_order(unit, *items, days=3, user=None, window="", purchase_order_number="", **kwargs):
    """Place a unit order with `marketplace.canteen.services.place_unit_order` as the unit's buyer (or `user`):
    items are (product, quantity) tuples, delivered to the unit's first canteen address in `days` days."""
    from marketplace.canteen import services

    from .checkout import lines

    delivery = services.Delivery(
        address=unit.addresses.first(),
        date=timezone.localdate() + datetime.timedelta(days=days),
        window=window,
        purchase_order_number=purchase_order_number,
    )
    return services.place_unit_order(
        user=user or unit.users["buyer"], unit=unit, lines=lines(*items), delivery=delivery, **kwargs
    )
