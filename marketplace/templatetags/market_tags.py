from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def highlighted(context, text):
    """`text` with the words of the current search (`query` in the context, if any) marked."""
    return highlight(text, context.get("query", ""))


@register.filter
def highlight(text, query):
    """Wrap the parts of `text` that the search query matched in <mark>, escaping everything else."""
    text = str(text)
    if not query:
        return escape(text)
    needles = sorted({part for part in str(query).split() if part}, key=len, reverse=True)
    marked = [False] * len(text)
    lowered = text.lower()
    for needle in needles:
        start = lowered.find(needle.lower())
        while start != -1:
            for i in range(start, start + len(needle)):
                marked[i] = True
            start = lowered.find(needle.lower(), start + len(needle))
    out, inside = [], False
    for char, is_marked in zip(text, marked, strict=True):
        if is_marked != inside:
            out.append("<mark>" if is_marked else "</mark>")
            inside = is_marked
        out.append(escape(char))
    if inside:
        out.append("</mark>")
    return mark_safe("".join(out))


@register.simple_tag(takes_context=True)
def county_url(context, county):
    """URL of a county's page under the market, without loading the market page each time."""
    if county is None:
        return ""
    market_url = _market_url(context.get("request"))
    return f"{market_url}county/{county.slug}/" if market_url else ""


@register.simple_tag(takes_context=True)
def market_url(context, route=""):
    """URL of the market page, or of one of its routes such as "products/"."""
    base = _market_url(context.get("request"))
    return f"{base}{route}" if base else ""


def _market_url(request):
    from django.utils.translation import get_language
    from wagtail.models import Site

    from cms import shell_cache
    from marketplace.models import VendorIndexPage

    site = Site.find_for_request(request) if request else Site.objects.filter(is_default_site=True).first()
    if site is None:
        return ""

    def load():
        market = VendorIndexPage.objects.live().descendant_of(site.root_page).first()
        return (market.get_url(request) if market else "") or ""

    return shell_cache.get_or_set(("market-url", site.pk, get_language()), load)
