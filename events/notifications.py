"""Messages to exhibitors (application received, approved, waitlisted, rejected; reminders; cancellations) and
to visitors (ticket confirmed, waitlisted, offered, changed, reminder, cancelled), by e-mail and SMS.

Called after commit (events.services queues the exhibitor messages with on_commit; the visitor messages run in
`send_registration_mail_task` below). `cms.notify.notify` picks the channels: exhibitors by e-mail and SMS
(the applicant's account, else the vendor page's contact phone), visitors by e-mail if they gave one, else SMS.
SMS template keys and parameters are listed in README "Notifications: e-mail and SMS".
"""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from cms.notify import Recipient, Sms, notify, user_recipient

from .models import Registration
from .tickets import ical_text, manage_url, qr_svg


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


def registration_mail(registration_id, kind):
    """A visitor's message about their registration: by e-mail (the ticket mail carries the QR code as SVG and
    an iCal file) when they gave an e-mail address, else by SMS to their mobile number with the ticket link."""
    registration = Registration.objects.select_related("fair", "slot", "ticket_type").filter(pk=registration_id).first()
    if registration is None:
        return
    recipient = Recipient(email=registration.email or "", phone=registration.phone or "")
    with translation.override(settings.LANGUAGE_CODE):
        names = {
            "fair": registration.fair.title,
            "slot": str(registration.slot or ""),
            "people": registration.people,
            "name": registration.name,
            "code": registration.grouped_short_code,
            "url": manage_url(registration),
        }
        link = {"fair": registration.fair.title, "link": names["url"]}
        details = (
            _(
                "Fair: %(fair)s\nTime slot: %(slot)s\nPeople: %(people)s\nTicket code: %(code)s\n"
                "View, change or cancel: %(url)s"
            )
            % names
        )
        attach = False
        sms = None
        if kind == "confirmed":
            subject = _("Your ticket: %(fair)s") % names
            body = _("%(name)s, your registration is confirmed. Show the QR code at the entrance.") % names
            attach = True
            params = {**link, "code": registration.grouped_short_code}
            sms = Sms(
                "ticket_confirmed", params, _("%(fair)s: ticket %(code)s confirmed. Your ticket: %(link)s") % params
            )
        elif kind == "held":
            subject = _("Please pay for your tickets: %(fair)s") % names
            body = _("Your places are held until the order is paid; unpaid, they are released.")
            # No SMS: the order's own message ("order_placed") carries the link to pay.
        elif kind == "waitlisted":
            subject = _("On the waiting list: %(fair)s") % names
            body = _("The slot is full, so you are on the waiting list. We will write when a place is free.")
            sms = Sms("ticket_waitlisted", link, _("%(fair)s: you are on the waiting list. %(link)s") % link)
        elif kind == "offered":
            subject = _("A place is free for you: %(fair)s") % names
            body = _("A place is free. Accept it on the page below by %(deadline)s, or it goes to the next person.") % {
                "deadline": _when(registration.offer_expires_at)
            }
            params = {**link, "deadline": _when(registration.offer_expires_at)}
            sms = Sms(
                "ticket_offer",
                params,
                _("%(fair)s: a place is free for you. Accept by %(deadline)s: %(link)s") % params,
            )
        elif kind == "changed":
            subject = _("Time slot changed: %(fair)s") % names
            body = _("Your registration now is for %(slot)s.") % names
            attach = True
            params = {**link, "slot": names["slot"]}
            sms = Sms("ticket_changed", params, _("%(fair)s: your time slot is now %(slot)s. %(link)s") % params)
        elif kind == "reminder":
            subject = _("Tomorrow: %(fair)s") % names
            body = _("A reminder: you are registered for %(fair)s tomorrow.") % names
            attach = True
            params = {**link, "slot": names["slot"] or "-"}
            sms = Sms("ticket_reminder", params, _("Tomorrow: %(fair)s, %(slot)s. Your ticket: %(link)s") % params)
        elif kind in ("cancelled", "released"):
            subject = _("Registration cancelled: %(fair)s") % names
            body = _("Your registration for %(fair)s is cancelled.") % names
            if not (kind == "released" and registration.order_id):  # an unpaid order's expiry message says so
                params = {"fair": registration.fair.title}
                sms = Sms("ticket_cancelled", params, _("%(fair)s: your registration is cancelled.") % params)
        else:
            return
        text = f"{body}\n\n{details}"
        attachments = ()
        if attach and recipient.email:
            attachments = (
                ("ticket-qr.svg", qr_svg(registration), "image/svg+xml"),
                ("ticket.ics", ical_text(registration), "text/calendar"),
            )
        _send(subject, text, recipient, sms, work=False, attachments=attachments)


@task()
def send_registration_mail_task(registration_id: int, kind: str) -> None:
    """Compose and send a visitor's registration mail in the worker, so a failure there never reaches the
    visitor's request (their registration is committed by then)."""
    registration_mail(registration_id, kind)
