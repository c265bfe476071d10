"""Catalogue queries shared by the listing, county, search and API views.

Each returns a queryset that loads a page of cards in a fixed number of queries, whatever the size
of the catalogue: the card's relations are joined or prefetched, never fetched per card.
"""

from django.db.models import Aggregate, CharField, Exists, Expression, F, Func, OuterRef, Prefetch, Q, Subquery
from django.db.models.expressions import Col
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from cms import page_cache
from cms.restrictions import public
from cms.search import any_word_query

from . import cards, taxonomy_cache
from .models import ProductPage, VendorPage, audiences_for


class PageTableId(Expression):
    """`wagtailcore_page.id` of a page model's query: the pk's value, read from the parent table.

    Ordering by first_published_at and then by this column matches the first_published_at index (whose
    entries end with the page id), so a database can walk the index instead of sorting; Django would
    turn `-pk` or `-id` into the child table's `page_ptr_id`, which the index does not cover.
    """

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        alias = query.join_parent_model(query.get_meta(), Page, query.get_initial_alias(), {})
        return Col(alias, Page._meta.get_field("id"))


SORTS = {
    "newest": ("-first_published_at", PageTableId().desc()),
    "price": ("unit_price", "pk"),
    "-price": ("-unit_price", "pk"),
    "name": ("title", "pk"),
}
DEFAULT_SORT = "newest"


def _with_renditions(queryset, image_field):
    return queryset.prefetch_related(
        Prefetch(f"{image_field}__renditions", queryset=get_image_model().get_rendition_model().objects.all())
    )


class Unindexed(Func):
    """A column's value, written `+column` on SQLite so that its query planner does not pick an index for it.

    Nearly every product is visible, so indexes on the visibility columns (approval status, audience)
    select nothing; but SQLite prefers them and then sorts the whole catalogue for each page. Without
    them it walks the sort column's index (first_published_at, unit_price) and stops after a page.
    Other databases get the plain column.
    """

    template = "%(expressions)s"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def visible_products(user=None, restricted_paths=None):
    return ProductPage.objects.visible_to(user, restricted_paths)


def listing_products(user=None):
    """`visible_products` for listings sorted in the database: the same rows, a page at a time."""
    products = (
        public(ProductPage.objects.live())
        .filter(available=True, vendor__isnull=False)
        .alias(
            _vendor_approval=Unindexed(F("vendor__approval_status")),
            _audience=Unindexed(F("audience")),
        )
        .filter(_vendor_approval=VendorPage.Approval.APPROVED, _audience__in=audiences_for(user))
        .for_listing()
    )
    return _with_renditions(products, "cover_image")


def visible_vendors(restricted_paths=None):
    vendors = (
        public(VendorPage.objects.live(), restricted_paths)
        .filter(approval_status=VendorPage.Approval.APPROVED)
        .select_related("county", "county__city", "logo")
        .order_by("path")
    )
    return _with_renditions(vendors, "logo")


def filter_products(products, criteria):
    if county := criteria.get("county"):
        products = products.filter(origin_county__slug=county)
    if city := criteria.get("city"):
        products = products.filter(origin_county__city__code=city)
    if category := criteria.get("category"):
        products = products.filter(Q(category__slug=category) | Q(category__parent__slug=category))
    if mark := criteria.get("mark"):
        through = ProductPage.marks.through
        products = products.filter(Exists(through.objects.filter(productpage_id=OuterRef("pk"), mark__slug=mark)))
    if criteria.get("price_min") is not None:
        products = products.filter(unit_price__gte=criteria["price_min"])
    if criteria.get("price_max") is not None:
        products = products.filter(unit_price__lte=criteria["price_max"])
    if criteria.get("in_stock"):
        products = products.filter(Q(track_stock=False) | Q(stock__quantity__gte=F("min_order_quantity")))
    if criteria.get("canteen"):
        products = products.filter(audience__in=[ProductPage.Audience.CANTEENS, ProductPage.Audience.BOTH])
    return products


def sort_products(products, sort):
    return products.order_by(*SORTS.get(sort or DEFAULT_SORT, SORTS[DEFAULT_SORT]))


def filter_vendors(vendors, criteria):
    if county := criteria.get("county"):
        vendors = vendors.filter(county__slug=county)
    if kind := criteria.get("kind"):
        vendors = vendors.filter(kind=kind)
    return vendors


def search(query, user=None, vendor_limit=6):
    """Products and vendors matching a Chinese, pinyin or English query, best matches first.

    Every word must match; when nothing matches all the words of a query of several ("胡柚 礼盒"), the
    products matching any one of them are given instead (`any_word` says so), best matches first.
    """
    backend = get_search_backend()
    # The restricted pages' paths as the page cache keeps them (its versions follow every restriction): no query.
    restricted = page_cache.restricted_paths()
    products = backend.search(query, visible_products(user, restricted))
    any_word = False
    if (fallback := any_word_query(query)) is not None and not products.count():
        products = backend.search(fallback, visible_products(user, restricted))
        any_word = True
    return {
        "products": products,
        "vendors": backend.search(query, visible_vendors(restricted))[:vendor_limit],
        "pages": [],
        "any_word": any_word,
        # PostgreSQL ranks at most cms.search.SEARCH_CANDIDATES matches; True when more matched.
        "capped": bool(getattr(products, "capped", False)),
    }


class IdList(Aggregate):
    """The values of a column as one comma-separated string ("3,7"; None for no row), on SQLite and PostgreSQL."""

    function = "group_concat"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="string_agg((%(expressions)s)::text, ',')", **extra_context)


def _image_values(field):
    return tuple(f"{field}__{name}" for name in cards.IMAGE_VALUES)


# Everything a product card shows (marketplace.cards.ProductCard.from_row), no more.
PRODUCT_CARD_VALUES = (
    ("pk", "title", "name_en", "url_path", "unit_price", "unit", "min_order_quantity", "track_stock")
    + ("vendor__title", "vendor__name_en", "origin_county__name", "origin_county__name_en", "stock__quantity")
    + ("stats__review_count", "stats__rating_total", "stats__sold_count", "mark_ids")
    + _image_values("cover_image")
)
# The same for a vendor card (marketplace.cards.VendorCard.from_row).
VENDOR_CARD_VALUES = (
    ("pk", "title", "name_en", "url_path", "kind", "store_tier", "tagline", "tagline_en")
    + ("county__name", "county__name_en")
    + _image_values("logo")
)


def _in_order(rows, ids):
    by_id = {row["pk"]: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def product_cards(ids):
    """The cards (marketplace.cards.ProductCard) of the products `ids` (already found visible, e.g. by a search), in
    that order, from one query of the values a card shows: vendor and county names, cover image, stock, counters and
    the ids of the marks (whose names come from `marks_by_id`, kept)."""
    if not ids:
        return []
    through = ProductPage.marks.through
    mark_ids = Subquery(
        through.objects.filter(productpage_id=OuterRef("pk"))
        .values("productpage_id")
        .annotate(ids=IdList("mark_id"))
        .values("ids")
    )
    rows = ProductPage.objects.filter(pk__in=ids).annotate(mark_ids=mark_ids).values(*PRODUCT_CARD_VALUES)
    marks = taxonomy_cache.marks_by_id()
    cards_ = []
    for row in _in_order(rows, ids):
        found = [marks[int(pk)] for pk in (row["mark_ids"] or "").split(",") if pk and int(pk) in marks]
        found.sort(key=lambda mark: (mark.kind, mark.name))  # Mark's ordering
        cards_.append(cards.ProductCard.from_row(row, tuple(found)))
    return cards_


def vendor_cards(ids):
    """The cards (marketplace.cards.VendorCard) of the vendors `ids`, in that order, from one query of their values."""
    if not ids:
        return []
    rows = VendorPage.objects.filter(pk__in=ids).values(*VENDOR_CARD_VALUES)
    return [cards.VendorCard.from_row(row) for row in _in_order(rows, ids)]
