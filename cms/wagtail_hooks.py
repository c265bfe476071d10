from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.models import City, County, Mark, MountainSeaPair


class CityViewSet(SnippetViewSet):
    model = City
    icon = "site"
    list_display = ["name", "name_en", "code", "coastal"]
    search_fields = ["name", "name_en"]


class CountyViewSet(SnippetViewSet):
    model = County
    icon = "site"
    list_display = ["name", "name_en", "city", "is_mountain_now"]
    list_filter = ["city"]
    search_fields = ["name", "name_en"]


class MountainSeaPairViewSet(SnippetViewSet):
    model = MountainSeaPair
    icon = "resubmit"
    list_display = ["mountain_county", "coastal_county", "since", "verified"]


class MarkViewSet(SnippetViewSet):
    model = Mark
    icon = "tag"
    list_display = ["name", "name_en", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en"]


class TaxonomyGroup(SnippetViewSetGroup):
    menu_label = _("Regions & marks")
    menu_icon = "folder-open-inverse"
    menu_order = 300
    items = (CityViewSet, CountyViewSet, MountainSeaPairViewSet, MarkViewSet)


register_snippet(TaxonomyGroup)
