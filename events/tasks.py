"""Background jobs of the fairs (django-tasks). Services enqueue them after commit."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import task

from cms import mail
from events.registration.services import send_reminders
from events.stalls.services import send_payment_reminders


@task()
def send_events_email(subject: str, body: str, recipients: list[str]) -> int:
    """Superseded by cms.notify (kept for tasks queued before it).
    Send one plain-text e-mail. Arguments are plain strings so any task backend can store them."""
    if not recipients:
        return 0
    return mail.send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@task()
def send_stall_payment_reminders_task(hours: int = 24) -> int:
    """Remind vendors whose held stall's fee is due within `hours`; returns how many were reminded."""

    return send_payment_reminders(within=timedelta(hours=hours))


@task()
def send_ticket_email(subject: str, body: str, recipients: list[str], qr_svg: str, ical: str) -> int:
    """Superseded by cms.notify (kept for tasks queued before it).
    A visitor's ticket: plain text with the QR code (SVG) and the iCal file attached."""

    if not recipients:
        return 0
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach("ticket-qr.svg", qr_svg, "image/svg+xml")
    message.attach("ticket.ics", ical, "text/calendar")
    return mail.send_message(message)


@task()
def send_registration_reminders_task() -> int:
    """Remind visitors whose slot is tomorrow (once each); returns how many were reminded."""

    return send_reminders()
