"""Admin report "Pages without English": live pages whose English name or an English text is empty while
the Chinese one is filled, so an editor sees what the English site still shows in Chinese."""

from functools import reduce
from operator import or_

from django.db import models
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.reports import PageReportView
from wagtail.fields import StreamField
from wagtail.models import Page, get_page_models

from cms.models.bilingual import EN_SUFFIX
from cms.models.pages import SitePage


def text_pairs(model):
    """(Chinese field, English field) names of a page model's plain-text twins (streams are left out: their
    emptiness cannot be asked of the database the same way on SQLite and PostgreSQL)."""
    names = {f.name: f for f in model._meta.concrete_fields}
    pairs = []
    for name, field in names.items():
        if not name.endswith(EN_SUFFIX) or isinstance(field, StreamField):
            continue
        base = "title" if name == "name_en" else name[: -len(EN_SUFFIX)]
        if base in names and isinstance(field, models.CharField | models.TextField):
            pairs.append((base, name))
    return pairs


def pages_missing_english():
    """A Page queryset of the live pages with an empty English twin of a filled Chinese text."""
    ids = []
    for model in get_page_models():
        if not issubclass(model, SitePage) or model._meta.abstract:
            continue
        pairs = text_pairs(model)
        if not pairs:
            continue
        missing = reduce(or_, (models.Q(**{english: ""}) & ~models.Q(**{chinese: ""}) for chinese, english in pairs))
        ids.append(model.objects.live().filter(missing).values("pk"))
    if not ids:
        return Page.objects.none()
    return Page.objects.filter(reduce(or_, (models.Q(pk__in=subquery) for subquery in ids)))


class MissingEnglishReportView(PageReportView):
    page_title = _("Pages without English")
    header_icon = "globe"
    index_url_name = "missing_english"
    index_results_url_name = "missing_english_results"
    any_permission_required = ["add", "change", "publish"]

    def get_queryset(self):
        editable = self.permission_policy.instances_user_has_permission_for(self.request.user, "change")
        self.queryset = editable.filter(pk__in=pages_missing_english().values("pk")).specific(defer=True)
        return super().get_queryset()

    def get_filename(self):
        return "pages-without-english"


urlpatterns = [
    path("reports/missing-english/", MissingEnglishReportView.as_view(), name="missing_english"),
    path(
        "reports/missing-english/results/",
        MissingEnglishReportView.as_view(results_only=True),
        name="missing_english_results",
    ),
]


def menu_item():
    return MenuItem(_("Pages without English"), reverse("missing_english"), icon_name="globe", order=750)
