import hashlib
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.core.cache import cache
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from cms import shell_cache

register = template.Library()

PRODUCT_CARD_TEMPLATE = "marketplace/cards/product_card_body.html"
CARD_CACHE_SECONDS = 60 * 60 * 6


def product_card_key(page, *, site_id=None):
    """Cache key of a product card: a digest of everything the card shows, so it can never be stale.

    Names, price, unit, stock state, vendor, county, marks, counters (reviews, rating, sold), URL path and cover
    image (file and focal point, from which its renditions follow) come from rows the listing loaded anyway; the shell
    cache's version changes on every publish, move or site change; the language completes it. The search words
    are not in it: the name, highlighted for them, goes into the kept card's title slot each time (TITLE_SLOT), so
    one card serves the listings and every search that shows the product.
    """
    image = page.cover_image if page.cover_image_id else None
    vendor = page.vendor
    county = page.origin_county
    parts = (
        page.pk,
        page.title,
        page.name_en,
        page.url_path,
        str(page.unit_price),
        page.unit,
        page.min_order_quantity,
        page.stock_state,
        (
            (image.pk, image.file.name, image.width, image.height, image.focal_point_x, image.focal_point_y)
            + (image.focal_point_width, image.focal_point_height)
        )
        if image
        else None,
        (vendor.pk, vendor.title, vendor.name_en) if vendor else None,
        (county.pk, county.name, county.name_en) if county else None,
        [(mark.pk, mark.name, mark.name_en, mark.kind) for mark in page.marks.all()],
        (page.counters.review_count, page.counters.rating_total, page.counters.sold_count),
        site_id,
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"market:card:{shell_cache.version()}:{get_language()}:{digest}"


# Where the card's name goes (highlighted for the search words, if any) in a kept card.
TITLE_SLOT = mark_safe("<!--card-title-->")


@register.simple_tag(takes_context=True)
def product_card(context, page):
    """A product card, rendered once per content and language and then served from the cache."""
    from wagtail.models import Site

    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    query = str(context.get("query") or "")
    # The card's title is an <h2> right under a page's <h1> (the product list), an <h3> under a section's <h2>.
    heading_level = 2 if context.get("heading_level") == 2 else 3
    key = f"{product_card_key(page, site_id=site.pk if site else None)}:h{heading_level}"
    # The bench's cold-search row renders every card again (marketplace.views.SEARCH_AFRESH_HEADER).
    html = None if context.get("cards_afresh") else cache.get(key)
    if html is None:
        html = get_template(PRODUCT_CARD_TEMPLATE).render(
            {"page": page, "request": request, "heading_level": heading_level, "title_slot": TITLE_SLOT}
        )
        cache.set(key, html, CARD_CACHE_SECONDS)
    return mark_safe(html.replace(TITLE_SLOT, highlight(page.display_name, query), 1))


@register.inclusion_tag("marketplace/reviews/stars.html")
def stars(rating):
    """A row of five stars for a rating (1–5, or an average such as 4.5, drawn rounded), read out as "4.5 of 5"."""
    filled = int(Decimal(str(rating or 0)).quantize(Decimal("1"), ROUND_HALF_UP))
    return {"rating": rating, "on": "★" * filled, "off": "☆" * (5 - filled)}


@register.filter
def highlight(text, query):
    """Wrap the parts of `text` that the search query matched in <mark>, escaping everything else."""
    text = str(text)
    if not query:
        return escape(text)
    needles = sorted({part for part in str(query).split() if part}, key=len, reverse=True)
    marked = [False] * len(text)
    # Lower-case character by character, remembering where each lower-case character came from: some
    # characters grow when lower-cased ("İ" → "i̇"), so positions in `text.lower()` are not positions in `text`.
    origin = []
    for index, char in enumerate(text):
        origin.extend([index] * len(char.lower()))
    lowered = "".join(char.lower() for char in text)
    for needle in needles:
        needle = needle.lower()
        start = lowered.find(needle)
        while start != -1:
            for i in range(start, start + len(needle)):
                marked[origin[i]] = True
            start = lowered.find(needle, start + len(needle))
    out, inside = [], False
    for char, is_marked in zip(text, marked, strict=True):
        if is_marked != inside:
            out.append("<mark>" if is_marked else "</mark>")
            inside = is_marked
        out.append(escape(char))
    if inside:
        out.append("</mark>")
    return mark_safe("".join(out))


@register.simple_tag
def county_url(county):
    """URL of a county's page under the market (marketplace/urls.py)."""
    return reverse("market_county", args=[county.slug]) if county is not None else ""


@register.simple_tag
def market_url(route=""):
    """URL of the market page, or of one of its routes such as "products/"."""
    return reverse("market_vendors") + route
