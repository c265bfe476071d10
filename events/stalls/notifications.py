"""Messages to exhibitors (application received, approved, waitlisted, rejected; reminders; cancellations), by
e-mail and SMS; the visitors' messages are in events.registration.notifications, on the helpers here.

Called after commit (events.stalls.services queues the exhibitor messages with on_commit). `cms.notify.notify` picks
the channels: exhibitors by e-mail and SMS (the applicant's account, else the vendor page's contact phone).
SMS template keys and parameters are listed in README "Notifications: e-mail and SMS".
"""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cms.notify import Recipient, Sms, notify, user_recipient


def _exhibitor(user, vendor):
    """The applicant's account (e-mail, mobile number); without a mobile number on the account, the vendor
    page's contact phone gets the SMS."""
    person = user_recipient(user)
    if not person.phone:
        person = Recipient(email=person.email, phone=(getattr(vendor, "contact_phone", "") or "").strip())
    return person


def _base_url():
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _send(subject, body, recipient, sms=None, *, work=True, attachments=()):
    notify([recipient], subject=subject, body=body, sms=sms, work=work, attachments=attachments)


def application_mail(application, kind, booking=None):
    with translation.override(settings.LANGUAGE_CODE):
        fair, vendor = application.fair, application.vendor
        names = {"fair": fair.title, "vendor": vendor.title}
        if kind == "received":
            subject = _("Application received: %(fair)s") % names
            sms = Sms("stall_received", {"fair": fair.title}, _("%(fair)s: stall application received.") % names)
            body = (
                _(
                    "We have received the stall application of %(vendor)s for %(fair)s. "
                    "The organiser will review it and write to you."
                )
                % names
            )
        elif kind == "waitlisted":
            subject = _("Application waitlisted: %(fair)s") % names
            sms = Sms(
                "stall_waitlisted", {"fair": fair.title}, _("%(fair)s: your stall application is waitlisted.") % names
            )
            body = (
                _(
                    "The application of %(vendor)s for %(fair)s is on the waiting list. "
                    "We will write to you if a stall becomes free."
                )
                % names
            )
        elif kind == "rejected":
            subject = _("Application not accepted: %(fair)s") % names
            params = {"fair": fair.title, "reason": application.reason or "-"}
            sms = Sms(
                "stall_rejected", params, _("%(fair)s: stall application not accepted. Reason: %(reason)s") % params
            )
            body = _("The application of %(vendor)s for %(fair)s was not accepted. Reason: %(reason)s") % {
                **names,
                "reason": application.reason,
            }
        elif kind == "approved" and booking is not None:
            booking_mail(booking, "approved")
            return
        else:
            return
        _send(subject, body, _exhibitor(application.applicant, vendor), sms)


def booking_mail(booking, kind):
    with translation.override(settings.LANGUAGE_CODE):
        fair, stall = booking.fair, booking.stall
        names = {"fair": fair.title, "stall": stall.code, "vendor": booking.vendor.title}
        order = booking.order
        short = {"fair": fair.title, "stall": stall.code}
        pay, due = "", {}
        if order is not None and booking.status == booking.Status.HELD:
            due = {
                **short,
                "amount": order.total,
                "deadline": _when(booking.hold_until),
                "link": f"{_base_url()}/orders/{order.number}/",
            }
            pay = _("Please pay %(amount)s CNY by %(deadline)s on %(url)s, or the stall is released.") % {
                **due,
                "url": due["link"],
            }
        confirmed = Sms("stall_confirmed", short, _("%(fair)s: stall %(stall)s is confirmed.") % short)
        if kind == "approved":
            subject = _("Stall %(stall)s at %(fair)s") % names
            if booking.status == booking.Status.CONFIRMED:
                body = _("Stall %(stall)s at %(fair)s is confirmed for %(vendor)s.") % names
                sms = confirmed
            else:
                body = _("Stall %(stall)s at %(fair)s is held for %(vendor)s.") % names + "\n\n" + pay
                sms = (
                    Sms(
                        "stall_held",
                        due,
                        _("%(fair)s: stall %(stall)s is held. Pay %(amount)s CNY by %(deadline)s: %(link)s") % due,
                    )
                    if due
                    else None
                )
        elif kind == "confirmed":
            subject = _("Stall confirmed: %(stall)s at %(fair)s") % names
            body = _("Thank you: the fee is paid and stall %(stall)s at %(fair)s is confirmed for %(vendor)s.") % names
            sms = confirmed
        elif kind == "reminder":
            subject = _("Payment reminder: stall %(stall)s at %(fair)s") % names
            body = pay
            sms = (
                Sms(
                    "stall_reminder",
                    due,
                    _("Reminder: pay %(amount)s CNY for stall %(stall)s at %(fair)s by %(deadline)s: %(link)s") % due,
                )
                if due
                else None
            )
        elif kind == "released":
            subject = _("Stall released: %(stall)s at %(fair)s") % names
            body = _("The fee for stall %(stall)s at %(fair)s was not paid in time, so the stall was released.") % names
            sms = Sms(
                "stall_released", short, _("%(fair)s: stall %(stall)s was not paid in time and is released.") % short
            )
        elif kind == "cancelled":
            subject = _("Stall cancelled: %(stall)s at %(fair)s") % names
            body = _("The booking of stall %(stall)s at %(fair)s for %(vendor)s is cancelled. %(reason)s") % {
                **names,
                "reason": booking.end_reason,
            }
            sms = Sms("stall_cancelled", short, _("%(fair)s: the booking of stall %(stall)s is cancelled.") % short)
        else:
            return
        _send(subject, body, _exhibitor(booking.booked_by, booking.vendor), sms)
