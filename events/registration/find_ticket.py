"""Find my ticket: a visitor who lost the ticket link gets it again with the mobile number and an SMS code.

Uses the shared one-time code service (cms.accounts.sms_codes, purpose "find_ticket"): 6 digits, 10 minutes,
5 wrong tries, 5 codes a number an hour and 60 s between them. A number without registrations is sent
nothing, but is answered and counted alike, so the page never tells whose number has tickets.
"""

from django.utils.translation import gettext_lazy as _

from cms.accounts import sms_codes
from events.models import Registration

PURPOSE = "find_ticket"
TEMPLATE = "find_ticket_code"


def send_code(phone):
    """Send a code to `phone` when it has registrations (the number is already normalised).
    Raises DomainError ("wait", "too_many_codes")."""
    return sms_codes.send_code(
        phone,
        PURPOSE,
        template=TEMPLATE,
        text=_("[Shanhai Market] Your code to find your fair tickets is {code}. It is valid for 10 minutes."),
        deliver=Registration.objects.filter(phone=phone).exists(),
    )


def registrations_for(phone, code):
    """The registrations made with `phone`, newest first, once the code sent to it checks out.
    Raises DomainError for a wrong, expired, used or foreign code."""
    sms_codes.check_code(phone, PURPOSE, code)
    return list(
        Registration.objects.filter(phone=phone)
        .select_related("fair", "slot", "ticket_type")
        .order_by("-created_at", "-pk")
    )
