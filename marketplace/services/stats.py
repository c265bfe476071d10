"""A product's counters (ProductStats): approved reviews and their ratings, and units sold.

Called by the services that change what is counted, inside their transaction: the reviews services when a
review is approved or taken down, checkout when a vendor part is received (确认收货, by the buyer, automatically,
by staff, or a canteen's inspection) and when received lines are refunded. Each change is one
`UPDATE … SET n = n + d` per product (in product id order, after the caller's order locks), and the page cache
is bumped so product pages and cards show the new numbers at once.
"""

from collections import Counter

from django.apps import apps
from django.db.models import Count, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from cms import page_cache

from ..models import ProductStats


def add(product_id, *, reviews=0, rating=0, sold=0):
    """Add to one product's counters (negative numbers take away; a counter never goes below 0)."""
    if not product_id or not (reviews or rating or sold):
        return
    ProductStats.objects.bulk_create([ProductStats(product_id=product_id)], ignore_conflicts=True)
    ProductStats.objects.filter(product_id=product_id).update(
        review_count=Greatest(F("review_count") + reviews, Value(0)),
        rating_total=Greatest(F("rating_total") + rating, Value(0)),
        sold_count=Greatest(F("sold_count") + sold, Value(0)),
    )
    page_cache.bump()


def count_sold(quantities):
    """`quantities`: {product id: units} received (positive) or refunded after receipt (negative)."""
    for product_id, units in sorted(quantities.items()):
        add(product_id, sold=units)


def received_units(lines):
    """{product id: units still kept} of product lines being received: each line's quantity less its refunds."""
    units = Counter()
    for line in lines:
        if line.product_id and line.kind == "product" and line.quantity > line.refunded_quantity:
            units[line.product_id] += line.quantity - line.refunded_quantity
    return dict(units)


def recount(product_ids=None):
    """Recompute the counters from the orders and reviews (demo data loaded in bulk, or a repair).
    Returns how many products were counted."""
    from ..models import ProductPage, Review

    # Checkout builds on this app: its models come from the app registry (an import would be a package cycle).
    OrderLine = apps.get_model("checkout", "OrderLine")
    VendorOrder = apps.get_model("checkout", "VendorOrder")

    products = ProductPage.objects.all()
    if product_ids is not None:
        products = products.filter(pk__in=list(product_ids))
    ids = list(products.values_list("pk", flat=True))
    sold = dict(
        OrderLine.objects.filter(product_id__in=ids, kind="product", vendor_order__status=VendorOrder.Status.DELIVERED)
        .values("product_id")
        .annotate(n=Sum(F("quantity") - F("refunded_quantity"), output_field=IntegerField()))
        .values_list("product_id", "n")
    )
    approved = Q(status=Review.Status.APPROVED)
    reviews = {
        row["product_id"]: row
        for row in Review.objects.filter(product_id__in=ids)
        .values("product_id")
        .annotate(count=Count("pk", filter=approved), total=Coalesce(Sum("rating", filter=approved), 0))
    }
    rows = [
        ProductStats(
            product_id=pk,
            sold_count=sold.get(pk) or 0,
            review_count=reviews.get(pk, {}).get("count", 0),
            rating_total=reviews.get(pk, {}).get("total", 0),
        )
        for pk in ids
    ]
    ProductStats.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["product"],
        update_fields=["sold_count", "review_count", "rating_total"],
    )
    page_cache.bump()
    return len(rows)
