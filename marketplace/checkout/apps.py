from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckoutConfig(AppConfig):
    """Cart, orders, payments (Stripe and bank transfer), refunds and after-sale: its tables keep their
    `marketplace_` names from when it was part of the marketplace app (see the README, "Where things live")."""

    name = "marketplace.checkout"
    label = "checkout"
    verbose_name = _("Checkout")

    def ready(self):
        from . import (
            cart,  # noqa: F401  (merges a visitor's cart into the account at login)
            personal_data,
        )

        personal_data.register()  # addresses and orders in "download my data" / "delete my account"
