"""Visitors' pages: register, the ticket / manage page (QR, iCal, change slot, cancel), and the organiser's
registration figures (the door staff's check-in pages are events.checkin.views).
Thin callers of events.registration.services."""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cms import privacy, throttle
from cms.errors import DomainError
from cms.models import Consent
from cms.phone import is_mobile, mask_phone
from cms.prepared_query import PreparedQuery
from events.fairs import sales
from events.fairs.sales_chart import sales_chart
from events.models import FairIndexPage, Registration
from events.pages import fair_view
from events.registration import services as ticketing
from events.registration.forms import RegistrationForm, SlotChangeForm
from events.registration.tickets import checkin_url, ical_text, manage_path, qr_path, qr_svg
from marketplace.checkout.exports import spreadsheet_response
from marketplace.checkout.order_access import grant_order_access, order_access_url, remember_order_link


def _initial(user):
    if not user.is_authenticated:
        return {}
    phone = user.get_username() if is_mobile(user.get_username()) else ""
    return {"phone": phone, "email": user.email, "name": user.get_full_name()}


# Registration attempts (form posts) per client address in the shared cache; past the number in the window,
# the form asks for a self-hosted picture challenge. settings.EVENTS_REGISTER_CHALLENGE_RATE overrides.
REGISTER_CHALLENGE_RATE = "5/10m"


@fair_view
def register(request, fair):
    now = timezone.now()
    rate = getattr(settings, "EVENTS_REGISTER_CHALLENGE_RATE", REGISTER_CHALLENGE_RATE)
    challenge = throttle.used_up(request, "events.register", rate)
    if request.method == "POST":
        throttle.count_attempt(request, "events.register", rate)
    form = RegistrationForm(
        request.POST or None,
        fair=fair,
        now=timezone.localtime(now),
        initial=_initial(request.user),
        challenge=challenge,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                registration = ticketing.register(
                    fair=fair,
                    user=request.user,
                    request=ticketing.RegistrationRequest(
                        ticket_type=data["ticket_type"],
                        slot=data["slot"],
                        name=data["name"],
                        phone=data["phone"],
                        email=data["email"],
                        people=data["people"],
                        attendees=form.attendee_names(),
                        join_waitlist=data["join_waitlist"],
                        payment_method=data["payment_method"],
                    ),
                )
                privacy.record_consent(
                    purpose=Consent.Purpose.FAIR_REGISTRATION,
                    user=request.user,
                    subject=f"{ticketing.REFERENCE_PREFIX}{registration.pk}",
                    request=request,
                )
        except DomainError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                form.add_error(None, exc.message)
        else:
            if registration.status == Registration.Status.HELD:
                messages.success(request, _("Your places are held until you pay."))
                # A guest (no account) opens the order with its access token, kept in this browser's session.
                grant_order_access(request, registration.order)
                remember_order_link(request, registration.order, manage_path(registration))
                return redirect("order_detail", registration.order.number)
            return redirect(manage_path(registration))
    return TemplateResponse(request, "events/register.html", {"page": fair, "fair": fair, "form": form})


# The ticket page's two queries, each compiled once per process and database (cms.prepared_query): compiling the
# registration with its fair's wide page row cost more than running it. Both keys are unique (no ORDER BY).
_SLOT = "prepared-query-slot"


@functools.lru_cache(maxsize=8)
def _registration_query(alias):
    registrations = Registration.objects.using(alias).select_related("fair", "slot", "ticket_type", "order")
    return PreparedQuery(registrations.filter(manage_key=_SLOT).order_by(), _SLOT)


@functools.lru_cache(maxsize=8)
def _fair_index_query(alias):
    return PreparedQuery(FairIndexPage.objects.using(alias).filter(path=_SLOT).order_by(), _SLOT)


def _by_key(key):
    found = _registration_query(Registration.objects.db)(key)
    if not found:
        raise Http404
    return found[0]


def _fair_index_of(fair):
    """The fair's parent page as its own type: one query when it is a fair index (as it always is), where
    get_parent().specific takes two."""
    found = _fair_index_query(FairIndexPage.objects.db)(fair.path[: -fair.steplen])
    return found[0] if found else fair.get_parent().specific


@never_cache
def manage(request, key):
    registration = _by_key(key)
    index = _fair_index_of(registration.fair)
    change_form = SlotChangeForm(
        request.POST if request.POST.get("action") == "change_slot" else None, registration=registration
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "cancel":
                ticketing.cancel(registration, user=request.user if request.user.is_authenticated else None)
                messages.success(request, _("Your registration is cancelled."))
            elif action == "accept":
                ticketing.accept_offer(registration, user=request.user if request.user.is_authenticated else None)
                messages.success(request, _("The place is yours."))
            elif action == "change_slot" and change_form.is_valid():
                ticketing.change_slot(registration, change_form.cleaned_data["slot"])
                messages.success(request, _("Your time slot is changed."))
            else:
                messages.error(request, _("Choose another time slot."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(request.path)
    if registration.order_id:
        remember_order_link(request, registration.order, manage_path(registration))
    show_qr = registration.status == Registration.Status.CONFIRMED
    return TemplateResponse(
        request,
        "events/registration.html",
        {
            "page": index,
            "registration": registration,
            "fair": registration.fair,
            "qr_svg": qr_svg(registration) if show_qr else "",
            "qr_url": qr_path(registration),
            "change_form": change_form,
            "can_change": registration.status in (Registration.Status.CONFIRMED, Registration.Status.HELD)
            and registration.slot_id is not None,
            "can_cancel": registration.status in Registration.ACTIVE,
            "attendees": list(registration.attendees.all()),
            "pay_url": order_access_url(registration.order) if registration.order_id else "",
        },
    )


def qr(request, key):
    registration = _by_key(key)
    if registration.status != Registration.Status.CONFIRMED:
        raise Http404
    import segno

    response = HttpResponse(content_type="image/svg+xml")
    segno.make(checkin_url(registration), error="m").save(response, kind="svg", scale=6)
    response["Cache-Control"] = "private, no-store"
    return response


def ical(request, key):
    registration = _by_key(key)
    response = HttpResponse(ical_text(registration), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ticket-{registration.pk}.ics"'
    return response


# -- organiser --------------------------------------------------------------------------------------------


def _is_organiser(user):
    return user.is_authenticated and (user.is_superuser or user.has_perm("events.change_registration"))


@fair_view
@never_cache
@login_required
def report(request, fair):
    if not _is_organiser(request.user):
        return HttpResponseForbidden(_("Only organisers can see registrations."))
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _export(fair, fmt, show_phone=can_see_attendee_phones(request.user))
    stats = ticketing.registration_stats(fair)
    peak = max((row["people"] for row in stats["checkins_over_time"]), default=0) or 1
    bars = [
        {"hour": timezone.localtime(row["hour"]), "people": row["people"], "width": round(100 * row["people"] / peak)}
        for row in stats["checkins_over_time"]
    ]
    fair_sales = sales.fair_sales(fair)
    return TemplateResponse(
        request,
        "events/registration_report.html",
        {
            "page": fair,
            "fair": fair,
            "stats": stats,
            "bars": bars,
            "sales": fair_sales,
            "sales_chart": sales_chart(fair_sales) if fair_sales["days"] else "",
        },
    )


EXPORT_HEADER = ["code", "name", "phone", "email", "people", "ticket", "slot", "status", "registered", "checked_in"]


def can_see_attendee_phones(user):
    """Attendees' full mobile numbers only for organisers with events.view_attendee_phone (PIPL: the least
    people who need them); everyone else sees 138****0000."""
    return user.is_authenticated and user.has_perm("events.view_attendee_phone")


def _export(fair, fmt, *, show_phone=False):
    rows = []
    for reg in (
        Registration.objects.filter(fair=fair)
        .select_related("ticket_type", "slot")
        .prefetch_related("checkins", "attendees")
        .order_by("slot__date", "slot__starts_at", "created_at", "pk")
    ):
        first = min((c.at for c in reg.checkins.all()), default=None)
        rows.append(
            [
                reg.grouped_short_code,
                reg.name + (f" ({', '.join(a.name for a in reg.attendees.all())})" if reg.attendees.all() else ""),
                reg.phone if show_phone else mask_phone(reg.phone),
                reg.email,
                reg.people,
                reg.ticket_type.name,
                str(reg.slot or ""),
                reg.get_status_display(),
                timezone.localtime(reg.created_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(first).strftime("%Y-%m-%d %H:%M") if first else "",
            ]
        )
    header = [
        _("Code"),
        _("Name"),
        _("Mobile phone"),
        _("E-mail"),
        _("People"),
        _("Ticket"),
        _("Time slot"),
        _("Status"),
        _("Registered"),
        _("Checked in"),
    ]
    return spreadsheet_response(
        fmt, list(enumerate(header)), [dict(enumerate(row)) for row in rows], f"attendees-{fair.pk}", "attendees"
    )
