"""A visitor's ticket: its URLs (manage link, check-in URL in the QR code), the QR code as SVG (segno) and iCal."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from events.ical import registration_ical


def _absolute(url):
    if url and url.startswith("/"):
        return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/") + url
    return url or ""


def manage_path(registration):
    return reverse("fair_registration", args=[registration.manage_key])


def manage_url(registration):
    return _absolute(manage_path(registration))


def qr_path(registration):
    return reverse("fair_registration_qr", args=[registration.manage_key])


def ical_path(registration):
    return reverse("fair_registration_ical", args=[registration.manage_key])


def checkin_url(registration):
    """What the QR code says: the staff check-in page for this ticket. It carries the ticket code only."""
    return _absolute(reverse("fair_checkin_code", args=[registration.ticket_code]))


QR_CACHE_SECONDS = 60 * 60 * 24


def qr_svg(registration, scale=6):
    """The ticket's QR code as inline SVG. Encoding one costs ≈ 5 ms of CPU (segno tries eight masks), and the
    ticket page is opened again and again at the door: the SVG is kept in the cache under a digest of what it
    encodes, a pure function of its input, so it can never be stale."""
    url = checkin_url(registration)
    key = "events:qr:" + hashlib.blake2b(f"{url}|{scale}".encode(), digest_size=16).hexdigest()
    svg = cache.get(key)
    if svg is None:
        import segno

        qr = segno.make(url, error="m")
        svg = qr.svg_inline(scale=scale, dark="#111", light="#fff", omitsize=False)
        cache.set(key, svg, QR_CACHE_SECONDS)
    return svg


def ical_text(registration):
    return registration_ical(registration, manage_url(registration))
