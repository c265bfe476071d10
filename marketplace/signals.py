"""Signals the marketplace sends about its own data (the checkout's order signals are in checkout/signals.py)."""

from django.dispatch import Signal

# A product's stock row changed in one conditional UPDATE (ProductStock.objects.move), which sends no
# post_save. Keyword arguments: product_ids, and optionally known ({id: (quantity, track_stock, minimum)})
# when the new quantities are already known. page_cache_hooks listens, to keep cached pages' stock states true.
stock_moved = Signal()
