"""Stall setup in the Wagtail admin: stall types, add-ons and single stalls per fair (ModelViewSets, filtered by
fair), and blocking / unblocking a stall through events.stalls.services.set_stall_blocked."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from cms.admin_columns import YesNoColumn
from cms.errors import DomainError
from events.models import AddOn, Stall, StallType
from events.stalls import services


class StallTypeViewSet(ModelViewSet):
    model = StallType
    icon = "tag"
    menu_label = gettext_lazy("Stall types")
    add_to_admin_menu = False
    form_fields = ["fair", "name", "width_m", "depth_m", "price", "includes_power", "includes_water", "description"]
    list_display = ["name", "fair", Column("size_label", label=gettext_lazy("Size")), "price"]
    list_filter = ["fair"]
    search_fields = ["name"]


class AddOnViewSet(ModelViewSet):
    model = AddOn
    icon = "plus"
    menu_label = gettext_lazy("Add-ons")
    add_to_admin_menu = False
    form_fields = ["fair", "kind", "name", "price"]
    list_display = ["name", "fair", "kind", "price"]
    list_filter = ["fair", "kind"]
    search_fields = ["name"]


class StallForm(WagtailAdminModelForm):
    """A single stall. Blocking is not a form field: it goes through the block view and its service rule."""

    class Meta:
        model = Stall
        fields = ["fair", "code", "zone", "stall_type", "x", "y", "width", "height"]

    def clean(self):
        cleaned = super().clean()
        fair, zone, stall_type = cleaned.get("fair"), cleaned.get("zone"), cleaned.get("stall_type")
        if fair is not None:
            if stall_type is not None and stall_type.fair_id != fair.pk:
                self.add_error("stall_type", _("Choose a stall type of this fair."))
            if zone is not None and zone.page_id != fair.pk:
                self.add_error("zone", _("Choose a zone of this fair."))
        return cleaned


class StallIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.user_has_permission("change"):
            label = _("Unblock") if instance.blocked else _("Block")
            url = reverse("fair_stalls:block", args=(instance.pk,))
            buttons.append(MenuItem(label, url=url, icon_name="lock-open" if instance.blocked else "lock", priority=25))
        return buttons


class StallViewSet(ModelViewSet):
    model = Stall
    icon = "table"
    menu_label = gettext_lazy("Stalls")
    add_to_admin_menu = False
    index_view_class = StallIndexView
    list_display = ["code", "fair", "zone", "stall_type", YesNoColumn("blocked", label=gettext_lazy("blocked"))]
    list_filter = ["fair", "blocked", "stall_type"]
    search_fields = ["code"]

    def get_form_class(self, for_update=False):
        return StallForm

    def block_view(self, request, pk):
        stall = get_object_or_404(Stall.objects.select_related("fair"), pk=pk)
        if not self.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        blocking = not stall.blocked
        if request.method == "POST":
            try:
                services.set_stall_blocked(stall, request.POST.get("blocked") == "1", request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                if request.POST.get("blocked") == "1":
                    messages.success(request, _("Stall %(code)s is blocked.") % {"code": stall.code})
                else:
                    messages.success(request, _("Stall %(code)s is open for booking again.") % {"code": stall.code})
            return redirect(f"{reverse(self.get_url_name('index'))}?fair={stall.fair_id}")
        return TemplateResponse(
            request,
            "events/admin/stall_block.html",
            {
                "stall": stall,
                "blocking": blocking,
                "header_title": (_("Block stall %(code)s") if blocking else _("Unblock stall %(code)s"))
                % {"code": stall.code},
                "index_url": f"{reverse(self.get_url_name('index'))}?fair={stall.fair_id}",
            },
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("block/<int:pk>/", self.block_view, name="block")]


class StallSetupGroup(ViewSetGroup):
    menu_label = gettext_lazy("Fair stalls")
    menu_icon = "table"
    menu_order = 421
    items = (StallViewSet("fair_stalls"), StallTypeViewSet("fair_stall_types"), AddOnViewSet("fair_addons"))
