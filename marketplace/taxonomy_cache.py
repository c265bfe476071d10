"""Filter choices (counties, cities, categories, marks) read from the cache, not the database.

They appear on every listing page and change rarely; any save or delete of one of these models
clears the cached lists.
"""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

from cms.models import City, County, Mark

from .models import Category

CACHE_KEY = "marketplace:filter-choices:v1:{language}"
CACHE_SECONDS = 60 * 60


def _build():
    counties = [
        (c.slug, f"{c.display_name}") for c in County.objects.select_related("city").order_by("city__code", "name")
    ]
    cities = [(c.code, c.display_name) for c in City.objects.order_by("code")]
    categories = []
    for category in Category.objects.select_related("parent").order_by("parent__sort_order", "sort_order", "name"):
        label = category.display_name if category.parent is None else f"— {category.display_name}"
        categories.append((category.slug, label, category.parent_id is None))
    marks = [(m.slug, m.display_name) for m in Mark.objects.order_by("kind", "name")]
    return {"counties": counties, "cities": cities, "categories": categories, "marks": marks}


def filter_choices():
    key = CACHE_KEY.format(language=get_language())
    choices = cache.get(key)
    if choices is None:
        choices = _build()
        cache.set(key, choices, CACHE_SECONDS)
    return choices


MARKS_KEY = "marketplace:marks-by-id:v1"


def marks_by_id():
    """{mark id: CardMark (kind, name, name_en)} of every mark, for product cards loaded as values."""
    from .cards import CardMark

    marks = cache.get(MARKS_KEY)
    if marks is None:
        rows = Mark.objects.values_list("pk", "kind", "name", "name_en")
        marks = {pk: CardMark(kind, name, name_en) for pk, kind, name, name_en in rows}
        cache.set(MARKS_KEY, marks, CACHE_SECONDS)
    return marks


def clear(**kwargs):
    from django.conf import settings

    cache.delete_many([CACHE_KEY.format(language=code) for code, _ in settings.LANGUAGES] + [MARKS_KEY])


for model in (County, City, Category, Mark):
    post_save.connect(clear, sender=model, dispatch_uid=f"taxonomy-cache-save-{model.__name__}")
    post_delete.connect(clear, sender=model, dispatch_uid=f"taxonomy-cache-delete-{model.__name__}")
