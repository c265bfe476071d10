from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms import english_report, page_cache
from cms.admin_columns import YesNoColumn
from cms.models import City, County, Mark, MountainSeaPair
from cms.private_media import serve_private_document


class CityViewSet(SnippetViewSet):
    model = City
    icon = "site"
    list_display = ["name", "name_en", "code", YesNoColumn("coastal", label=_("coastal"))]
    search_fields = ["name", "name_en"]


class CountyViewSet(SnippetViewSet):
    model = County
    icon = "site"
    list_display = ["name", "name_en", "city", YesNoColumn("is_mountain_now", label=_("Mountain county today"))]
    list_filter = ["city"]
    search_fields = ["name", "name_en"]


class MountainSeaPairViewSet(SnippetViewSet):
    model = MountainSeaPair
    icon = "resubmit"
    list_display = ["mountain_county", "coastal_county", "since", YesNoColumn("verified", label=_("verified"))]


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


@hooks.register("before_serve_page", order=100)
def mark_page_for_cache(page, request, serve_args, serve_kwargs):
    # After Wagtail's own checks; cms.page_cache stores the response only if this marked the request.
    page_cache.mark_page(page, request, serve_args, serve_kwargs)


@hooks.register("before_serve_document")
def serve_private_documents(document, request):
    """Documents in the private area (invoices) go through the private-media check, never the plain file."""
    return serve_private_document(document, request)


@hooks.register("register_admin_urls")
def english_report_urls():
    return english_report.urlpatterns


@hooks.register("register_reports_menu_item")
def english_report_menu_item():
    return english_report.menu_item()
