"""People's pages of the fairs: iCal, applying, self-booking,
a vendor's own applications and stalls, and the exhibitor pass. Thin callers of events.stalls.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.errors import DomainError
from events import ical
from events.models import Stall, StallApplication, StallBooking
from events.pages import fair_index, fair_view
from events.stalls import services
from events.stalls.forms import ApplicationForm, BookingForm


@fair_view
def fair_ical(request, fair):
    if not fair.live:
        raise Http404
    response = HttpResponse(ical.fair_ical(fair), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fair-{fair.pk}.ics"'
    return response


def _need_vendor(request, fair):
    vendors = services.vendors_of(request.user)
    if not vendors.exists():
        messages.error(request, _("Only vendors can apply for stalls; log in with your vendor account."))
        return redirect(fair.url), None
    return None, vendors


@fair_view
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
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your application has been sent. We will e-mail you the decision."))
            return redirect("fair_my_stalls")
    return TemplateResponse(request, "events/apply.html", {"page": fair, "fair": fair, "form": form})


@fair_view
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
        except DomainError as exc:
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


def _page_columns(relation):
    """A related page's columns that its name and URL need (`display_name`, `{% pageurl %}`)."""
    return (f"{relation}__title", f"{relation}__name_en", f"{relation}__url_path")


@login_required
def my_stalls(request):
    index = fair_index(request)
    vendors = services.vendors_of(request.user)
    if request.method == "POST":
        booking = get_object_or_404(StallBooking, pk=request.POST.get("booking"), vendor__in=vendors)
        try:
            services.cancel_booking(booking, user=request.user, reason=_("Cancelled by the exhibitor."))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Stall %(code)s is cancelled.") % {"code": booking.stall.code})
        return redirect(request.path)
    # Only the columns the page prints: the fair and vendor rows are wide Wagtail pages, and Django's compiler
    # works through every selected column of them (ordering, converters) on each request.
    applications = (
        StallApplication.objects.filter(vendor__in=vendors)
        .select_related("fair", "vendor")
        .only(*_page_columns("fair"), *_page_columns("vendor"), "status", "reason", "submitted_at")
        .order_by("-submitted_at")
    )
    bookings = (
        StallBooking.objects.filter(vendor__in=vendors)
        .select_related("fair", "stall", "stall__zone", "vendor", "order", "balance_order")
        .only(
            *_page_columns("fair"),
            "fair__refund_until",
            *_page_columns("vendor"),
            "stall__code",
            "stall__zone__name",
            "stall__zone__name_en",
            "order__number",
            "order__status",
            "balance_order__number",
            "balance_order__status",
            "status",
            "fee",
            "hold_until",
            "pass_code",
            "end_reason",
        )
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
def exhibitor_pass(request, code):
    index = fair_index(request)
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
