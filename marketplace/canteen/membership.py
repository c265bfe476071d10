"""Which buyer units a person belongs to, and in which roles: a cached lookup for the header and account page.

The header of every page a logged-in person sees shows a link to their unit, so the lookup costs one cache
read (no query) once warm. Any change to a membership or to a unit (its name or verification) clears the
cached entries of the people concerned, at once and again after the commit.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from cms import personal_cache

from .models import BuyerUnit, UnitMember

CACHE_KEY = "canteen:member-units:v1:{user}"
CACHE_SECONDS = 10 * 60


def _key(user_id):
    return CACHE_KEY.format(user=user_id)


def member_units(user):
    """[{"pk", "name", "status", "verified", "roles"}] of the units `user` belongs to, by name; [] for visitors.

    `roles` are role values ("buyer", "approver", "finance") in that order.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    key = _key(user.pk)
    units = cache.get(key)
    if units is None:
        order = {role: index for index, role in enumerate(UnitMember.Role.values)}
        by_unit = {}
        rows = (
            UnitMember.objects.filter(user_id=user.pk)
            .order_by("unit__name", "unit_id")
            .values_list("unit_id", "unit__name", "unit__status", "role")
        )
        for unit_id, name, status, role in rows:
            unit = by_unit.setdefault(
                unit_id,
                {"pk": unit_id, "name": name, "status": status, "verified": status == BuyerUnit.Status.VERIFIED},
            )
            unit.setdefault("roles", []).append(role)
        units = list(by_unit.values())
        for unit in units:
            unit["roles"].sort(key=lambda role: order.get(role, 99))
        cache.set(key, units, CACHE_SECONDS)
    return units


def verified_units(user):
    return [unit for unit in member_units(user) if unit["verified"]]


def buyer_units(user):
    """The verified units in which `user` may place orders."""
    return [unit for unit in verified_units(user) if UnitMember.Role.BUYER in unit["roles"]]


def forget(user_ids):
    keys = [_key(user_id) for user_id in set(user_ids) if user_id]
    if not keys:
        return
    cache.delete_many(keys)
    # A request between this change and its commit may have cached the old state: clear again after it.
    transaction.on_commit(lambda: cache.delete_many(keys))
    # Their header link and their audience on cached pages (canteen-only products) follow at once.
    personal_cache.forget(user_ids)


def _member_changed(sender, instance, **kwargs):
    forget([instance.user_id])


def _unit_changed(sender, instance, **kwargs):
    forget(UnitMember.objects.filter(unit_id=instance.pk).values_list("user_id", flat=True))


post_save.connect(_member_changed, sender=UnitMember, dispatch_uid="canteen_membership_saved")
post_delete.connect(_member_changed, sender=UnitMember, dispatch_uid="canteen_membership_deleted")
post_save.connect(_unit_changed, sender=BuyerUnit, dispatch_uid="canteen_unit_saved")
