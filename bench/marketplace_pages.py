"""The catalogue pages the benchmark measures (see bench/README.md): listing, filters, detail pages, search, API."""

from urllib.parse import quote

from bench.pages import BenchPage, first_live

PAGES = [
    BenchPage("product listing", "/market/products/"),
    BenchPage("product listing: fruit by price", "/market/products/?category=fruit&sort=price"),
    BenchPage("product", first_live("marketplace.ProductPage")),
    BenchPage("vendor", first_live("marketplace.VendorPage")),
    BenchPage("county", "/market/county/changshan/"),
    BenchPage("search 胡柚", f"/search/?q={quote('胡柚')}"),
    BenchPage(
        "API products",
        "/api/v2/pages/?type=marketplace.ProductPage&fields=unit_price,stock_state,county_info",
    ),
]
