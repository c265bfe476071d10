"""A fair page's stall map and exhibitors: the context its template gets from `{% fair_map page as map %}`
(events/templatetags/fair_tags.py), and the rows the stall-map JSON API returns."""

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from events.fairs import results as fair_results
from events.models import Stall
from events.stalls import services
from marketplace.models import ProductPage

EXHIBITOR_PRODUCTS_SHOWN = 6

STATE_LABELS = {
    "available": lambda: _("Available"),
    "held": lambda: _("Held (awaiting payment)"),
    "booked": lambda: _("Booked"),
    "blocked": lambda: _("Not for booking"),
}


def stall_map(fair, mine=None):
    """Stalls with their state, for the SVG plan, the accessible table and the JSON API.

    With `mine` (ids of the reader's vendors), each row also says whether the stall is held or booked by one of
    them ("mine"); the JSON API leaves that out."""
    states = services.stall_states(fair)
    rows = []
    for stall in Stall.objects.filter(fair=fair).select_related("zone", "stall_type").order_by("code"):
        state, booking = states[stall.pk]
        rows.append(
            {
                "stall": stall,
                "id": stall.pk,
                "code": stall.code,
                "zone": stall.zone.name if stall.zone else "",
                "type": stall.stall_type.name,
                "size": stall.stall_type.size_label,
                "price": stall.stall_type.price,
                "utilities": stall.stall_type.utilities_label,
                "state": state,
                "state_label": STATE_LABELS[state](),
                "exhibitor": booking.vendor.title if booking and state == "booked" else "",
                "x": float(stall.x),
                "y": float(stall.y),
                "width": float(stall.width),
                "height": float(stall.height),
                "cx": float(stall.x + stall.width / 2),
                "cy": float(stall.y + stall.height / 2),
            }
        )
        if mine is not None:
            rows[-1]["mine"] = bool(booking and state in ("held", "booked") and booking.vendor_id in mine)
    return rows


def stall_zones(rows):
    """The stall rows grouped by zone, in the order of their first stall, each with its count of free stalls."""
    zones = {}
    for row in rows:
        zone = zones.setdefault(row["zone"], {"name": row["zone"], "rows": [], "free": 0, "mine": 0})
        zone["rows"].append(row)
        zone["free"] += row["state"] == "available"
        zone["mine"] += bool(row.get("mine"))
    return list(zones.values())


def legend():
    return [(key, label()) for key, label in STATE_LABELS.items()]


def fair_context(request, fair):
    # The reader's vendors, per request: a cached anonymous copy of the page never has "my stalls".
    my_vendors = set(services.vendors_of(request.user).values_list("pk", flat=True))
    rows = stall_map(fair, mine=my_vendors)
    exhibitors = list(fair.confirmed_exhibitors())
    # The first few products of each exhibitor, chosen in the database: a vendor may list thousands.
    first_per_vendor = Window(RowNumber(), partition_by=F("vendor_id"), order_by=F("pk").asc())
    shown = (
        ProductPage.objects.live()
        .filter(vendor__in=[b.vendor_id for b in exhibitors])
        .annotate(rank_in_vendor=first_per_vendor)
        .filter(rank_in_vendor__lte=EXHIBITOR_PRODUCTS_SHOWN)
        .order_by("pk")
    )
    products = {}
    for product in shown:
        products.setdefault(product.vendor_id, []).append(product)
    for booking in exhibitors:
        booking.products = products.get(booking.vendor_id, [])
    return {
        "stall_rows": rows,
        "stall_zones": stall_zones(rows),
        "legend": legend(),
        "exhibitors": exhibitors,
        "can_apply": fair.applications_are_open(),
        "is_vendor": bool(my_vendors),
        "font_size": max(1.0, min(fair.plan_width, fair.plan_height) / 40),
        # The organiser's published results, after the fair only (no query before it ends).
        "public_results": fair_results.public_results(fair),
    }
