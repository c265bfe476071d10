"""Counting attempts per client address in the shared cache (django-ratelimit's fixed windows), for throttles
that are not logins (logins: django-axes, see config/settings/base.py)."""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def client_ip(request):
    """The client's address: settings.CLIENT_IP_HEADER when a proxy overwrites it (X-Real-IP), else REMOTE_ADDR."""
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    value = request.META.get(header, "").split(",")[0].strip() if header else ""
    return value or request.META.get("REMOTE_ADDR", "")


def _usage(request, group, rate, increment):
    from django_ratelimit.core import get_usage

    try:
        usage = get_usage(
            request, group=group, key=lambda group, request: client_ip(request), rate=rate, increment=increment
        )
    except Exception:
        logger.warning("%s is not rate-limited: the cache failed", group, exc_info=True)
        return None
    if not usage or usage["time_left"] < 0:
        logger.warning("%s is not rate-limited: the cache gave no count", group)
        return None
    return usage


def used_up(request, group, rate):
    """Has this address made `rate`'s number of attempts (e.g. "5/10m": 5 in this 10-minute window) in `group`
    already? Counts nothing. False when the cache cannot count (Redis down): fail open, logged."""
    usage = _usage(request, group, rate, increment=False)
    return bool(usage) and usage["count"] >= usage["limit"]


def count_attempt(request, group, rate):
    """Count one attempt of this address in `group`. Over `rate`: the seconds until the window ends (for
    Retry-After, at least 1); else 0. Fails open like used_up."""
    usage = _usage(request, group, rate, increment=True)
    if usage and usage["should_limit"]:
        return max(int(usage["time_left"]), 1)
    return 0
