"""Product and vendor cards as HTML, written by Python from plain values.

Every listing (the product list, county and vendor pages, the home page's featured products) and the search page
show the same cards. A search nobody asked renders 24 at once: through templates that was half of its CPU (a
template variable lookup, `pageurl`'s reverse() and a translation per field and card). Here a card is a small
record of what it shows (`ProductCard`, `VendorCard`), made from a page (`from_page`, for listings that load pages)
or from one narrow query of values (`catalogue.product_cards` / `vendor_cards`, for the search), and written out
with every text escaped (`conditional_escape`, `format_html`). The markup is the templates' it replaced, byte for
byte (tests/marketplace/test_card_markup.py renders those templates, kept in tests/marketplace/data/, beside these).

Per request, not per card: the page URL prefix (`PageUrls`: one reverse()), the pictures' markup (one cache round
trip for all cards, `pictures`), the labels (`_labels`).
"""

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape  # Django's escape() is this, wrapped for lazy strings: every value here is a str
from urllib.parse import quote

from django.urls import NoReverseMatch, reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext, ngettext
from wagtail.models import Site

from cms.models.bilingual import is_english
from cms.templatetags.cms_tags import cny, picture_fields, picture_key, responsive_picture

from .models import UNIT_CHOICES, VendorPage, stock_state_for

CARD_SHAPE = "card"
# The renditions of a card's picture (`responsive_picture` with shape "card", cms/includes/picture_tag.html).
CARD_RENDITIONS = tuple(
    f"format-{kind}|fill-{size}-c50" for kind in ("avif", "webp", "jpeg") for size in ("400x300", "800x600")
)


class PageUrls:
    """Page URLs as `{% pageurl %}` gives them (relative on the current site, with the language's prefix; absolute on
    another), from a page's url_path alone: one reverse() a request instead of one a card."""

    def __init__(self, request=None):
        self.current_site_id = None
        if request is not None:
            site = Site.find_for_request(request)
            self.current_site_id = site.pk if site else None
        # Wagtail's own cached copy (Page._get_site_root_paths keeps it on the request).
        cache_object = request if request is not None else self
        try:
            self.roots = cache_object._wagtail_cached_site_root_paths
        except AttributeError:
            self.roots = cache_object._wagtail_cached_site_root_paths = Site.get_site_root_paths()
        self.several_sites = len({root.site_id for root in self.roots}) > 1
        try:
            self.prefix = reverse("wagtail_serve", args=("",))
        except NoReverseMatch:
            self.prefix = None

    def __call__(self, url_path):
        """The URL of the page at `url_path`; "None" (as the tag writes it) when it is not routable."""
        roots = [root for root in self.roots if url_path.startswith(root.root_path)]
        if not roots or self.prefix is None:
            return "None"
        site_id, root_path, root_url = roots[0].site_id, roots[0].root_path, roots[0].root_url
        if len({root.site_id for root in roots}) > 1:
            for root in roots:
                if root.site_id == self.current_site_id:
                    site_id, root_path, root_url = root.site_id, root.root_path, root.root_url
                    break
        # reverse() quotes its arguments so; the prefix ("/" or "/en/") is what it puts before them.
        path = self.prefix + quote(url_path[len(root_path) :], safe=RFC3986_SUBDELIMS + "/~:@")
        return path if site_id == self.current_site_id or not self.several_sites else root_url + path


@dataclass(frozen=True, slots=True)
class CardImage:
    """A card picture's image: its PICTURE_FIELDS (cms_tags), all the markup's cache key needs."""

    fields: tuple

    @property
    def pk(self):
        return self.fields[0]


@dataclass(frozen=True, slots=True)
class CardMark:
    kind: str
    name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class ProductCard:
    """What a product card shows."""

    pk: int
    url_path: str
    title: str
    name_en: str
    unit_price: Decimal
    unit: str
    min_order_quantity: int
    stock_state: str
    vendor_title: str | None
    vendor_name_en: str
    county_name: str | None
    county_name_en: str
    marks: tuple  # of CardMark, in Mark's order (kind, name)
    review_count: int
    rating_total: int
    sold_count: int
    image: CardImage | None

    @classmethod
    def from_page(cls, page):
        """The card of a ProductPage loaded for listings (`for_listing`: vendor, county, image, stock, stats, marks)."""
        vendor, county, stats, image = page.vendor, page.origin_county, page.counters, page.cover_image
        return cls(
            pk=page.pk,
            url_path=page.url_path,
            title=page.title,
            name_en=page.name_en,
            unit_price=page.unit_price,
            unit=page.unit,
            min_order_quantity=page.min_order_quantity,
            stock_state=page.stock_state,
            vendor_title=vendor.title if vendor else None,
            vendor_name_en=vendor.name_en if vendor else "",
            county_name=county.name if county else None,
            county_name_en=county.name_en if county else "",
            marks=tuple(CardMark(mark.kind, mark.name, mark.name_en) for mark in page.marks.all()),
            review_count=stats.review_count,
            rating_total=stats.rating_total,
            sold_count=stats.sold_count,
            image=CardImage(picture_fields(image)) if image is not None else None,
        )

    @classmethod
    def from_row(cls, row, marks):
        """The card of a row of `catalogue.product_cards`' values (PRODUCT_CARD_VALUES), `marks` its CardMarks."""
        track_stock, quantity = row["track_stock"], row["stock__quantity"]
        image_fields = tuple(row[f"cover_image__{name}"] for name in IMAGE_VALUES)
        return cls(
            pk=row["pk"],
            url_path=row["url_path"],
            title=row["title"],
            name_en=row["name_en"],
            unit_price=row["unit_price"],
            unit=row["unit"],
            min_order_quantity=row["min_order_quantity"],
            stock_state=stock_state_for(quantity or 0, row["min_order_quantity"]) if track_stock else "untracked",
            vendor_title=row["vendor__title"],
            vendor_name_en=row["vendor__name_en"] or "",
            county_name=row["origin_county__name"],
            county_name_en=row["origin_county__name_en"] or "",
            marks=marks,
            review_count=row["stats__review_count"] or 0,
            rating_total=row["stats__rating_total"] or 0,
            sold_count=row["stats__sold_count"] or 0,
            image=CardImage(image_fields) if image_fields[0] is not None else None,
        )


@dataclass(frozen=True, slots=True)
class VendorCard:
    """What a vendor card shows."""

    pk: int
    url_path: str
    title: str
    name_en: str
    kind: str
    store_tier: str
    tagline: str
    tagline_en: str
    county_name: str | None
    county_name_en: str
    image: CardImage | None

    @classmethod
    def from_page(cls, page):
        county, logo = page.county, page.logo
        return cls(
            pk=page.pk,
            url_path=page.url_path,
            title=page.title,
            name_en=page.name_en,
            kind=page.kind,
            store_tier=page.store_tier,
            tagline=page.tagline,
            tagline_en=page.tagline_en,
            county_name=county.name if county else None,
            county_name_en=county.name_en if county else "",
            image=CardImage(picture_fields(logo)) if logo is not None else None,
        )

    @classmethod
    def from_row(cls, row):
        image_fields = tuple(row[f"logo__{name}"] for name in IMAGE_VALUES)
        return cls(
            pk=row["pk"],
            url_path=row["url_path"],
            title=row["title"],
            name_en=row["name_en"],
            kind=row["kind"],
            store_tier=row["store_tier"],
            tagline=row["tagline"],
            tagline_en=row["tagline_en"],
            county_name=row["county__name"],
            county_name_en=row["county__name_en"] or "",
            image=CardImage(image_fields) if image_fields[0] is not None else None,
        )


# The image columns of PICTURE_FIELDS, as values() names them (`file` is the file's name there).
IMAGE_VALUES = ("id", "file", "file_hash", "width", "height", "focal_point_x", "focal_point_y")
IMAGE_VALUES += ("focal_point_width", "focal_point_height")


def pictures(images, shape=CARD_SHAPE, alt=""):
    """{image pk: the picture's markup} for CardImages, as `responsive_picture` writes it: the kept markup read in one
    cache round trip; only images whose markup is not kept are loaded, with their card renditions (two queries)."""
    from django.core.cache import cache
    from django.db.models import Prefetch
    from wagtail.images import get_image_model

    keys = {image.pk: picture_key(image.fields, shape, alt) for image in images if image is not None}
    found = cache.get_many(list(keys.values())) if keys else {}
    markup = {pk: mark_safe(found[key]) for pk, key in keys.items() if key in found}
    missing = [pk for pk in keys if pk not in markup]
    if missing:
        image_model = get_image_model()
        renditions = image_model.get_rendition_model().objects.filter(filter_spec__in=CARD_RENDITIONS)
        for image in image_model.objects.filter(pk__in=missing).prefetch_related(Prefetch("renditions", renditions)):
            markup[image.pk] = responsive_picture(image, shape, alt)
    return markup


def _display(name, name_en):
    """`display_name` of a bilingual name (cms.models.bilingual)."""
    return name_en if name_en and is_english() else name


@functools.lru_cache(maxsize=8)
def _labels(language):
    """The card's fixed texts in `language` (the active one when called): translated once per process and language."""
    return {
        "in_stock": gettext("In stock"),
        "low": gettext("Only a few left"),
        "sold_out": gettext("Sold out"),
        "untracked": gettext("Made to order"),
        "units": {code: str(label) for code, label in UNIT_CHOICES},
        "kinds": {code: str(label) for code, label in VendorPage.Kind.choices},
        "tiers": {code: str(label) for code, label in VendorPage.StoreTier.choices},
    }


def labels():
    return _labels(get_language())


def _text(value):
    """A value as a template writes it: localized, escaped."""
    return conditional_escape(localize(value))


def _stars(rating):
    """marketplace/reviews/stars.html (market_tags.stars), its closing newline included."""
    filled = int(Decimal(str(rating or 0)).quantize(Decimal("1"), ROUND_HALF_UP))
    label = gettext("%(n)s out of 5 stars") % {"n": _text(rating)}
    return (
        f'<span class="stars" role="img" aria-label="{label}"><span class="stars__on" aria-hidden="true">'
        f'{"★" * filled}</span><span class="stars__off" aria-hidden="true">{"☆" * (5 - filled)}</span></span>\n'
    )


def average_rating(review_count, rating_total):
    """ProductStats.average_rating."""
    if not review_count:
        return None
    return (Decimal(rating_total) / review_count).quantize(Decimal("0.1"))


def product_card_html(card, *, title, page_urls, picture="", heading_level=3):
    """A product card: `title` is its name's markup (escaped, highlighted for the search words), `picture` its cover's
    markup (from `pictures`). The markup of the old marketplace/cards/product_card_body.html, newline included."""
    text = labels()
    unit = escape(text["units"].get(card.unit, card.unit))
    county = f"{escape(_display(card.county_name, card.county_name_en))} · " if card.county_name is not None else ""
    vendor = escape(_display(card.vendor_title, card.vendor_name_en)) if card.vendor_title is not None else ""
    moq = ""
    if card.min_order_quantity > 1:
        moq = gettext("from %(n)s %(unit)s") % {"n": _text(card.min_order_quantity), "unit": unit}
        moq = f' <span class="price__moq">{moq}</span>'
    reviews = ""
    if card.review_count:
        average = average_rating(card.review_count, card.rating_total)
        count = ngettext("%(n)s review", "%(n)s reviews", card.review_count) % {"n": _text(card.review_count)}
        reviews = (
            f'{_stars(average)} <span class="review-summary__average">{_text(average)}</span>'
            f' <span class="meta">{count}</span>'
        )
    if card.sold_count:
        sold = gettext("%(n)s sold") % {"n": _text(card.sold_count)}
        reviews += f' <span class="meta review-summary__sold">{sold}</span>'
    marks = "".join(
        f'<li class="mark mark--{escape(mark.kind)}">{escape(_display(mark.name, mark.name_en))}</li>'
        for mark in card.marks
    )
    media = f'<div class="card__media">{picture}</div>' if card.image is not None else ""
    state = card.stock_state
    return SafeString(
        f'<article class="card card--product">\n  {media}\n  <div class="card__body">\n'
        f'    <p class="card__meta">{county}{vendor}</p>\n'
        f'    <h{heading_level} class="card__title"><a href="{escape(page_urls(card.url_path))}">{title}</a>'
        f"</h{heading_level}>\n"
        f'    <p class="price"><strong>{escape(str(cny(card.unit_price)))}</strong> <span class="price__unit">/ {unit}'
        f"</span>{moq}</p>\n"
        f'    <p class="review-summary review-summary--compact">{reviews}</p>\n'
        f'    <ul class="mark-list">{marks}</ul>\n'
        f'    <p class="stock stock--{escape(state)}">{escape(text.get(state, text["untracked"]))}</p>\n'
        "  </div>\n</article>\n"
    )


def vendor_card_html(card, *, page_urls, picture="", heading_level=3):
    """A vendor card: the markup of the old marketplace/cards/vendor_card.html (whose closing newline its include,
    marketplace/cards/vendor_card.html, still writes)."""
    text = labels()
    county = escape(_display(card.county_name, card.county_name_en)) if card.county_name is not None else ""
    meta = f"{county} · {escape(text['kinds'].get(card.kind, card.kind))}"
    if card.store_tier:
        meta += f" · {escape(text['tiers'].get(card.store_tier, card.store_tier))}"
    tagline = ""
    if card.tagline:
        shown = card.tagline_en if card.tagline_en.strip() and is_english() else card.tagline
        tagline = f'<p class="card__text">{escape(Truncator(shown).chars(80))}</p>'
    media = f'<div class="card__media">{picture}\n</div>' if card.image is not None else ""
    return format_html(
        '<article class="card card--vendor">\n  {}\n  <div class="card__body">\n'
        '    <p class="card__meta">{}</p>\n'
        '    <h{} class="card__title"><a href="{}">{}</a></h{}>\n'
        "    {}\n  </div>\n</article>",
        mark_safe(media),
        mark_safe(meta),
        heading_level,
        page_urls(card.url_path),
        _display(card.title, card.name_en),
        heading_level,
        mark_safe(tagline),
    )
