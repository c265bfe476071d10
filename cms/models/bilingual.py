"""Chinese first, English beside it: how content carries its English text.

Every text a visitor reads has a Chinese field (`title`, `intro`, `body`, …) and, where an editor can give
one, an English twin with the suffix `_en` (`name_en` for a page's title, `intro_en`, `body_en`, …). On
English pages the twin is shown when it is filled, otherwise the Chinese text: a missing translation falls
back, it never shows empty. Templates use the `tr` filter (`{{ page|tr:"intro" }}`), Python code
`translated(obj, "intro")`; both work for model instances and StreamField struct values alike.

Why fields and not Wagtail's per-locale page trees (wagtail-localize / simple_translation): orders, stock,
stall bookings and registrations point at one product or fair page by id; a second English tree would
split a product's stock and a fair's bookings between two pages. The English site is the same content in
a second language, so it lives on the same page.
"""

from django.utils.translation import get_language

EN_SUFFIX = "_en"


def is_english(language_code=None):
    return (language_code or get_language() or "").startswith("en")


def _get(obj, name):
    try:
        return obj[name]  # StructValue, dict
    except (TypeError, KeyError):
        return getattr(obj, name, None)


def _filled(value):
    if value is None:
        return False
    if hasattr(value, "raw_data"):  # StreamValue: empty when it has no blocks
        return len(value) > 0
    return bool(str(value).strip())


def translated(obj, field, language_code=None):
    """`obj.<field>_en` on English pages when filled, else `obj.<field>`."""
    if obj is None:
        return ""
    if is_english(language_code):
        english = _get(obj, field + EN_SUFFIX)
        if _filled(english):
            return english
    value = _get(obj, field)
    return "" if value is None else value


def missing_english(obj, fields):
    """Names of the fields whose Chinese text is filled and whose English twin is not."""
    return [f for f in fields if _filled(_get(obj, f)) and not _filled(_get(obj, f + EN_SUFFIX))]


class BilingualNameMixin:
    """Content names are Chinese first with an optional English name (`name_en`).

    `display_name` gives the English name on English pages when there is one, else the Chinese.
    """

    @property
    def display_name(self):
        if self.name_en and is_english():
            return self.name_en
        return self.name

    def __str__(self):
        return self.name


class BilingualTitleMixin(BilingualNameMixin):
    """For pages whose title is the Chinese name, with an optional English `name_en` field."""

    @property
    def name(self):
        return self.title
