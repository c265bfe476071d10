"""Template tags for the site shell: money, language switch, main menu, absolute URLs and sharing images."""

import hashlib
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.template.loader import get_template
from django.urls import get_urlconf, translate_url
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info, to_locale
from wagtail.models import Page, Site

from cms import personal_cache, shell_cache
from cms.models.bilingual import is_english, translated
from cms.restrictions import public

register = template.Library()

CENT = Decimal("0.01")

# Open Graph wants a territory, which our language codes do not carry.
OG_LOCALES = {"zh-hans": "zh_CN", "en": "en_US"}


@register.filter
def cny(value):
    """Format an amount of yuan as "¥1,280.00": two places, half-up rounding, thousands separators.

    None and "" give ""; anything that is not a number is returned unchanged, as Django filters do.
    """
    if value is None or value == "":
        return ""
    try:
        # str() first so that floats give the decimal the user typed, not their binary expansion.
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return value
    if not amount.is_finite():
        return value
    sign = "-" if amount < 0 else ""  # -0.001 rounds to 0.00, which must not show as "-¥0.00"
    return f"{sign}¥{abs(amount):,.2f}"


@register.filter
def grouped(value):
    """A count with thousands separators in every language: 12345 → "12,345" (Django's intcomma groups nothing
    in zh-hans, whose THOUSAND_SEPARATOR is empty). None and "" give ""; anything that is not a whole number is
    returned unchanged."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return value
    if not number.is_finite() or number != number.to_integral_value():
        return value
    return f"{int(number):,}"


@register.filter
def tr(obj, field):
    """`{{ page|tr:"intro" }}`: the field's English twin (`intro_en`) on English pages when filled, else the
    Chinese field. Works for pages, models, settings and StreamField struct values (cms/models/bilingual.py)."""
    return translated(obj, field)


@register.filter
def page_title(page):
    """A page's title in the current language: the English name on English pages (falling back to the
    Chinese title), the SEO title or title on Chinese pages."""
    if page is None:
        return ""
    if is_english():
        return getattr(page, "name_en", "") or page.title
    return page.seo_title or page.title


@register.filter
def percent(value, places=0):
    """A ratio as a percentage: 0.14 → "14%", 0.125|percent:1 → "12.5%" (half-up). None and "" give ""."""
    if value is None or value == "":
        return ""
    try:
        ratio = Decimal(str(value)) * 100
        places = int(places)
    except (InvalidOperation, ValueError, TypeError):
        return value
    if not ratio.is_finite():
        return value
    return f"{ratio.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}%"


# Status codes of orders, parts, bookings, registrations and applications → the tone of their badge.
STATUS_TONES = {
    "ok": {
        "paid",
        "confirmed",
        "completed",
        "delivered",
        "shipped",
        "approved",
        "verified",
        "succeeded",
        "open",
        "signed",
    },
    "warn": {"awaiting_approval", "pending_payment", "pending", "held", "offered", "submitted", "to_ship"},
    "info": {"partly_shipped", "waitlisted", "review"},
    "bad": {"rejected", "failed", "lapsed"},
    "muted": {"cancelled", "refunded", "released", "withdrawn", "finished", "closed", "draft"},
}
_TONE_OF = {status: tone for tone, statuses in STATUS_TONES.items() for status in statuses}


@register.filter
def status_tone(status):
    """CSS modifier for a status badge: "status status--ok" for "paid", plain "status" for an unknown code."""
    tone = _TONE_OF.get(str(status))
    return f"status status--{tone}" if tone else "status"


# (model field, language) -> {choice value: its label as a string}
_CHOICE_LABELS = {}


@register.filter
def choice_display(obj, field_name):
    """`{{ order|choice_display:"status" }}`: what `order.get_status_display` says, for rows in a loop. Django's
    method rebuilds the field's whole choice list and hashes every (lazy) label, a translation each, on every
    call: ≈ 0.1 ms a row. The labels are worked out once per field and language; choices are class-level."""
    field = obj._meta.get_field(field_name)
    key = (field, get_language())
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        labels = _CHOICE_LABELS[key] = {
            make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices
        }
    value = getattr(obj, field.attname)
    found = labels.get(make_hashable(value), _MISSING)
    return force_str(value, strings_only=True) if found is _MISSING else found


_MISSING = object()


@register.filter
def html_lang(language_code):
    """BCP 47 tag for `lang` and `hreflang` attributes: "zh-hans" → "zh-Hans", "en" → "en"."""
    return to_locale(language_code or settings.LANGUAGE_CODE).replace("_", "-")


@register.simple_tag
def og_locale(language_code=None):
    code = (language_code or get_language() or settings.LANGUAGE_CODE).lower()
    return OG_LOCALES.get(code, to_locale(code))


@register.simple_tag(takes_context=True)
def language_links(context):
    """(code, name, url, is_current) for each language, each url pointing at the current page in that language.

    Names are in their own language ("English", "简体中文"), as a reader who cannot read the current one expects.
    """
    request = context.get("request")
    current = get_language() or settings.LANGUAGE_CODE
    full_path = request.get_full_path() if request else "/"
    links = []
    for code, _name in settings.LANGUAGES:
        name = get_language_info(code)["name_local"]
        links.append((code, name, _translated_url(request, full_path, code), code == current))
    return links


# (url, language code, active language, URLconf) -> translate_url's answer, as worked out lately in this process.
_TRANSLATED_URLS = {}
TRANSLATED_URLS_LIMIT = 2048


def _translated_url(request, url, code):
    """translate_url(url, code), worked out once per URL in this process: every rendered page asks for its URL in
    each language (the head's alternate links, the language switch), each a resolve and a reverse (≈ 0.3 ms a
    page). The answer follows from the URL, the languages and the URLconf alone, all in the key. Bounded, as URLs
    are the client's to choose: when full it starts again empty."""
    memo_key = (url, code, get_language(), get_urlconf(settings.ROOT_URLCONF))
    found = _TRANSLATED_URLS.get(memo_key)
    if found is None:
        found = translate_url(url, code)
        if len(_TRANSLATED_URLS) >= TRANSLATED_URLS_LIMIT:
            _TRANSLATED_URLS.clear()
        _TRANSLATED_URLS[memo_key] = found
    return found


@register.simple_tag(takes_context=True)
def alternate_links(context):
    """(hreflang, absolute url) for the <link rel="alternate"> tags, plus x-default for the Chinese page."""
    request = context.get("request")
    if request is None:
        return []
    links = []
    for code, _name in settings.LANGUAGES:
        links.append((html_lang(code), request.build_absolute_uri(_translated_url(request, request.path, code))))
    default = request.build_absolute_uri(_translated_url(request, request.path, settings.LANGUAGE_CODE))
    links.append(("x-default", default))
    return links


@register.simple_tag(takes_context=True)
def absolute_url(context, url=None):
    """`url` (the current path when omitted) as an absolute URL on the host the reader used."""
    request = context.get("request")
    if request is None:
        return url or ""
    return request.build_absolute_uri(url if url is not None else request.path)


@register.simple_tag(takes_context=True)
def main_menu(context):
    """Live, in-menu children of the current site's root page, in one query.

    Not filtered with .public(), which costs a query of its own; a login-restricted page may appear and asks
    the reader to log in, as Wagtail's own menus do.

    Each item is a dict with `title`, `url`, `is_current` (this very page) and `in_section` (this page or below).
    """
    request = context.get("request")
    if request is None:
        return []
    site = Site.find_for_request(request)
    if site is None:
        return []

    # The menu's pages and URLs come from the shell cache; only "where am I" is worked out per request.
    def load():
        children = site.root_page.get_children().live().in_menu().order_by("path")
        if is_english():
            # English names live in each page type's table: one more query per type, then cached.
            children = children.specific()
        else:
            children = children.only("id", "title", "url_path", "path", "depth", "live")
        return [(getattr(child, "name_en", "") or child.title, child.get_url(request)) for child in children]

    items = []
    for title, url in shell_cache.get_or_set(("menu", site.pk, get_language()), load):
        if not url:
            continue
        items.append(
            {
                "title": title,
                "url": url,
                "is_current": request.path == url,
                # Menu items are never the site root, so a prefix match means "in this section".
                "in_section": request.path.startswith(url),
            }
        )
    return items


@register.simple_tag(takes_context=True)
def og_image(context, page):
    """The page's sharing image as a 1200×630 JPEG: a dict of absolute `url`, `width`, `height`, or None."""
    get_og_image = getattr(page, "get_og_image", None)
    image = get_og_image() if get_og_image else None
    if image is None:
        return None
    rendition = image.get_rendition("fill-1200x630|format-jpeg")
    request = context.get("request")
    url = request.build_absolute_uri(rendition.url) if request else rendition.url
    return {"url": url, "width": rendition.width, "height": rendition.height, "alt": rendition.alt}


@register.simple_tag
def footer_links(site_settings):
    """Footer links as (label, href) pairs, from the shell cache."""
    if not site_settings or not getattr(site_settings, "pk", None):
        return []

    def load():
        return [
            {"label": translated(link, "label"), "href": link.href}
            for link in site_settings.footer_links.select_related("page")
        ]

    return shell_cache.get_or_set(("footer", site_settings.pk, get_language()), load)


@register.simple_tag
def site_name(site_settings, language_code=None):
    """The site name in the current language: the English one on English pages when it is set."""
    code = language_code or get_language() or ""
    if site_settings is None:
        return settings.WAGTAIL_SITE_NAME
    if code.startswith("en") and site_settings.site_name_en:
        return site_settings.site_name_en
    return site_settings.site_name


PICTURE_TEMPLATE = "cms/includes/picture_tag.html"
PICTURE_CACHE_SECONDS = 60 * 60 * 24


# What a picture's markup follows from, in this order: see `responsive_picture`.
PICTURE_FIELDS = (
    "pk",
    "file",
    "file_hash",
    "width",
    "height",
    "focal_point_x",
    "focal_point_y",
    "focal_point_width",
    "focal_point_height",
)


def picture_fields(image):
    """An image's PICTURE_FIELDS (its file by name)."""
    return (image.pk, image.file.name, *(getattr(image, name) for name in PICTURE_FIELDS[2:]))


def picture_key(fields, shape, alt):
    """The cache key of a picture's markup from its image's PICTURE_FIELDS (for callers holding plain rows, such as
    the search's product cards, who read many in one round trip)."""
    parts = (*fields, shape, str(alt))
    return "cms:picture:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


@register.simple_tag
def responsive_picture(image, shape, alt):
    """The <picture> of cms/includes/picture_tag.html, rendered once per image version, shape and alt text.

    Rendering one costs six rendition lookups (AVIF, WebP and JPEG at two or three sizes), each parsing
    its filter spec again. The key holds everything the markup follows from: the image's file (name and
    hash: a new upload is a new key), its size and focal point (whose change makes new renditions).
    """
    key = picture_key(picture_fields(image), shape, alt)
    html = cache.get(key)
    if html is None:
        html = get_template(PICTURE_TEMPLATE).render({"image": image, "shape": shape, "image_alt": alt})
        cache.set(key, html, PICTURE_CACHE_SECONDS)
    return mark_safe(html)


@register.filter
def live_specific(pages):
    """The live pages of a chooser list (pages or page ids) as their specific classes, in the editor's order.

    One query per page type, not per page; a page type that defines `card_queryset(queryset)` (a
    classmethod) also loads what its card shows (images, vendor, marks) in that same fixed number.
    Unpublished or deleted pages drop out.
    """
    ids = [p if isinstance(p, int) else p.pk for p in pages if p is not None]
    if not ids:
        return []
    types = public(Page.objects.live()).filter(pk__in=ids).values_list("pk", "content_type_id")
    ids_by_type = {}
    for pk, content_type_id in types:
        ids_by_type.setdefault(content_type_id, []).append(pk)
    by_id = {}
    for content_type_id, type_ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        queryset = model.objects.filter(pk__in=type_ids)
        optimise = getattr(model, "card_queryset", None)
        by_id.update((page.pk, page) for page in (optimise(queryset) if optimise else queryset))
    return [by_id[pk] for pk in ids if pk in by_id]


@register.filter
def page_ids(links):
    """`page_id` of each row of an orderable of page links, such as a campaign's related pages."""
    return [link.page_id for link in links]


@register.simple_tag
def date_range_status(start, end=None):
    """ "upcoming", "running" or "ended" for a period from `start` to `end` (inclusive; open-ended if None)."""
    today = timezone.localdate()
    if start and today < start:
        return "upcoming"
    if end and end < today:
        return "ended"
    return "running"


@register.simple_tag
def wagtail_site_name():
    """WAGTAIL_SITE_NAME, for the admin's browser-tab title."""
    return settings.WAGTAIL_SITE_NAME


HEADER_LINKS_HOOK = "register_header_links"


@register.simple_tag(takes_context=True)
def header_links(context):
    """Links other apps put in the header for the logged-in reader (a canteen member's unit, …).

    Each `register_header_links` hook is called with the request and returns a list of dicts with `url`,
    `label` and `name` (a class suffix). Visitors get none and cost nothing: the header of cached pages is
    shared by every anonymous visitor, so these links must never appear there.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not getattr(user, "is_authenticated", False):
        return []
    from wagtail import hooks

    links = []
    for hook in hooks.get_hooks(HEADER_LINKS_HOOK):
        links.extend(hook(request) or ())
    return links


class ShellFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context):
        if settings.DEBUG:  # templates are edited live (no cached loader): so is their markup
            return self.nodelist.render(context)
        parts = (self.name, get_language(), *(str(v.resolve(context)) for v in self.vary_on))
        return mark_safe(shell_cache.fragment(parts, lambda: self.nodelist.render(context)))  # noqa: S308


@register.tag
def shell_fragment(parser, token):
    """`{% shell_fragment "footer" site_settings.pk %}…{% endshell_fragment %}`: markup of the site shell rendered
    once per process, name, language and the values given, under the shell cache's version (so until the next
    publish, move, delete or settings save; `shell_cache.fragment`). Every request used to render the header and
    footer afresh (≈ 1–2 ms: the menu's and footer's loops, translations, static() URLs). Only for what is the same
    for every reader of the site in that language: never a CSRF token, nonce, name, cart, query or the path."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("shell_fragment needs a name")
    nodelist = parser.parse(("endshell_fragment",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return ShellFragmentNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])


@register.filter
def menu_marks(items):
    """Where the reader is in the main menu (main_menu's items), the part of its markup that differs by page, as a
    short key: "c" this item's page, "s" in its section, "-" neither."""
    return "".join("c" if item["is_current"] else "s" if item["in_section"] else "-" for item in items)


@register.simple_tag(takes_context=True)
def personal_header(context):
    """The header's account and cart links (cms/accounts/header_links.html) for this reader, from their entry in
    cms.personal_cache when it is there (what a page from the page cache shows them, kept until their cart, name
    or memberships change): no cart count, no membership query, no render. Rendered here otherwise (staff,
    waiting messages, no request)."""
    request = context.get("request")
    session = getattr(request, "session", None)
    if session is not None:
        found = personal_cache.reader(request, session, get_language() or settings.LANGUAGE_CODE)
        if found is not None:
            return mark_safe(found[1])  # noqa: S308 (rendered by the template engine, escaped there)
    return context.template.engine.get_template(personal_cache.TEMPLATE).render(context)


@register.filter
def account_name(user):
    """The name the header shows a signed-in person: their full name, else their username; a mobile number
    or an e-mail address used as the username is masked (138****0000, z***@…), as the header may be seen by
    people standing by."""
    from cms.phone import mask_phone

    name = (user.get_full_name() or "").strip() if hasattr(user, "get_full_name") else ""
    if name:
        return name
    username = str(user.get_username()) if hasattr(user, "get_username") else ""
    digits = username.lstrip("+").replace(" ", "").replace("-", "")
    if digits.isdigit() and len(digits) >= 7:
        return mask_phone(digits)
    if "@" in username:
        local = username.split("@", 1)[0]
        return (local[:1] + "***") if local else "***"
    return username
