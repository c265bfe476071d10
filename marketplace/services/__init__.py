"""Marketplace domain operations. Each owns its transaction and raises MarketplaceError on refusal."""

from .errors import MarketplaceError

__all__ = ["MarketplaceError"]
