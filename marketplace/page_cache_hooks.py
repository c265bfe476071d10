"""Keep cached pages (cms.page_cache) true to each product's stock state and each fair's stalls, and the
personal parts (cms.personal_cache) true to each reader's cart and vendor memberships.

Pages show a product's state (in stock / only a few left / sold out), not its count. A stock change
bumps the page cache only when it moves a product into another state, so a checkout rush does not
empty the cache on every order; counts shown anywhere are at most PAGE_CACHE_SECONDS old.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from cms import page_cache, personal_cache

from .models import ProductStock, VendorMember, stock_state_for

STATE_KEY = "marketplace:stock-state:{}"
STATE_SECONDS = 60 * 60 * 24


def stock_changed(product_ids):
    if page_cache.enabled() and product_ids:
        ids = list(product_ids)
        transaction.on_commit(lambda: check_states(ids))


def check_states(product_ids):
    """Compare the products' committed stock states with the last ones seen; bump the page cache if any moved."""
    rows = ProductStock.objects.filter(product_id__in=product_ids, product__track_stock=True).values_list(
        "product_id", "quantity", "product__min_order_quantity"
    )
    states = {STATE_KEY.format(pk): stock_state_for(quantity, minimum) for pk, quantity, minimum in rows}
    if not states:
        return
    known = cache.get_many(list(states))
    if known != states:
        # A state we have not seen before counts as a change: the cached pages may show another one.
        cache.set_many(states, STATE_SECONDS)
        page_cache.bump()


def _stock_row_saved(sender, instance, **kwargs):
    stock_changed([instance.product_id])


post_save.connect(_stock_row_saved, sender=ProductStock, dispatch_uid="page-cache-stock-saved")
post_delete.connect(page_cache.bump, sender=ProductStock, dispatch_uid="page-cache-stock-deleted")
# The vendors whose stalls the fair map marks as the reader's (the cart count: Cart._store and _delete).
personal_cache.connect_owner(VendorMember)
