"""A visitor's ticket: its URLs (manage link, check-in URL in the QR code), the QR code as SVG (segno) and iCal."""

from django.conf import settings
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


def qr_svg(registration, scale=6):
    import segno

    qr = segno.make(checkin_url(registration), error="m")
    return qr.svg_inline(scale=scale, dark="#111", light="#fff", omitsize=False)


def ical_text(registration):
    return registration_ical(registration, manage_url(registration))
