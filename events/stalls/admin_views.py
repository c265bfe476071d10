"""Organiser views in the Wagtail admin: per fair, stats, application review, bulk stalls, exhibitor export."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.admin_panels import DashboardPanel
from cms.errors import DomainError
from events.models import FairIndexPage, FairPage, FairZone, Stall, StallApplication, StallBooking, StallType
from events.stalls import services
from marketplace.checkout.exports import spreadsheet_response


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
    return reverse("fair_registrations", args=[fair.slug]) if url else None


def fair_list(request):
    _check(request)
    fairs = FairPage.objects.all().order_by("-start_date")
    return TemplateResponse(request, "events/admin/fair_list.html", {"fairs": fairs, "header_title": _("Fairs")})


REVIEW_PAGE_SIZE = 20
OPEN_STATUSES = (StallApplication.Status.SUBMITTED, StallApplication.Status.WAITLISTED)


class ReviewFilterForm(forms.Form):
    """The application list's filters: status and requested stall type."""

    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    stall_type = forms.ModelChoiceField(
        label=gettext_lazy("Stall type"),
        queryset=StallType.objects.none(),
        required=False,
        empty_label=gettext_lazy("All stall types"),
    )

    def __init__(self, *args, fair, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *StallApplication.Status.choices]
        self.fields["stall_type"].queryset = StallType.objects.filter(fair=fair).order_by("name")


def _application_counts(stats):
    """[(translated status, count)] in the order of the statuses, for the overview line."""
    counts = stats["applications"]
    return [(label, counts[value]) for value, label in StallApplication.Status.choices if counts.get(value)]


def _stall_options(free, application):
    """Free stalls for an application's dropdown: its requested type first, then the others, each by code."""
    return sorted(free, key=lambda stall: (stall.stall_type_id != application.stall_type_id, stall.code))


def _decide(request, fair):
    application = get_object_or_404(StallApplication, pk=request.POST.get("application"), fair=fair)
    action = request.POST.get("action")
    if action == "approve":
        stall = Stall.objects.filter(fair=fair, pk=request.POST.get("stall") or None).first()
        if stall is None:
            messages.error(request, _("Choose a free stall to approve the application."))
            return
        booking = services.approve(application, stall=stall, user=request.user)
        messages.success(request, _("Approved with stall %(code)s.") % {"code": booking.stall.code})
    elif action == "waitlist":
        services.waitlist(application, user=request.user)
        messages.success(request, _("Application waitlisted."))
    elif action == "reject":
        services.reject(application, user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("Application rejected."))


def fair_detail(request, fair_id):
    _check(request)
    fair = get_object_or_404(FairPage, pk=fair_id)
    row_form = StallRowForm(request.POST if request.POST.get("action") == "stalls" else None, fair=fair)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "stalls":
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
                    return redirect(request.get_full_path())
            else:
                _decide(request, fair)
                return redirect(request.get_full_path())
        except DomainError as exc:
            messages.error(request, exc.message)

    filters = ReviewFilterForm(request.GET or None, fair=fair)
    applications = (
        StallApplication.objects.filter(fair=fair)
        .select_related("vendor", "vendor__county", "stall_type")
        .prefetch_related("preferred_stalls", "addons", "products")
        .annotate(decided=Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1)))
        .order_by("decided", "submitted_at", "pk")  # the ones waiting for a decision first
    )
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            applications = applications.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["stall_type"]:
            applications = applications.filter(stall_type=filters.cleaned_data["stall_type"])
    page = Paginator(applications, REVIEW_PAGE_SIZE).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)

    states = services.stall_states(fair)
    free = services.free_stalls(fair, states)
    proposals = services.propose_stalls(fair, free)
    rows = [
        {
            "application": application,
            "proposed": proposals.get(application.pk),
            "options": _stall_options(free, application),
        }
        for application in page
    ]
    stats = services.fair_stats(fair)
    return TemplateResponse(
        request,
        "events/admin/fair_detail.html",
        {
            "fair": fair,
            "stats": stats,
            "application_counts": _application_counts(stats),
            "rows": rows,
            "page": page,
            "filters": filters,
            "filter_query": query.urlencode(),
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


# --- dashboard ------------------------------------------------------------------------------------

DASHBOARD_ITEMS = 5


def vendor_stall_panel(request):
    """A vendor member's stall applications still in play (waiting for a decision, or approved with the stall
    held until paid), on the admin home; None for users who belong to no vendor."""
    vendors = list(services.vendors_of(request.user)) if request.user.is_authenticated else []
    if not vendors:
        return None
    waiting = StallApplication.objects.filter(
        vendor__in=vendors, status__in=(StallApplication.Status.SUBMITTED, StallApplication.Status.WAITLISTED)
    )
    held = StallBooking.objects.filter(vendor__in=vendors, status=StallBooking.Status.HELD)
    items = [
        {"label": a.fair.title, "url": a.fair.url, "detail": a.get_status_display()}
        for a in waiting.select_related("fair").order_by("submitted_at")[:DASHBOARD_ITEMS]
    ] + [
        {"label": b.fair.title, "url": b.fair.url, "detail": f"{b.stall.code} · {b.get_status_display()}"}
        for b in held.select_related("fair", "stall").order_by("pk")[:DASHBOARD_ITEMS]
    ]
    waiting_count, held_count = waiting.count(), held.count()
    summary = ""
    if waiting_count or held_count:
        summary = _("%(waiting)s waiting for a decision, %(held)s held until paid") % {
            "waiting": waiting_count,
            "held": held_count,
        }
    index = FairIndexPage.objects.live().first()
    link = (reverse("fair_my_stalls"), _("My stalls")) if index and index.url else None
    return DashboardPanel(
        "events-stall-applications",
        _("Stall applications"),
        order=35,
        summary=summary,
        items=items,
        link=link,
        empty=_("No stall application in progress."),
        count=waiting_count + held_count,
    )
