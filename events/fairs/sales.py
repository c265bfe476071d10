"""A fair's sales for its organiser: paid tickets and stall fees per day of payment, with each day's share.

Counted from the checkout's order lines (what was sold at the price it was sold for): ticket lines of the fair's
registrations and stall-fee lines of its stall bookings (deposit and balance), on orders that were paid, less what
was refunded. Days are the dates in Asia/Shanghai on which the orders were paid.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from events.models import Registration, StallBooking
from marketplace.checkout.models import OrderLine

ZERO = Decimal("0.00")


def fair_sales(fair):
    """{"days": [{"day", "tickets", "stall_fees", "total", "orders", "ticket_count", "share"}], "tickets",
    "stall_fees", "total", "orders", "ticket_count", "tickets_share", "stall_fees_share"}; shares are ratios
    (0.25), None when nothing was sold."""
    ticket_orders = Registration.objects.filter(fair=fair, order__isnull=False).values("order")
    bookings = StallBooking.objects.filter(fair=fair)
    net = ExpressionWrapper(
        F("line_total") - F("unit_price") * F("refunded_quantity"),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )
    rows = (
        OrderLine.objects.filter(order__paid_at__isnull=False)
        .filter(
            Q(kind=OrderLine.Kind.TICKET, order__in=ticket_orders)
            | Q(kind=OrderLine.Kind.STALL_FEE, order__in=bookings.filter(order__isnull=False).values("order"))
            | Q(
                kind=OrderLine.Kind.STALL_FEE,
                order__in=bookings.filter(balance_order__isnull=False).values("balance_order"),
            )
        )
        .annotate(day=TruncDate("order__paid_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "kind")
        .annotate(
            amount=Sum(net), orders=Count("order", distinct=True), quantity=Sum(F("quantity") - F("refunded_quantity"))
        )
        .order_by("day", "kind")
    )
    days = {}
    for row in rows:
        day = days.setdefault(
            row["day"], {"day": row["day"], "tickets": ZERO, "stall_fees": ZERO, "orders": 0, "ticket_count": 0}
        )
        amount = row["amount"] or ZERO
        if row["kind"] == OrderLine.Kind.TICKET:
            day["tickets"] += amount
            day["ticket_count"] += row["quantity"] or 0
        else:
            day["stall_fees"] += amount
        day["orders"] += row["orders"]
    days = [days[key] for key in sorted(days)]
    tickets = sum((d["tickets"] for d in days), ZERO)
    stall_fees = sum((d["stall_fees"] for d in days), ZERO)
    total = tickets + stall_fees
    for day in days:
        day["total"] = day["tickets"] + day["stall_fees"]
        day["share"] = (day["total"] / total) if total else None
    return {
        "days": days,
        "tickets": tickets,
        "stall_fees": stall_fees,
        "total": total,
        "orders": sum(d["orders"] for d in days),
        "ticket_count": sum(d["ticket_count"] for d in days),
        "tickets_share": (tickets / total) if total else None,
        "stall_fees_share": (stall_fees / total) if total else None,
    }
