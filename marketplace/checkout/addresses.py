"""A buyer's saved delivery addresses: one default at most, the first one default by itself."""

from django.db import transaction

from cms import locking
from cms.phone import normalize_mobile

from .models import DeliveryAddress


def suggested_phone(user, addresses=None):
    """The mobile number to pre-fill on a new address: the account's own (a phone account's username), else the
    phone of the buyer's default address (else of the newest one); "" when there is none. `addresses`: all of
    the user's addresses when the caller has them already (no query)."""
    if user is None or not user.is_authenticated:
        return ""
    own = normalize_mobile(user.get_username())
    if own:
        return own
    if addresses is None:
        address = DeliveryAddress.objects.filter(user=user).order_by("-is_default", "-created_at", "-pk").first()
    else:
        address = max(addresses, key=lambda a: (a.is_default, a.created_at, a.pk), default=None)
    return address.phone if address is not None else ""


def save_address(address, *, make_default=False):
    """Save a new or edited address of `address.user`, keeping exactly one default."""
    with transaction.atomic():
        locking.lock(DeliveryAddress.objects.filter(user=address.user))
        others = DeliveryAddress.objects.filter(user=address.user)
        if address.pk:
            others = others.exclude(pk=address.pk)
        if make_default or not others.filter(is_default=True).exists():
            address.is_default = True
        address.save()
        if address.is_default:
            DeliveryAddress.objects.filter(user=address.user, is_default=True).exclude(pk=address.pk).update(
                is_default=False
            )
    return address


def set_default(address):
    return save_address(address, make_default=True)


def delete_address(address):
    """Delete an address; if it was the default, the newest remaining one becomes the default."""
    with transaction.atomic():
        was_default = address.is_default
        user = address.user
        address.delete()
        if was_default:
            remaining = locking.lock(DeliveryAddress.objects.filter(user=user))
            newest = max(remaining, key=lambda a: (a.created_at, a.pk), default=None)
            if newest is not None:
                newest.is_default = True
                newest.save(update_fields=["is_default"])
