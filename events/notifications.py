"""E-mails to exhibitors: application received, approved, waitlisted, rejected; reminders; cancellations.

Called after commit by events.services; each mail is one django-tasks task (send_events_email).
"""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .tasks import send_events_email


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
