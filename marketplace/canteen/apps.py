from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CanteenConfig(AppConfig):
    """机关食堂 buyer units, their members, addresses and budgets, on top of checkout: its tables keep their
    `marketplace_` names from when it was part of the marketplace app (see the README, "Where things live")."""

    name = "marketplace.canteen"
    label = "canteen"
    verbose_name = _("Canteens")

    def ready(self):
        from ..checkout import extensions
        from . import membership  # noqa: F401  (clears the cached unit memberships on changes)
        from .extension import CanteenOrders

        # canteen plugs into checkout's pages and notices this way (checkout never imports canteen).
        extensions.register(CanteenOrders())
