"""Visitor registration set-up in the Wagtail admin: ticket types and time slots per fair (ModelViewSets, filtered
by fair), time slots in bulk through events.registration.services.create_slots, and the check-in role per fair
granted and revoked through events.registration.services.grant_checkin_role / revoke_checkin_role."""

import re
from datetime import time, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from cms.admin_columns import YesNoColumn
from cms.errors import DomainError
from events.models import CheckInStaff, FairPage, Registration, TicketType, TimeSlot
from events.registration import services as ticketing

TIME_RANGE_RE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–—~至到]\s*(\d{1,2}):(\d{2})$")


def _places_taken(instance):
    return (instance.confirmed + instance.held) if instance.pk else 0


class CapacityThroughServiceForm(WagtailAdminModelForm):
    """Saves an existing ticket type or slot without writing its place counters or capacity (a stale copy must
    not overwrite them); the capacity changes through the ticketing service, under the locks, which also
    offers freed places to the waiting list."""

    def save(self, commit=True):
        if not self.instance.pk or not commit:
            return super().save(commit)
        instance = super().save(commit=False)
        instance.save(update_fields=[name for name in self._meta.fields if name != "capacity"])
        self._save_m2m()
        set_capacity = (
            ticketing.set_ticket_type_capacity if isinstance(instance, TicketType) else ticketing.set_slot_capacity
        )
        set_capacity(instance, self.cleaned_data["capacity"], user=self.for_user)
        return instance


class CapacityEditView(generic.EditView):
    """Shows a refusal of the capacity service (places taken meanwhile) on the form instead of failing."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DomainError as exc:
            form.add_error(exc.field or None, exc.message)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class TicketTypeForm(CapacityThroughServiceForm):
    class Meta:
        model = TicketType
        fields = [
            "fair",
            "name",
            "description",
            "price",
            "capacity",
            "per_person_limit",
            "registrations_per_phone",
            "audience",
            "sales_start",
            "sales_end",
            "requires_slot",
            "entries_per_day",
            "waitlist",
        ]

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        capacity, fair = cleaned.get("capacity"), cleaned.get("fair")
        if capacity is not None and capacity < _places_taken(instance):
            self.add_error(
                "capacity",
                _("%(n)s places are taken already; the capacity cannot be lower.") % {"n": _places_taken(instance)},
            )
        moved = instance.pk and fair is not None and fair.pk != instance.fair_id
        if moved and Registration.objects.filter(ticket_type=instance).exists():
            self.add_error("fair", _("Visitors have registered for this ticket type: it stays with its fair."))
        start, end = cleaned.get("sales_start"), cleaned.get("sales_end")
        if start and end and end <= start:
            self.add_error("sales_end", _("Sales must end after they start."))
        return cleaned


class TicketTypeViewSet(ModelViewSet):
    model = TicketType
    icon = "tag"
    menu_label = gettext_lazy("Ticket types")
    add_to_admin_menu = False
    edit_view_class = CapacityEditView
    list_display = [
        "name",
        "fair",
        "price",
        "capacity",
        Column("confirmed", label=gettext_lazy("Confirmed")),
        Column("held", label=gettext_lazy("Held")),
        "audience",
    ]
    list_filter = ["fair", "audience"]
    search_fields = ["name"]

    def get_form_class(self, for_update=False):
        return TicketTypeForm


class TimeSlotForm(CapacityThroughServiceForm):
    class Meta:
        model = TimeSlot
        fields = ["fair", "date", "starts_at", "ends_at", "capacity", "closed"]

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        fair, day = cleaned.get("fair"), cleaned.get("date")
        starts_at, ends_at, capacity = cleaned.get("starts_at"), cleaned.get("ends_at"), cleaned.get("capacity")
        if fair is not None and day is not None and not fair.start_date <= day <= fair.end_date:
            self.add_error("date", _("%(day)s is not a day of this fair.") % {"day": day.isoformat()})
        if starts_at is not None and ends_at is not None and ends_at <= starts_at:
            self.add_error("ends_at", _("A slot must end after it starts."))
        if capacity is not None and capacity < _places_taken(instance):
            self.add_error(
                "capacity",
                _("%(n)s places are taken already; the capacity cannot be lower.") % {"n": _places_taken(instance)},
            )
        moved = instance.pk and fair is not None and fair.pk != instance.fair_id
        if moved and Registration.objects.filter(slot=instance).exists():
            self.add_error("fair", _("Visitors have registered for this slot: it stays with its fair."))
        return cleaned


def parse_time_ranges(text):
    """'09:00-11:00' per line (or comma-separated) → [(time(9), time(11)), …]; ValidationError on a bad line."""
    ranges = []
    for part in re.split(r"[\n,，;；]+", text or ""):
        part = part.strip()
        if not part:
            continue
        match = TIME_RANGE_RE.match(part)
        try:
            if match is None:
                raise ValueError
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            ranges.append((time(h1, m1), time(h2, m2)))
        except ValueError:
            raise forms.ValidationError(
                _("Write each time range as 09:00-11:00, one a line: %(part)s is not one.") % {"part": part}
            ) from None
    if not ranges:
        raise forms.ValidationError(_("Enter at least one time range."))
    return ranges


class BulkSlotForm(forms.Form):
    fair = forms.ModelChoiceField(queryset=FairPage.objects.order_by("-start_date"), label=gettext_lazy("Fair"))
    first_day = forms.DateField(
        label=gettext_lazy("First day"), required=False, help_text=gettext_lazy("Empty: the fair's first day.")
    )
    last_day = forms.DateField(
        label=gettext_lazy("Last day"), required=False, help_text=gettext_lazy("Empty: the fair's last day.")
    )
    times = forms.CharField(
        label=gettext_lazy("Time ranges"),
        widget=forms.Textarea(attrs={"rows": 4}),
        initial="09:00-11:00\n11:00-13:00\n13:00-15:00\n15:00-17:00",
        help_text=gettext_lazy("One range a line, such as 09:00-11:00. Every day gets every range."),
    )
    capacity = forms.IntegerField(label=gettext_lazy("Capacity of each slot (people)"), min_value=1, initial=200)

    def clean_times(self):
        return parse_time_ranges(self.cleaned_data["times"])

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day cannot be before the first day."))
        return cleaned

    def days(self):
        fair = self.cleaned_data["fair"]
        first = self.cleaned_data.get("first_day") or fair.start_date
        last = self.cleaned_data.get("last_day") or fair.end_date
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# Where create_slots' DomainError.field lands on the bulk form.
BULK_ERROR_FIELDS = {"days": "first_day", "times": "times", "capacity": "capacity"}


class TimeSlotIndexView(generic.IndexView):
    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.user_has_permission("add"):
            url = reverse("fair_time_slots:bulk")
            fair = self.request.GET.get("fair")
            if fair and fair.isdigit():
                url += f"?fair={fair}"
            buttons.append(HeaderButton(_("Create slots in bulk"), url=url, icon_name="plus"))
        return buttons


class TimeSlotViewSet(ModelViewSet):
    model = TimeSlot
    icon = "time"
    menu_label = gettext_lazy("Time slots")
    add_to_admin_menu = False
    index_view_class = TimeSlotIndexView
    edit_view_class = CapacityEditView
    list_display = [
        Column("__str__", label=gettext_lazy("Time slot")),
        "fair",
        "capacity",
        Column("confirmed", label=gettext_lazy("Confirmed")),
        Column("held", label=gettext_lazy("Held")),
        YesNoColumn("closed", label=gettext_lazy("closed")),
    ]
    list_filter = ["fair", "date", "closed"]

    def get_form_class(self, for_update=False):
        return TimeSlotForm

    def bulk_view(self, request):
        if not self.permission_policy.user_has_permission(request.user, "add"):
            raise PermissionDenied
        index_url = reverse(self.get_url_name("index"))
        initial = {}
        if request.GET.get("fair", "").isdigit():
            initial["fair"] = request.GET["fair"]
        form = BulkSlotForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            fair = form.cleaned_data["fair"]
            try:
                slots = ticketing.create_slots(
                    fair=fair,
                    days=form.days(),
                    times=form.cleaned_data["times"],
                    capacity=form.cleaned_data["capacity"],
                    user=request.user,
                )
            except DomainError as exc:
                form.add_error(BULK_ERROR_FIELDS.get(exc.field), exc.message)
            else:
                messages.success(request, _("%(n)s time slots created.") % {"n": len(slots)})
                return redirect(f"{index_url}?fair={fair.pk}")
        return TemplateResponse(
            request,
            "events/admin/slot_bulk.html",
            {"form": form, "header_title": _("Create time slots in bulk"), "index_url": index_url},
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("bulk/", self.bulk_view, name="bulk")]


class CheckInStaffForm(WagtailAdminModelForm):
    class Meta:
        model = CheckInStaff
        fields = ["fair", "user"]


class CheckInStaffIndexView(generic.IndexView):
    def get_edit_url(self, instance):
        return None  # a role is granted or revoked, never edited


class CheckInStaffCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return ticketing.grant_checkin_role(data["fair"], data["user"], by=self.request.user)

    def get_success_message(self, instance=None):
        return _("%(user)s may now check visitors in at %(fair)s.") % {
            "user": self.object.user.get_username(),
            "fair": self.object.fair.title,
        }


class CheckInStaffEditView(generic.EditView):
    def dispatch(self, request, *args, **kwargs):
        messages.info(request, _("A check-in role is not edited: revoke it and grant a new one."))
        return redirect(reverse("fair_checkin_staff:index"))


class CheckInStaffDeleteView(generic.DeleteView):
    def delete_action(self):
        ticketing.revoke_checkin_role(self.object.fair, self.object.user, by=self.request.user)

    def get_success_message(self):
        return _("%(user)s may no longer check visitors in at %(fair)s.") % {
            "user": self.object.user.get_username(),
            "fair": self.object.fair.title,
        }


class CheckInStaffViewSet(ModelViewSet):
    model = CheckInStaff
    icon = "user"
    menu_label = gettext_lazy("Check-in staff")
    add_to_admin_menu = False
    copy_view_enabled = False
    index_view_class = CheckInStaffIndexView
    add_view_class = CheckInStaffCreateView
    edit_view_class = CheckInStaffEditView
    delete_view_class = CheckInStaffDeleteView
    list_display = ["user", "fair"]
    list_filter = ["fair"]
    search_fields = ["user__username"]

    def get_form_class(self, for_update=False):
        return CheckInStaffForm


class RegistrationSetupGroup(ViewSetGroup):
    menu_label = gettext_lazy("Visitor registration")
    menu_icon = "group"
    menu_order = 422
    items = (
        TicketTypeViewSet("fair_ticket_types"),
        TimeSlotViewSet("fair_time_slots"),
        CheckInStaffViewSet("fair_checkin_staff"),
    )
