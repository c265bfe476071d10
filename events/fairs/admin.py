"""Fair series in the Wagtail admin: organisers group fairs (2026 山海协作 区域公用品牌展销) for one report."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.views.snippets import SnippetViewSet

from events.fairs.models import FairSeries


class FairSeriesViewSet(SnippetViewSet):
    model = FairSeries
    icon = "folder-open-inverse"
    menu_label = _("Fair series")
    menu_order = 425
    add_to_admin_menu = True
    list_display = ["name", "name_en"]
    search_fields = ["name", "name_en"]
    panels = [
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("description"),
        FieldPanel("fairs", widget=forms.CheckboxSelectMultiple),
    ]
