from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from marketplace import cards

register = template.Library()


def _page_urls(context):
    """One PageUrls (marketplace.cards) per request and language."""
    request = context.get("request")
    if request is None:
        return cards.PageUrls()
    language = get_language()
    found = getattr(request, "_card_page_urls", None)
    if found is None or found[0] != language:
        found = request._card_page_urls = (language, cards.PageUrls(request))
    return found[1]


def _heading_level(context, heading_level=None):
    # The card's title is an <h2> right under a page's <h1> (the product list), an <h3> under a section's <h2>.
    return 2 if (heading_level or context.get("heading_level")) == 2 else 3


def _product_card(context, page, picture_markup, heading_level):
    card = page if isinstance(page, cards.ProductCard) else cards.ProductCard.from_page(page)
    query = str(context.get("query") or "")
    title = highlight(cards._display(card.title, card.name_en), query)
    picture = picture_markup.get(card.image.pk, "") if card.image is not None else ""
    return cards.product_card_html(
        card, title=title, page_urls=_page_urls(context), picture=picture, heading_level=heading_level
    )


@register.simple_tag(takes_context=True)
def product_card(context, page):
    """A product card (marketplace.cards) of a ProductPage loaded for listings or of a ProductCard; its name highlighted
    for the search words (`query` in the context)."""
    card = page if isinstance(page, cards.ProductCard) else cards.ProductCard.from_page(page)
    return _product_card(context, card, cards.pictures([card.image]), _heading_level(context))


@register.simple_tag(takes_context=True)
def product_card_items(context, pages, heading_level=None):
    """`<li>` + card for each product (pages or ProductCards), as `{% include "marketplace/cards/product_card.html" %}`
    in a loop wrote them, with every card's picture read in one cache round trip."""
    products = [page if isinstance(page, cards.ProductCard) else cards.ProductCard.from_page(page) for page in pages]
    picture_markup = cards.pictures([card.image for card in products])
    level = _heading_level(context, heading_level)
    return mark_safe("".join(f"<li>{_product_card(context, card, picture_markup, level)}\n</li>" for card in products))


@register.simple_tag(takes_context=True)
def vendor_card(context, page):
    """A vendor card (marketplace.cards) of a VendorPage or a VendorCard."""
    card = page if isinstance(page, cards.VendorCard) else cards.VendorCard.from_page(page)
    picture_markup = cards.pictures([card.image])
    picture = picture_markup.get(card.image.pk, "") if card.image is not None else ""
    return cards.vendor_card_html(
        card, page_urls=_page_urls(context), picture=picture, heading_level=_heading_level(context)
    )


@register.simple_tag(takes_context=True)
def vendor_card_items(context, pages, heading_level=None):
    """`<li>` + card for each vendor (pages or VendorCards), every logo's picture read in one cache round trip."""
    vendors = [page if isinstance(page, cards.VendorCard) else cards.VendorCard.from_page(page) for page in pages]
    picture_markup = cards.pictures([card.image for card in vendors])
    level, page_urls = _heading_level(context, heading_level), _page_urls(context)
    items = []
    for card in vendors:
        picture = picture_markup.get(card.image.pk, "") if card.image is not None else ""
        html = cards.vendor_card_html(card, page_urls=page_urls, picture=picture, heading_level=level)
        items.append(f"<li>{html}\n</li>")
    return mark_safe("".join(items))


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
    lowered = "".join(map(str.lower, text))
    if len(lowered) == len(text):
        origin = range(len(text))
    else:
        origin = []
        for index, char in enumerate(text):
            origin.extend([index] * len(char.lower()))
    for needle in needles:
        needle = needle.lower()
        start = lowered.find(needle)
        while start != -1:
            for i in range(start, start + len(needle)):
                marked[origin[i]] = True
            start = lowered.find(needle, start + len(needle))
    # Escaped a run at a time, not a character at a time.
    out, start = [], 0
    for index in range(1, len(text) + 1):
        if index == len(text) or marked[index] != marked[start]:
            run = escape(text[start:index])
            out.append(f"<mark>{run}</mark>" if marked[start] else run)
            start = index
    return mark_safe("".join(out))


@register.simple_tag
def county_url(county):
    """URL of a county's page under the market (marketplace/urls.py)."""
    return reverse("market_county", args=[county.slug]) if county is not None else ""


@register.simple_tag
def market_url(route=""):
    """URL of the market page, or of one of its routes such as "products/"."""
    return reverse("market_vendors") + route
