"""People's pages of the fairs: the fair page's context (stall map), iCal, applying, self-booking,
a vendor's own applications and stalls, and the exhibitor pass. Thin callers of events.services."""

from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import fair_results, services
from .forms import ApplicationForm, BookingForm
from .models import Stall, StallApplication, StallBooking

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
    from marketplace.models import ProductPage

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


def _ics_escape(text):
    return str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fair_ical(request, fair):
    if not fair.live:
        raise Http404
    tz = timezone.get_current_timezone()
    start = datetime.combine(fair.start_date, fair.opens_at).replace(tzinfo=tz).astimezone(UTC)
    end = datetime.combine(fair.end_date, fair.closes_at).replace(tzinfo=tz).astimezone(UTC)
    stamp = timezone.now().astimezone(UTC)
    fmt = "%Y%m%dT%H%M%SZ"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Shanhai Market//Fairs//ZH",
        "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        f"UID:fair-{fair.pk}@shanhai.example",
        f"DTSTAMP:{stamp:{fmt}}",
        f"DTSTART:{start:{fmt}}",
        f"DTEND:{end:{fmt}}",
        f"SUMMARY:{_ics_escape(fair.title)}",
        f"LOCATION:{_ics_escape(', '.join(p for p in (fair.venue, fair.address) if p))}",
        f"DESCRIPTION:{_ics_escape(fair.summary)}",
        f"URL:{fair.full_url or ''}",
        f"STATUS:{'CANCELLED' if fair.is_cancelled() else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fair-{fair.pk}.ics"'
    return response


def _need_vendor(request, fair):
    vendors = services.vendors_of(request.user)
    if not vendors.exists():
        messages.error(request, _("Only vendors can apply for stalls; log in with your vendor account."))
        return redirect(fair.url), None
    return None, vendors


@login_required
def apply(request, fair):
    refusal, vendors = _need_vendor(request, fair)
    if refusal:
        return refusal
    form = ApplicationForm(request.POST or None, request.FILES or None, fair=fair, vendors=vendors)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.apply(
                fair=fair,
                vendor=data["vendor"],
                user=request.user,
                request=services.ApplicationRequest(
                    stall_type=data["stall_type"],
                    preferred_stalls=list(data["preferred_stalls"]),
                    products=list(data["products"]),
                    product_note=data["product_note"],
                    needs_power=data["needs_power"],
                    needs_water=data["needs_water"],
                    addons=list(data["addons"]),
                    food_licence=data["food_licence"],
                    note=data["note"],
                ),
            )
        except services.EventsError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your application has been sent. We will e-mail you the decision."))
            return redirect(fair.get_parent().specific.url + fair.get_parent().specific.reverse_subpage("mine"))
    return TemplateResponse(request, "events/apply.html", {"page": fair, "fair": fair, "form": form})


@login_required
def book(request, fair, stall_id):
    refusal, vendors = _need_vendor(request, fair)
    if refusal:
        return refusal
    stall = get_object_or_404(Stall.objects.select_related("stall_type", "zone"), pk=stall_id, fair=fair)
    form = BookingForm(request.POST or None, fair=fair, vendors=vendors)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.self_book(
                fair=fair,
                vendor=data["vendor"],
                user=request.user,
                stall=stall,
                addons=list(data["addons"]),
                payment_method=data["payment_method"],
            )
        except services.EventsError as exc:
            form.add_error(None, exc.message)
        else:
            if booking.order_id:
                messages.success(
                    request, _("Stall %(code)s is held for you until the fee is paid.") % {"code": stall.code}
                )
                return redirect("order_detail", booking.order.number)
            messages.success(request, _("Stall %(code)s is yours.") % {"code": stall.code})
            return redirect(fair.url)
    return TemplateResponse(request, "events/book.html", {"page": fair, "fair": fair, "stall": stall, "form": form})


@login_required
def my_stalls(request, index):
    vendors = services.vendors_of(request.user)
    if request.method == "POST":
        booking = get_object_or_404(StallBooking, pk=request.POST.get("booking"), vendor__in=vendors)
        try:
            services.cancel_booking(booking, user=request.user, reason=_("Cancelled by the exhibitor."))
        except services.EventsError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Stall %(code)s is cancelled.") % {"code": booking.stall.code})
        return redirect(request.path)
    applications = (
        StallApplication.objects.filter(vendor__in=vendors)
        .select_related("fair", "vendor", "stall_type")
        .order_by("-submitted_at")
    )
    bookings = (
        StallBooking.objects.filter(vendor__in=vendors)
        .select_related("fair", "stall", "stall__zone", "vendor", "order", "balance_order")
        .order_by("-created_at")
    )
    return TemplateResponse(
        request,
        "events/my_stalls.html",
        {
            "page": index,
            "applications": applications,
            "bookings": bookings,
            "is_vendor": vendors.exists(),
            "today": timezone.localdate(),
        },
    )


@login_required
def exhibitor_pass(request, index, code):
    booking = get_object_or_404(
        StallBooking.objects.select_related("fair", "stall", "stall__zone", "vendor"),
        pass_code=code,
        status=StallBooking.Status.CONFIRMED,
    )
    if not (request.user.is_staff or services.vendors_of(request.user).filter(pk=booking.vendor_id).exists()):
        raise Http404
    import segno

    qr = segno.make(f"SHZ-STALL:{booking.pass_code}", error="m")
    svg = qr.svg_inline(scale=6, dark="#111", light="#fff", omitsize=False)
    return TemplateResponse(request, "events/pass.html", {"page": index, "booking": booking, "qr_svg": svg})
