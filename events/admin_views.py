"""Organiser views in the Wagtail admin: per fair, stats, application review, bulk stalls, exhibitor export."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.checkout.exports import spreadsheet_response

from . import services
from .models import FairPage, FairZone, Stall, StallApplication, StallBooking, StallType


def _check(request):
    if not (request.user.is_superuser or request.user.has_perm("events.change_stallapplication")):
        raise PermissionDenied


class StallRowForm(forms.Form):
    prefix = forms.CharField(label=gettext_lazy("Prefix"), max_length=4, initial="A")
    first = forms.IntegerField(label=gettext_lazy("From"), min_value=1, initial=1)
    last = forms.IntegerField(label=gettext_lazy("To"), min_value=1, initial=20)
    stall_type = forms.ModelChoiceField(queryset=StallType.objects.none(), label=gettext_lazy("Stall type"))
    zone = forms.ModelChoiceField(queryset=FairZone.objects.none(), required=False, label=gettext_lazy("Zone"))
    x = forms.DecimalField(label=gettext_lazy("x of the first stall"), initial=0)
    y = forms.DecimalField(label=gettext_lazy("y of the row"), initial=0)
    width = forms.DecimalField(label=gettext_lazy("Width on plan"), initial=3, min_value=0.1)
    height = forms.DecimalField(label=gettext_lazy("Height on plan"), initial=3, min_value=0.1)
    gap = forms.DecimalField(label=gettext_lazy("Gap"), initial=0, min_value=0)
    vertical = forms.BooleanField(label=gettext_lazy("Vertical row"), required=False)

    def __init__(self, *args, fair, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stall_type"].queryset = StallType.objects.filter(fair=fair)
        self.fields["zone"].queryset = FairZone.objects.filter(page=fair)


def _report_url(fair, request):
    """The organiser's registration report (<fair>/registrations/) on the public site, or None without a site."""
    url = fair.get_url(request)
    return f"{url}{fair.reverse_subpage('registrations')}" if url else None


def fair_list(request):
    _check(request)
    fairs = FairPage.objects.all().order_by("-start_date")
    return TemplateResponse(request, "events/admin/fair_list.html", {"fairs": fairs, "header_title": _("Fairs")})


def fair_detail(request, fair_id):
    _check(request)
    fair = get_object_or_404(FairPage, pk=fair_id)
    row_form = StallRowForm(request.POST if request.POST.get("action") == "stalls" else None, fair=fair)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "stalls":
                if row_form.is_valid():
                    d = row_form.cleaned_data
                    made = services.create_stall_row(
                        fair=fair,
                        prefix=d["prefix"],
                        first=d["first"],
                        last=d["last"],
                        stall_type=d["stall_type"],
                        zone=d["zone"],
                        x=d["x"],
                        y=d["y"],
                        width=d["width"],
                        height=d["height"],
                        gap=d["gap"],
                        vertical=d["vertical"],
                        user=request.user,
                    )
                    messages.success(request, _("%(n)s stalls created.") % {"n": len(made)})
                    return redirect(request.path)
            else:
                application = get_object_or_404(StallApplication, pk=request.POST.get("application"), fair=fair)
                if action == "approve":
                    stall = get_object_or_404(Stall, pk=request.POST.get("stall"))
                    booking = services.approve(application, stall=stall, user=request.user)
                    messages.success(request, _("Approved with stall %(code)s.") % {"code": booking.stall.code})
                elif action == "waitlist":
                    services.waitlist(application, user=request.user)
                    messages.success(request, _("Application waitlisted."))
                elif action == "reject":
                    services.reject(application, user=request.user, reason=request.POST.get("reason", ""))
                    messages.success(request, _("Application rejected."))
                return redirect(request.path)
        except services.EventsError as exc:
            messages.error(request, exc.message)
    states = services.stall_states(fair)
    free = [s for s in Stall.objects.filter(fair=fair).order_by("code") if states[s.pk][0] == "available"]
    applications = (
        StallApplication.objects.filter(fair=fair)
        .select_related("vendor", "vendor__county", "stall_type")
        .prefetch_related("preferred_stalls", "addons")
    )
    return TemplateResponse(
        request,
        "events/admin/fair_detail.html",
        {
            "fair": fair,
            "stats": services.fair_stats(fair),
            "applications": applications,
            "free_stalls": free,
            "row_form": row_form,
            "header_title": fair.title,
            "report_url": _report_url(fair, request),
        },
    )


EXPORT_HEADER = [
    gettext_lazy("Stall"),
    gettext_lazy("Zone"),
    gettext_lazy("Type"),
    gettext_lazy("Exhibitor"),
    gettext_lazy("County"),
    gettext_lazy("Status"),
    gettext_lazy("Fee"),
    gettext_lazy("Needs"),
    gettext_lazy("Contact"),
]


def exhibitor_rows(fair):
    bookings = (
        StallBooking.objects.filter(fair=fair, status__in=StallBooking.ACTIVE)
        .select_related(
            "stall", "stall__zone", "stall__stall_type", "vendor", "vendor__county", "application", "booked_by"
        )
        .order_by("stall__code")
    )
    for b in bookings:
        needs = b.application.needs_label() if b.application else ""
        yield [
            b.stall.code,
            b.stall.zone.name if b.stall.zone else "",
            b.stall.stall_type.name,
            b.vendor.title,
            b.vendor.county.name,
            str(b.get_status_display()),
            f"{b.fee:.2f}",
            needs,
            b.booked_by.email or b.booked_by.get_username(),
        ]


def export(request, fair_id, fmt):
    _check(request)
    fair = get_object_or_404(FairPage, pk=fair_id)
    rows = [dict(enumerate(row)) for row in exhibitor_rows(fair)]
    return spreadsheet_response(fmt, list(enumerate(EXPORT_HEADER)), rows, f"fair-{fair.pk}-exhibitors", "exhibitors")
