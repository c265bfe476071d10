"""Which payment methods can be used now: the one rule that product checkout, fair tickets, stall fees, the
order page (switching methods) and the JSON API all ask, so a payer is never offered a method that cannot be
paid.

- Card, Alipay and WeChat Pay go through Stripe. They are available only when both STRIPE_SECRET_KEY (our
  server creates the PaymentIntent) and STRIPE_PUBLISHABLE_KEY (Stripe.js confirms it in the browser) are set;
  with either missing the payer would end on a payment page that cannot take the money.
- Bank transfer (对公转账) needs nothing configured: the order page shows the platform account.
- CHECKOUT_PAYMENT_METHODS (settings, in order of preference) may switch methods off altogether.

Without Stripe, bank transfer is therefore the only method, and it is pre-selected. The services refuse any
other method with DomainError code `invalid_payment_method` (400 in the API) before creating anything.
"""

from django.conf import settings

from cms.errors import DomainError
from marketplace.errors import MarketplaceCode

from .models import PaymentMethod


def online_payments_configured():
    """Are Stripe's keys set, so card / Alipay / WeChat Pay can be paid?"""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)


def available_payment_methods():
    """The methods a payer may choose now, in the settings' order of preference (values, e.g. "bank_transfer")."""
    online = online_payments_configured()
    enabled = getattr(settings, "CHECKOUT_PAYMENT_METHODS", PaymentMethod.values)
    methods = []
    for method in enabled:
        usable = method == PaymentMethod.BANK_TRANSFER or (online and method in PaymentMethod.online())
        if usable and method not in methods:
            methods.append(method)
    return methods


def is_available(method):
    return method in available_payment_methods()


def default_payment_method():
    """The pre-selected method: the only one available (bank transfer without Stripe), else the first in the
    settings' order. None when nothing is available."""
    methods = available_payment_methods()
    return methods[0] if methods else None


def payment_method_choices(exclude=()):
    """(value, label) pairs for a form's choice field."""
    return [(m, PaymentMethod(m).label) for m in available_payment_methods() if m not in exclude]


def check_payment_method(method):
    """Raise DomainError `invalid_payment_method` unless `method` can be paid now."""
    if is_available(method):
        return method
    if (
        method in PaymentMethod.online()
        and not online_payments_configured()
        and PaymentMethod.BANK_TRANSFER in available_payment_methods()
    ):
        raise DomainError(MarketplaceCode.PAYMENT_METHOD_OFFLINE_ONLY, field="payment_method")
    raise DomainError(MarketplaceCode.PAYMENT_METHOD_UNAVAILABLE, field="payment_method")
