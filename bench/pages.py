"""The pages the benchmark measures, in order. The floor (`/healthz`) comes first.

An entry is a BenchPage(name, path): `path` is either a literal path ("/news/") or a callable taking no
arguments that returns a path, or None when there is no such page in the database (the row is then
reported as skipped). Callables run after Django is set up, against the bench database, so they can
query models; `first_live("app.Model")` finds the first live, public page of a Wagtail page model.

Each app's pages live here in bench/, in `bench/<app>_pages.py` with a `PAGES` list (apps never import
bench): `APP_PAGE_MODULES` below names them, and their entries are appended after the ones below.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

# Sent with every page as browsers send it: the page cache answers gzip when it is allowed (cms/page_cache.py),
# so a row measures what a browser gets. The ·identity rows (IDENTITY) measure the uncompressed answer.
BROWSER_HEADERS = (("Accept-Encoding", "gzip, deflate, br"),)


@dataclass(frozen=True)
class BenchPage:
    name: str
    path: str | Callable[[], str | None]
    note: str = ""
    # Extra request headers, e.g. a session cookie; or a callable returning them (run like a path callable).
    headers: tuple[tuple[str, str], ...] | Callable[[], tuple[tuple[str, str], ...]] = ()

    def resolve_headers(self):
        """The page's own headers, after the ones every browser sends (BROWSER_HEADERS) unless it names them."""
        own = tuple(self.headers() if callable(self.headers) else self.headers)
        named = {name.lower() for name, _value in own}
        return (*((name, value) for name, value in BROWSER_HEADERS if name.lower() not in named), *own)

    def resolve(self):
        path = self.path() if callable(self.path) else self.path
        if path is None:
            return None
        parts = urlsplit(path)
        # Page.get_url() gives a full URL when several sites exist; the benchmark wants host-less paths.
        return parts.path + (f"?{parts.query}" if parts.query else "") if parts.scheme else path


def first_live(model_label):
    """A callable returning the URL path of the first live, public page of `model_label` (e.g. "cms.NewsArticlePage").

    Pages in the default locale come first (the Chinese tree, URLs without a language prefix), then by tree
    order. Returns None if the model has no such page.
    """

    def find():
        from django.apps import apps
        from django.utils import translation
        from wagtail.models import Locale

        model = apps.get_model(model_label)
        pages = model.objects.live().public().order_by("path")
        try:
            default = Locale.get_default()
        except Locale.DoesNotExist:
            default = None
        page = (pages.filter(locale=default).first() if default else None) or pages.first()
        if page is None:
            return None
        # The URL prefix (none for Chinese, /en/ for English) follows the active language: use the page's own.
        with translation.override(page.locale.language_code):
            return page.get_url()

    find.__name__ = f"first_live({model_label})"
    find.__qualname__ = find.__name__
    return find


PAGES = [
    BenchPage("bare floor", "/", "a one-line WSGI app (bench/bare.py) on the same gunicorn settings, own hosts"),
    BenchPage("floor", "/healthz", "no database, no template: what gunicorn + Django cost on their own"),
    BenchPage("home", "/"),
    BenchPage("home (en)", "/en/"),
    BenchPage("news index", first_live("cms.NewsIndexPage")),
    BenchPage("news article", first_live("cms.NewsArticlePage")),
    BenchPage("campaign", first_live("cms.CampaignPage")),
    BenchPage("API news", "/api/v2/pages/?type=cms.NewsArticlePage"),
    BenchPage("sitemap", "/sitemap.xml"),
]

FLOOR = "floor"
BARE_FLOOR = "bare floor"
FLOORS = (BARE_FLOOR, FLOOR)

# What `make bench` measures unless --all-pages or --only: the pages of issues #8 and #14, in this order.
CORE = (
    "bare floor",
    "floor",
    "home",
    "product listing",
    "product",
    "search 胡柚",
    "search 胡柚 ·cold",
    "fair",
    "stall map",
    "API products",
    "sitemap",
    "cart",
    "checkout",
    "account",
    "order",
    "canteen dashboard",
    "canteen statement",
    "my stalls",
    "ticket",
    "check-in",
)
# Public pages also measured as a signed-in public buyer with a cart line (·buyer: a session cookie of a real
# account, served from the page cache with the reader's own header), as a canteen member (·canteen: their own
# copy), and rendered by Django (·uncached: a query string longer than the page cache keeps).
UNCACHED = ("home", "product listing", "product", "search 胡柚", "fair", "sitemap")
READER_PAGES = ("home", "product listing", "product", "search 胡柚", "fair")
UNCACHED_SUFFIX = " ·uncached"
# Pages also measured as a client that accepts no compression (`Accept-Encoding: identity`: the page as is).
IDENTITY = ("product",)
IDENTITY_SUFFIX = " ·identity"
# Longer than cms.page_cache.MAX_QUERY_LENGTH: served, never looked up nor stored.
UNCACHED_QUERY = "_uncached=" + "0" * 200


def uncached_variant(page):
    """The same page rendered by Django: a query string the page cache does not keep (see UNCACHED)."""
    note = "a query string longer than the page cache keeps: rendered by Django"

    def path():
        found = page.resolve()
        if found is None:
            return None
        return found + ("&" if "?" in found else "?") + UNCACHED_QUERY

    return BenchPage(page.name + UNCACHED_SUFFIX, path, note, headers=page.headers)


def identity_variant(page):
    """The same page for a client without gzip: its full size on the wire."""
    note = "Accept-Encoding: identity: the page uncompressed"

    def headers():
        own = page.headers() if callable(page.headers) else page.headers
        return (("Accept-Encoding", "identity"), *own)

    return BenchPage(page.name + IDENTITY_SUFFIX, page.path, note, headers=headers)


def reader_variants(page):
    from bench.personal import READERS, as_user

    return [
        BenchPage(page.name + suffix, page.path, f"as {who}: from the page cache, own header", headers=as_user(user))
        for suffix, user, who in READERS
    ]


def _variants(page, uncached, readers):
    out = reader_variants(page) if page.name in readers else []
    if page.name in IDENTITY:
        out.append(identity_variant(page))
    if page.name in uncached:
        out.append(uncached_variant(page))
    return out


def select(pages, *, only=None, all_pages=False, uncached=UNCACHED, readers=READER_PAGES):
    """The pages of a run, in order, each page named in `readers` followed by its signed-in variants
    (·buyer, ·canteen) and each named in `uncached` by its ·uncached variant.

    `only`: just these names (a variant by its own name, e.g. "product ·buyer"), the floors always kept;
    unknown names raise KeyError. Otherwise CORE, or every registered page with all_pages.
    """
    names = [p.name for p in pages]
    variants = {v.name for p in pages for v in _variants(p, uncached, readers)}
    if only:
        wanted = {FLOOR, *only, *({BARE_FLOOR} & set(names))}
        unknown = sorted(wanted - set(names) - variants)
        if unknown:
            raise KeyError(", ".join(unknown))
    else:
        base = set(names) if all_pages else set(CORE)
        wanted = base | {v.name for p in pages if p.name in base for v in _variants(p, uncached, readers)}
    order = (
        list(pages)
        if (only or all_pages)
        else sorted((p for p in pages if p.name in CORE), key=lambda p: CORE.index(p.name))
    )
    out = []
    for page in order:
        if page.name in wanted:
            out.append(page)
        out.extend(v for v in _variants(page, uncached, readers) if v.name in wanted)
    return out


# One module a measured app, in INSTALLED_APPS order (the apps never import bench; see .importlinter).
APP_PAGE_MODULES = ("bench.marketplace_pages", "bench.events_pages")


def app_pages():
    """Entries from the `PAGES` list of every module in APP_PAGE_MODULES."""
    found = []
    for module_name in APP_PAGE_MODULES:
        found.extend(importlib.import_module(module_name).PAGES)
    return found


def registry():
    """All pages to measure: the ones above, then those the apps register. Names must be unique."""
    from bench import personal

    pages = [*PAGES, *app_pages(), *personal.PAGES]
    seen = set()
    for page in pages:
        if page.name in seen:
            raise ValueError(f"two benchmark pages are called {page.name!r}")
        seen.add(page.name)
    return pages
