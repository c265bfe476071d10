from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Marketplace")

    def ready(self):
        from cms import page_cache

        from . import page_cache_hooks, taxonomy_cache  # noqa: F401  (connect the cache-clearing signals)
        from .models import Category

        page_cache.connect(Category)
