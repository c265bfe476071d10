"""The results of a fair and of a fair series: visitors, sales at the stalls, stalls used; publishing them.

Figures only count what stands: confirmed or checked-in visitors, sales not voided. Voided sales are listed
apart, so the organiser sees them. Days and hours are Asia/Shanghai (the site's time zone).
"""

import dataclasses
from collections import OrderedDict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cms import locking
from events.agreements import results as agreement_results
from events.fairs.models import FairResultsPublication, FairSeries, StallSale
from events.models import CheckIn, FairPage, Registration, Stall, StallBooking
from events.stalls.services import _audit

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _money(value):
    """A sum from the database as CNY with two places (SQLite's SUM drops them)."""
    return (value or ZERO).quantize(CENT)


@dataclasses.dataclass
class Row:
    key: object
    label: str
    count: int = 0
    amount: Decimal = ZERO
    quantity: int = 0


def _rows(groups):
    return sorted(groups.values(), key=lambda r: (-r.amount, str(r.label)))


def _add(groups, key, label, sale):
    row = groups.get(key)
    if row is None:
        row = groups[key] = Row(key, label)
    row.count += 1
    row.amount += sale.amount
    row.quantity += sale.quantity


def sales_figures(sales):
    """Sums of `sales` (StallSale rows not voided) by vendor, county, mountain or not, category, payment and day."""
    by = {name: OrderedDict() for name in ("vendor", "county", "mountain", "category", "payment", "day")}
    total, count = ZERO, 0
    payment_labels = dict(StallSale.Payment.choices)
    for sale in sales:
        total += sale.amount
        count += 1
        _add(by["vendor"], sale.vendor_id, sale.vendor.display_name, sale)
        county = sale.county
        _add(by["county"], county.pk if county else None, county.display_name if county else _("Unknown"), sale)
        _add(
            by["mountain"],
            sale.mountain,
            _("Mountain-county produce") if sale.mountain else _("Other produce"),
            sale,
        )
        category = sale.category
        _add(
            by["category"],
            category.pk if category else None,
            category.display_name if category else _("Other items"),
            sale,
        )
        _add(by["payment"], sale.payment, str(payment_labels.get(sale.payment, sale.payment)), sale)
        day = timezone.localdate(sale.sold_at)
        _add(by["day"], day, day.isoformat(), sale)
    result = {name: _rows(groups) for name, groups in by.items()}
    result["day"] = sorted(by["day"].values(), key=lambda r: r.key)
    result["mountain"] = sorted(by["mountain"].values(), key=lambda r: not r.key)
    return {"total": total, "count": count, **result}


def visitor_figures(fair):
    """People registered (confirmed) per fair day, people checked in per day and per hour of the day."""
    registered_by_day = OrderedDict()
    rows = (
        Registration.objects.filter(fair=fair, status=Registration.Status.CONFIRMED)
        .values("slot__date")
        .annotate(people=Sum("people"))
        .order_by("slot__date")
    )
    registered = 0
    for row in rows:
        day = row["slot__date"] or fair.start_date
        registered_by_day[day] = registered_by_day.get(day, 0) + (row["people"] or 0)
        registered += row["people"] or 0
    checked_by_day, checked_by_hour = OrderedDict(), OrderedDict()
    checked_in = 0
    for at, people in CheckIn.objects.filter(fair=fair).order_by("at").values_list("at", "people"):
        local = timezone.localtime(at)
        checked_by_day[local.date()] = checked_by_day.get(local.date(), 0) + people
        hour = local.replace(minute=0, second=0, microsecond=0)
        checked_by_hour[hour] = checked_by_hour.get(hour, 0) + people
        checked_in += people
    days = sorted(set(registered_by_day) | set(checked_by_day))
    return {
        "registered": registered,
        "checked_in": checked_in,
        "by_day": [
            {"day": day, "registered": registered_by_day.get(day, 0), "checked_in": checked_by_day.get(day, 0)}
            for day in days
        ],
        "by_hour": [{"hour": hour, "checked_in": n} for hour, n in checked_by_hour.items()],
    }


def stall_figures(fair):
    confirmed = StallBooking.objects.filter(fair=fair, status=StallBooking.Status.CONFIRMED)
    return {
        "stalls": Stall.objects.filter(fair=fair, blocked=False).count(),
        "used": confirmed.values("stall").distinct().count(),
        "exhibitors": confirmed.values("vendor").distinct().count(),
        "selling": StallSale.objects.filter(fair=fair, status=StallSale.Status.RECORDED)
        .values("vendor")
        .distinct()
        .count(),
    }


def live_sales(fair):
    return StallSale.objects.filter(fair=fair, status=StallSale.Status.RECORDED).select_related(
        "vendor", "county", "category"
    )


def fair_results(fair):
    """Everything the results report shows for one fair."""
    voided = list(
        StallSale.objects.filter(fair=fair, status=StallSale.Status.VOIDED)
        .select_related("vendor", "stall", "voided_by", "product")
        .order_by("sold_at", "pk")
    )
    return {
        "fair": fair,
        "visitors": visitor_figures(fair),
        "sales": sales_figures(live_sales(fair).order_by("sold_at", "pk")),
        "stalls": stall_figures(fair),
        "voided": voided,
        "voided_amount": sum((s.amount for s in voided), ZERO),
        "published": is_published(fair),
        "agreements": agreement_results.for_fair(fair),
    }


def summary(fair):
    """The headline figures (the public results block, a series' comparison row)."""
    sales = StallSale.objects.filter(fair=fair, status=StallSale.Status.RECORDED).aggregate(
        amount=Sum("amount"), count=Count("pk")
    )
    mountain = _money(
        StallSale.objects.filter(fair=fair, status=StallSale.Status.RECORDED, mountain=True).aggregate(
            amount=Sum("amount")
        )["amount"]
    )
    stalls = stall_figures(fair)
    return {
        "fair": fair,
        "sales_amount": _money(sales["amount"]),
        "sales_count": sales["count"] or 0,
        "mountain_amount": mountain,
        "registered": Registration.objects.filter(fair=fair, status=Registration.Status.CONFIRMED).aggregate(
            n=Sum("people")
        )["n"]
        or 0,
        "checked_in": CheckIn.objects.filter(fair=fair).aggregate(n=Sum("people"))["n"] or 0,
        "stalls_used": stalls["used"],
        "exhibitors": stalls["exhibitors"],
        **agreement_results.headline(fair),
    }


def series_results(series):
    """A series: every fair's headline figures side by side (by first day), their sums, and the sales of all its
    fairs summed by county, mountain or not, category and payment."""
    fairs = list(series.fairs.order_by("start_date", "pk"))
    rows = [summary(fair) for fair in fairs]
    keys = ("sales_amount", "sales_count", "mountain_amount", "registered", "checked_in", "stalls_used", "exhibitors")
    keys += ("agreements_count", "agreements_amount", "agreements_ordered")
    totals = {key: sum((row[key] for row in rows), ZERO if key.endswith("amount") else 0) for key in keys}
    sales = sales_figures(
        StallSale.objects.filter(fair__in=fairs, status=StallSale.Status.RECORDED)
        .select_related("vendor", "county", "category")
        .order_by("sold_at", "pk")
    )
    agreements = agreement_results.for_fairs(fairs)
    return {"series": series, "fairs": rows, "totals": totals, "sales": sales, "agreements": agreements}


# -- publication -------------------------------------------------------------------------------------------


def is_published(fair):
    return FairResultsPublication.objects.filter(fair=fair, published=True).exists()


def public_results(fair, today=None):
    """The public block's figures: only after the fair, and only when the organiser published them."""
    today = today or timezone.localdate()
    if fair.end_date >= today or fair.status == FairPage.Status.CANCELLED:
        return None
    if not is_published(fair):
        return None
    figures = summary(fair)
    figures["top_counties"] = sales_figures(live_sales(fair))["county"][:5]
    return figures


def set_published(fair, *, published, user):
    """Show (or hide) the fair's results on its public page. Audit-logged; the page cache forgets the page."""
    from cms import page_cache

    with transaction.atomic():
        FairResultsPublication.objects.get_or_create(fair=fair)
        (row,) = locking.lock(FairResultsPublication.objects.filter(fair=fair))
        if row.published == published:
            return row
        row.published = published
        row.changed_at = timezone.now()
        row.changed_by = user if getattr(user, "pk", None) else None
        row.save()
        _audit(fair, "events.results_published" if published else "events.results_unpublished", user)
        page_cache.bump()
    return row


def series_of(fair):
    return FairSeries.objects.filter(fairs=fair).order_by("name")
