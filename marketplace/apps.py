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
        from .canteen import membership  # noqa: F401  (clears the cached unit memberships on changes)
        from .checkout import cart  # noqa: F401  (merges a visitor's cart into the account at login)
        from .checkout import personal_data as checkout_personal_data

        checkout_personal_data.register()  # addresses and orders in "download my data" / "delete my account"
