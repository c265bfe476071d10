"""E-mails to exhibitors: application received, approved, waitlisted, rejected; reminders; cancellations.

Called after commit by events.services; each mail is one django-tasks task (send_events_email).
"""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .tasks import send_events_email, send_ticket_email


def _recipients(user):
    return [user.email] if user is not None and user.email else []


def _base_url():
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _send(subject, body, recipients):
    if recipients:
        send_events_email.enqueue(subject=str(subject), body=str(body), recipients=recipients)


def application_mail(application, kind, booking=None):
    with translation.override(settings.LANGUAGE_CODE):
        fair, vendor = application.fair, application.vendor
        names = {"fair": fair.title, "vendor": vendor.title}
        if kind == "received":
            subject = _("Application received: %(fair)s") % names
            body = (
                _(
                    "We have received the stall application of %(vendor)s for %(fair)s. "
                    "The organiser will review it and write to you."
                )
                % names
            )
        elif kind == "waitlisted":
            subject = _("Application waitlisted: %(fair)s") % names
            body = (
                _(
                    "The application of %(vendor)s for %(fair)s is on the waiting list. "
                    "We will write to you if a stall becomes free."
                )
                % names
            )
        elif kind == "rejected":
            subject = _("Application not accepted: %(fair)s") % names
            body = _("The application of %(vendor)s for %(fair)s was not accepted. Reason: %(reason)s") % {
                **names,
                "reason": application.reason,
            }
        elif kind == "approved" and booking is not None:
            booking_mail(booking, "approved")
            return
        else:
            return
        _send(subject, body, _recipients(application.applicant))


def booking_mail(booking, kind):
    with translation.override(settings.LANGUAGE_CODE):
        fair, stall = booking.fair, booking.stall
        names = {"fair": fair.title, "stall": stall.code, "vendor": booking.vendor.title}
        order = booking.order
        pay = ""
        if order is not None and booking.status == booking.Status.HELD:
            pay = _("Please pay %(amount)s CNY by %(deadline)s on %(url)s, or the stall is released.") % {
                "amount": order.total,
                "deadline": _when(booking.hold_until),
                "url": f"{_base_url()}/orders/{order.number}/",
            }
        if kind == "approved":
            subject = _("Stall %(stall)s at %(fair)s") % names
            if booking.status == booking.Status.CONFIRMED:
                body = _("Stall %(stall)s at %(fair)s is confirmed for %(vendor)s.") % names
            else:
                body = _("Stall %(stall)s at %(fair)s is held for %(vendor)s.") % names + "\n\n" + pay
        elif kind == "confirmed":
            subject = _("Stall confirmed: %(stall)s at %(fair)s") % names
            body = _("Thank you: the fee is paid and stall %(stall)s at %(fair)s is confirmed for %(vendor)s.") % names
        elif kind == "reminder":
            subject = _("Payment reminder: stall %(stall)s at %(fair)s") % names
            body = pay
        elif kind == "released":
            subject = _("Stall released: %(stall)s at %(fair)s") % names
            body = _("The fee for stall %(stall)s at %(fair)s was not paid in time, so the stall was released.") % names
        elif kind == "cancelled":
            subject = _("Stall cancelled: %(stall)s at %(fair)s") % names
            body = _("The booking of stall %(stall)s at %(fair)s for %(vendor)s is cancelled. %(reason)s") % {
                **names,
                "reason": booking.end_reason,
            }
        else:
            return
        _send(subject, body, _recipients(booking.booked_by))


def registration_mail(registration_id, kind):
    """E-mail to a visitor about their registration; the ticket mail carries the QR code (SVG) and an iCal file."""
    from .models import Registration
    from .tickets import ical_text, manage_url, qr_svg

    registration = Registration.objects.select_related("fair", "slot", "ticket_type").filter(pk=registration_id).first()
    if registration is None or not registration.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        names = {
            "fair": registration.fair.title,
            "slot": str(registration.slot or ""),
            "people": registration.people,
            "name": registration.name,
            "code": registration.grouped_short_code,
            "url": manage_url(registration),
        }
        details = (
            _(
                "Fair: %(fair)s\nTime slot: %(slot)s\nPeople: %(people)s\nTicket code: %(code)s\n"
                "View, change or cancel: %(url)s"
            )
            % names
        )
        attach = False
        if kind == "confirmed":
            subject = _("Your ticket: %(fair)s") % names
            body = _("%(name)s, your registration is confirmed. Show the QR code at the entrance.") % names
            attach = True
        elif kind == "held":
            subject = _("Please pay for your tickets: %(fair)s") % names
            body = _("Your places are held until the order is paid; unpaid, they are released.")
        elif kind == "waitlisted":
            subject = _("On the waiting list: %(fair)s") % names
            body = _("The slot is full, so you are on the waiting list. We will write when a place is free.")
        elif kind == "offered":
            subject = _("A place is free for you: %(fair)s") % names
            body = _("A place is free. Accept it on the page below by %(deadline)s, or it goes to the next person.") % {
                "deadline": _when(registration.offer_expires_at)
            }
        elif kind == "changed":
            subject = _("Time slot changed: %(fair)s") % names
            body = _("Your registration now is for %(slot)s.") % names
            attach = True
        elif kind == "reminder":
            subject = _("Tomorrow: %(fair)s") % names
            body = _("A reminder: you are registered for %(fair)s tomorrow.") % names
            attach = True
        elif kind in ("cancelled", "released"):
            subject = _("Registration cancelled: %(fair)s") % names
            body = _("Your registration for %(fair)s is cancelled.") % names
        else:
            return
        text = f"{body}\n\n{details}"
        if attach:
            send_ticket_email.enqueue(
                subject=str(subject),
                body=str(text),
                recipients=[registration.email],
                qr_svg=qr_svg(registration),
                ical=ical_text(registration),
            )
        else:
            _send(subject, text, [registration.email])
