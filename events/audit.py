"""The audit entry every events service writes on a state change (Wagtail's log, shown in the admin's history)."""

from wagtail.log_actions import log


def audit(instance, action, user=None, **data):
    """Log `action` on `instance` by `user` (None for the system or an anonymous visitor) with `data`."""
    log(instance=instance, action=action, user=user if getattr(user, "pk", None) else None, data=data)
