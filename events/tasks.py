"""Background jobs of the fairs (django-tasks). Services enqueue them after commit."""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_events_email(subject: str, body: str, recipients: list[str]) -> int:
    """Superseded by cms.notify (kept for tasks queued before it).
    Send one plain-text e-mail. Arguments are plain strings so any task backend can store them."""
    if not recipients:
        return 0
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@task()
def send_stall_payment_reminders_task(hours: int = 24) -> int:
    """Remind vendors whose held stall's fee is due within `hours`; returns how many were reminded."""
    from datetime import timedelta

    from .services import send_payment_reminders

    return send_payment_reminders(within=timedelta(hours=hours))


@task()
def send_ticket_email(subject: str, body: str, recipients: list[str], qr_svg: str, ical: str) -> int:
    """Superseded by cms.notify (kept for tasks queued before it).
    A visitor's ticket: plain text with the QR code (SVG) and the iCal file attached."""
    from django.core.mail import EmailMessage

    if not recipients:
        return 0
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach("ticket-qr.svg", qr_svg, "image/svg+xml")
    message.attach("ticket.ics", ical, "text/calendar")
    return message.send()


@task()
def send_registration_reminders_task() -> int:
    """Remind visitors whose slot is tomorrow (once each); returns how many were reminded."""
    from .ticketing import send_reminders

    return send_reminders()


@task()
def send_registration_mail_task(registration_id: int, kind: str) -> None:
    """Compose and send a visitor's registration mail in the worker, so a failure there never reaches the
    visitor's request (their registration is committed by then)."""
    from .notifications import registration_mail

    registration_mail(registration_id, kind)
