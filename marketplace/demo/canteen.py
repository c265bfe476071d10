"""Two demo buyer units (a provincial office canteen and a district canteen), a member in each role, a canteen
address, this year's food budget and a year of orders, so the 消费帮扶 share page shows something real.

Idempotent: units are found by credit code, users by name, and orders are only made for a unit that has none.
"""

import datetime
import os
import random
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .content import make_uscc

DEFAULT_CANTEEN_PASSWORD = "shanhai-canteen"
UNITS = [
    {
        "key": "prov",
        "name": "浙江省机关事务管理局机关一食堂",
        "serial": 900001,
        "county_code": "330100",
        "threshold": "3000.00",
        "budget": "2400000.00",
        "canteen": ("省府大院一食堂", "杭州市", "西湖区", "省府路8号"),
        "invoice_type": "special",
        "orders_per_month": 3,
    },
    {
        "key": "dist",
        "name": "杭州市上城区机关食堂",
        "serial": 900002,
        "county_code": "330102",
        "threshold": "1500.00",
        "budget": "600000.00",
        "canteen": ("区府食堂", "杭州市", "上城区", "解放路 168 号"),
        "invoice_type": "ordinary",
        "orders_per_month": 2,
    },
]
ROLES = ("buyer", "approver", "finance")
CENT = Decimal("0.01")


def load_canteens(products, tally, stdout):
    from marketplace.canteen.models import AnnualBudget, BuyerUnit, CanteenAddress, UnitMember
    from marketplace.checkout.models import Order

    user_model = get_user_model()
    password = os.environ.get("DEMO_CANTEEN_PASSWORD") or DEFAULT_CANTEEN_PASSWORD
    today = timezone.localdate()
    candidates = [p for p in products if p.live and p.available and p.audience in ("both", "canteens")]
    for spec in UNITS:
        with transaction.atomic():
            uscc = make_uscc("12", spec["county_code"], spec["serial"])
            unit, created = BuyerUnit.objects.get_or_create(
                uscc=uscc,
                defaults={
                    "name": spec["name"],
                    "status": BuyerUnit.Status.VERIFIED,
                    "contact_name": "王建国",
                    "contact_phone": "0571-87050000",
                    "approval_threshold": Decimal(spec["threshold"]),
                    "invoice_type": spec["invoice_type"],
                    "invoice_title": spec["name"],
                    "taxpayer_id": uscc,
                    "invoice_address": "杭州市" + spec["canteen"][2] + spec["canteen"][3],
                    "invoice_phone": "0571-87050000",
                    "invoice_bank": "中国工商银行杭州分行",
                    "invoice_account": f"1202020{spec['serial']:012d}",
                    "verified_at": timezone.now(),
                },
            )
            (tally.created if created else tally.present)("buyer units")
            if created:
                name, city, district, street = spec["canteen"]
                CanteenAddress.objects.create(
                    unit=unit,
                    name=name,
                    recipient="李师傅",
                    phone="13957100000",
                    city=city,
                    district=district,
                    street=street,
                )
            for role in ROLES:
                username = f"canteen-{spec['key']}-{role}"
                user = user_model.objects.filter(username=username).first()
                if user is None:
                    user = user_model.objects.create_user(username, f"{username}@shanhai.example", password)
                    tally.created("canteen users")
                UnitMember.objects.get_or_create(unit=unit, user=user, role=role)
            for year in (today.year - 1, today.year):
                AnnualBudget.objects.get_or_create(
                    unit=unit, year=year, defaults={"food_budget": Decimal(spec["budget"])}
                )
            if candidates and not Order.objects.filter(buyer_unit=unit).exists():
                _year_of_orders(unit, spec, candidates, today, tally)
    # The site's login takes a mobile number or an e-mail, so the e-mail is what to type.
    stdout.write(
        "Canteen logins: /login/ then /canteen/  e-mails: "
        + ", ".join(f"canteen-{s['key']}-{r}@shanhai.example" for s in UNITS for r in ROLES)
        + f"  password: {password}"
    )


def _year_of_orders(unit, spec, candidates, today, tally):
    """Paid and received orders in each of the last twelve months, made directly (no stock is taken)."""
    from marketplace.canteen.models import UnitMember
    from marketplace.checkout.models import Order, OrderEvent, OrderLine, Payment, VendorOrder

    rng = random.Random(spec["serial"])
    buyer = UnitMember.objects.get(unit=unit, role="buyer").user
    approver = UnitMember.objects.get(unit=unit, role="approver").user
    address = unit.addresses.first()
    tz = timezone.get_current_timezone()
    for months_back in range(11, -1, -1):
        month = today.month - months_back
        first = datetime.date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        for n in range(spec["orders_per_month"]):
            day = first + datetime.timedelta(days=rng.randint(0, 27))
            if day >= today:
                continue
            placed = datetime.datetime.combine(day, datetime.time(9 + n, 30), tz)
            picked = rng.sample(candidates, k=min(len(candidates), rng.randint(2, 4)))
            items = []
            for product in picked:
                quantity = max(product.min_order_quantity, rng.choice([10, 20, 30, 50]))
                items.append((product, quantity, product.unit_price))
            total = sum(((price * q).quantize(CENT, ROUND_HALF_UP) for _p, q, price in items), Decimal("0"))
            order = Order.objects.create(
                buyer=buyer,
                buyer_unit=unit,
                status=Order.Status.COMPLETED,
                payment_method="bank_transfer",
                total=total,
                placed_at=placed,
                paid_at=placed + datetime.timedelta(days=1),
                recipient=address.recipient,
                phone=address.phone,
                province=address.province,
                city=address.city,
                district=address.district,
                street=address.street,
                canteen_name=address.name,
                requested_delivery_date=day + datetime.timedelta(days=3),
                delivery_window="08:00-10:00",
                purchase_order_number=f"CG{day:%Y%m}{n + 1:02d}",
                invoice_snapshot=unit.invoice_snapshot(),
                approved_by=approver if total > unit.approval_threshold else None,
                approved_at=placed if total > unit.approval_threshold else None,
            )
            parts = {}
            for product, quantity, price in items:
                vendor = product.vendor
                if vendor.pk not in parts:
                    parts[vendor.pk] = VendorOrder.objects.create(
                        order=order,
                        vendor=vendor,
                        vendor_name=vendor.title,
                        subtotal=Decimal("0"),
                        status=VendorOrder.Status.DELIVERED,
                        delivered_at=placed + datetime.timedelta(days=3),
                        received_at=placed + datetime.timedelta(days=3),
                        received_by=buyer,
                        invoice_state=VendorOrder.InvoiceState.ISSUED,
                        invoice_number=f"{rng.randint(10**7, 10**8 - 1)}",
                        invoice_date=day + datetime.timedelta(days=5),
                    )
                line_total = (price * quantity).quantize(CENT, ROUND_HALF_UP)
                OrderLine.objects.create(
                    order=order,
                    vendor_order=parts[vendor.pk],
                    product=product,
                    name=product.title,
                    vendor_name=vendor.title,
                    unit=product.unit,
                    unit_price=price,
                    quantity=quantity,
                    line_total=line_total,
                )
                parts[vendor.pk].subtotal += line_total
            for part in parts.values():
                part.save(update_fields=["subtotal"])
            Payment.objects.create(
                order=order,
                method="bank_transfer",
                status=Payment.Status.SUCCEEDED,
                amount=total,
                bank_reference=f"DEMO{order.pk:06d}",
                received_on=day + datetime.timedelta(days=1),
            )
            OrderEvent.objects.create(
                order=order, action="placed", user=buyer, to_status="completed", note="demo", created_at=placed
            )
            tally.created("canteen orders")
