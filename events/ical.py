"""Calendar files (RFC 5545) for a fair and for a visitor's ticket, built with the `icalendar` library, which
escapes the text values and folds long lines at 75 octets as the RFC requires (Chinese titles run long)."""

from datetime import UTC, datetime, timedelta

import icalendar
from django.utils import timezone

PRODID = "-//Shanhai Market//Fairs//ZH"
UID_DOMAIN = "shanhai.example"


def _utc(day, time):
    """A local date and time of the fair (the site's time zone, Asia/Shanghai) in UTC."""
    return datetime.combine(day, time).replace(tzinfo=timezone.get_current_timezone()).astimezone(UTC)


def _location(fair):
    return ", ".join(part for part in (fair.venue, fair.address) if part)


def _calendar(event):
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical().decode()


def _event(uid, start, end, summary, location, description, url, cancelled):
    event = icalendar.Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", timezone.now().astimezone(UTC).replace(microsecond=0))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def fair_ical(fair):
    """The whole fair, first opening to last closing, as an .ics text."""
    event = _event(
        f"fair-{fair.pk}",
        _utc(fair.start_date, fair.opens_at),
        _utc(fair.end_date, fair.closes_at),
        fair.title,
        _location(fair),
        fair.summary,
        fair.full_url or "",
        fair.is_cancelled(),
    )
    return _calendar(event)


def registration_ical(registration, manage_url):
    """A visitor's ticket: the time slot (else the fair's first day), the ticket page's link, a reminder 2 hours
    before."""
    fair, slot = registration.fair, registration.slot
    if slot is not None:
        start, end = _utc(slot.date, slot.starts_at), _utc(slot.date, slot.ends_at)
    else:
        start, end = _utc(fair.start_date, fair.opens_at), _utc(fair.start_date, fair.closes_at)
    event = _event(
        f"registration-{registration.pk}-{registration.ticket_code[:8]}",
        start,
        end,
        fair.title,
        _location(fair),
        f"{registration.name} × {registration.people}",
        manage_url,
        registration.status == "cancelled",
    )
    alarm = icalendar.Alarm()
    alarm.add("trigger", timedelta(hours=-2))
    alarm.add("action", "DISPLAY")
    alarm.add("description", fair.title)
    event.add_component(alarm)
    return _calendar(event)
