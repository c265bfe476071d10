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


@dataclass(frozen=True)
class BenchPage:
    name: str
    path: str | Callable[[], str | None]
    note: str = ""
    headers: tuple[tuple[str, str], ...] = ()  # extra request headers, e.g. a session cookie

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

# What `make bench` measures unless --all-pages or --only: the pages of issue #8, in this order.
CORE = (
    "floor",
    "home",
    "product listing",
    "product",
    "search 胡柚",
    "fair",
    "stall map",
    "API products",
    "sitemap",
)
# Pages also measured with a session cookie: a request that carries one is never served from a cache of
# anonymous pages, so this row is the page rendered by Django (the "uncached" figure).
UNCACHED = ("home", "product listing", "product", "search 胡柚", "fair", "sitemap")
UNCACHED_SUFFIX = " ·session"
SESSION_HEADERS = (("Cookie", "sessionid=bench-no-such-session"),)


def uncached_variant(page):
    """The same page requested with a session cookie (see UNCACHED)."""
    note = "with a session cookie: past any cache of anonymous pages"
    return BenchPage(page.name + UNCACHED_SUFFIX, page.path, note, headers=SESSION_HEADERS)


def select(pages, *, only=None, all_pages=False, uncached=UNCACHED):
    """The pages of a run, in order, each page named in `uncached` followed by its session-cookie variant.

    `only`: just these names (a variant by its own name, e.g. "product ·session"), the floor always kept;
    unknown names raise KeyError. Otherwise CORE, or every registered page with all_pages.
    """
    names = [p.name for p in pages]
    variants = {name + UNCACHED_SUFFIX for name in names if name in uncached}
    if only:
        wanted = {FLOOR, *only}
        unknown = sorted(wanted - set(names) - variants)
        if unknown:
            raise KeyError(", ".join(unknown))
    else:
        base = set(names) if all_pages else set(CORE)
        wanted = base | {name + UNCACHED_SUFFIX for name in base if name in uncached}
    order = (
        list(pages)
        if (only or all_pages)
        else sorted((p for p in pages if p.name in CORE), key=lambda p: CORE.index(p.name))
    )
    out = []
    for page in order:
        if page.name in wanted:
            out.append(page)
        if page.name + UNCACHED_SUFFIX in wanted and page.name + UNCACHED_SUFFIX in variants:
            out.append(uncached_variant(page))
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
    pages = [*PAGES, *app_pages()]
    seen = set()
    for page in pages:
        if page.name in seen:
            raise ValueError(f"two benchmark pages are called {page.name!r}")
        seen.add(page.name)
    return pages
