"""A buyer's saved delivery addresses: one default at most, the first one default by itself."""

from django.db import transaction

from .models import DeliveryAddress


def save_address(address, *, make_default=False):
    """Save a new or edited address of `address.user`, keeping exactly one default."""
    with transaction.atomic():
        others = DeliveryAddress.objects.select_for_update().filter(user=address.user)
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
            newest = (
                DeliveryAddress.objects.select_for_update().filter(user=user).order_by("-created_at", "-pk").first()
            )
            if newest is not None:
                newest.is_default = True
                newest.save(update_fields=["is_default"])
