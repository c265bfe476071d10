"""Messages to visitors (ticket confirmed, waitlisted, offered, changed, reminder, cancelled), by e-mail and SMS.

Run after commit in `send_registration_mail_task` below (events.registration.services enqueues it).
`cms.notify.notify` picks the channels: visitors by e-mail if they gave one, else SMS. SMS template keys and
parameters are listed in README "Notifications: e-mail and SMS".
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from cms.notify import Recipient, Sms
from events.models import Registration
from events.registration.tickets import ical_text, manage_url, qr_svg
from events.stalls.notifications import _send, _when


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
