from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Marketplace")

    def ready(self):
        from . import taxonomy_cache  # noqa: F401  (connects the cache-clearing signals)
        from .checkout import cart  # noqa: F401  (merges a visitor's cart into the account at login)
