"""A visitor's ticket: its URLs (manage link, check-in URL in the QR code), the QR code as SVG (segno) and iCal."""

from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone


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


def _esc(text):
    return str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ical_text(registration):
    fair, slot = registration.fair, registration.slot
    tz = timezone.get_current_timezone()
    if slot is not None:
        start = datetime.combine(slot.date, slot.starts_at)
        end = datetime.combine(slot.date, slot.ends_at)
    else:
        start = datetime.combine(fair.start_date, fair.opens_at)
        end = datetime.combine(fair.start_date, fair.closes_at)
    fmt = "%Y%m%dT%H%M%SZ"
    start, end = (d.replace(tzinfo=tz).astimezone(UTC) for d in (start, end))
    stamp = timezone.now().astimezone(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Shanhai Market//Fair tickets//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:registration-{registration.pk}-{registration.ticket_code[:8]}@shanhai.example",
        f"DTSTAMP:{stamp:{fmt}}",
        f"DTSTART:{start:{fmt}}",
        f"DTEND:{end:{fmt}}",
        f"SUMMARY:{_esc(fair.title)}",
        f"LOCATION:{_esc(', '.join(p for p in (fair.venue, fair.address) if p))}",
        f"DESCRIPTION:{_esc(f'{registration.name} × {registration.people}')}",
        f"URL:{manage_url(registration)}",
        f"STATUS:{'CANCELLED' if registration.status == 'cancelled' else 'CONFIRMED'}",
        "BEGIN:VALARM",
        "TRIGGER:-PT2H",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{_esc(fair.title)}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"
