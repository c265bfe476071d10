"""marketplace's demo data, loaded by `manage.py load_demo` after cms's (see cms/demo/__init__.py for the protocol).

- the two-level product categories of the facts file;
- the market page (VendorIndexPage, slug "market") under the home page;
- about thirty approved vendors in Quzhou's six counties and in Lishui, with logos, stories and marks;
- every product of the facts file (and a few more) under a vendor of its county, with prices, stock,
  tier prices, images, marks and food-safety details;
- featured products and vendors on the home page, and a vendor login (`vendor`) for the 常山胡柚 co-op;
- two canteen buyer units with a member in each role and a year of orders (canteen.py);
- shipping rules (运费模板) for every vendor, and a demo buyer with orders paid, shipped and received (shipping.py);
- approved reviews (评价) of the demo products from five demo buyers' received orders, some with replies (reviews.py);
- with `--scale N`, N generated products under N/100 generated vendors, inserted in bulk (generated.py).

Demo products and vendors are indexed for search synchronously at the end, whatever TASKS backend is
configured: with the database backend and no worker, Wagtail's queued index tasks would never run.
"""

from cms.demo import Tally

from .canteen import load_canteens
from .content import (
    ensure_vendor_user,
    feature_on_home,
    load_categories,
    load_market,
    load_products,
    load_vendors,
)
from .data import VENDORS
from .generated import index_now, load_generated
from .images import load_logos, load_product_pictures
from .reviews import load_reviews
from .shipping import load_buyer_orders, load_shipping_rules


def load(*, scale, stdout):
    from marketplace.models import ProductPage, VendorPage

    tally = Tally("marketplace")
    categories = load_categories(tally)
    pictures = load_product_pictures(tally)
    logos = load_logos(VENDORS, tally)
    market = load_market(tally)
    vendors = load_vendors(market, logos, tally)
    products = load_products(vendors, categories, pictures, tally)
    feature_on_home(market, vendors, products, tally)
    ensure_vendor_user(vendors, tally, stdout)
    load_canteens(products, tally, stdout)
    if tally.counts.get("vendors", {}).get("created") or tally.counts.get("products", {}).get("created"):
        index_now(VendorPage, list(VendorPage.objects.filter(pk__in=[v.pk for v in vendors.values()])))
        index_now(ProductPage, list(ProductPage.objects.filter(pk__in=[p.pk for p in products])))
    if scale:
        load_generated(market, scale, categories, pictures, logos, tally)
    load_shipping_rules(tally)
    load_buyer_orders(products, tally, stdout)
    load_reviews(products, tally)
    tally.write(stdout)
