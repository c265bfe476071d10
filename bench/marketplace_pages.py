"""The catalogue pages the benchmark measures (see bench/README.md): listing, filters, detail pages, search, API."""

from urllib.parse import quote

from bench.pages import UNCACHED_QUERY, BenchPage, first_live

# A search nobody asked: the page cache bypassed (a query string longer than it keeps) and, through a header that
# only the bench's settings honour (bench/settings.py, marketplace.views.SEARCH_AFRESH_HEADER), no kept results
# section, ranking or product card read: ranked, loaded and rendered as for a new query, every request.
SEARCH_COLD = BenchPage(
    "search 胡柚 ·cold",
    f"/search/?q={quote('胡柚')}&{UNCACHED_QUERY}",
    "page cache bypassed, X-Bench-Search-Afresh: ranked and rendered for every request",
    headers=(("X-Bench-Search-Afresh", "1"),),
)

PAGES = [
    BenchPage("product listing", "/market/products/"),
    BenchPage("product listing: fruit by price", "/market/products/?category=fruit&sort=price"),
    BenchPage("product", first_live("marketplace.ProductPage")),
    BenchPage("vendor", first_live("marketplace.VendorPage")),
    BenchPage("county", "/market/county/changshan/"),
    BenchPage("search 胡柚", f"/search/?q={quote('胡柚')}"),
    SEARCH_COLD,
    BenchPage(
        "API products",
        "/api/v2/pages/?type=marketplace.ProductPage&fields=unit_price,stock_state,county_info",
    ),
]
