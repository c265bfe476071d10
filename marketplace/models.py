"""Marketplace: vendors, products, cart and checkout (see the catalogue and checkout issues)."""
