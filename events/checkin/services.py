"""Check-in at the door: staff with the check-in role for a fair (granted in events.registration) scan a ticket's
QR code or type its short code; the door's counts per time slot.

Rules (DESIGN.md): a check-in is one transaction with the registration row locked (cms.locking); a refusal that
is not about the ticket (no role, too many typed codes) raises DomainError with a code from events.errors; what
the ticket says (valid, already in, wrong day …) is the CheckInResult, shown to the staff member.
"""

import dataclasses
import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cms import locking
from cms.errors import DomainError
from events.errors import EventsCode
from events.models import SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH, CheckIn, Registration, TimeSlot
from events.registration import services as ticketing
from events.registration.services import _people_checked_in
from events.stalls.services import _audit

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CHECKIN_EARLY = timedelta(minutes=30)
# Typed (short) codes per check-in staff account; settings.EVENTS_CHECKIN_TYPED_RATE overrides, e.g. "60/m".
CHECKIN_TYPED_RATE = "30/m"

S = Registration.Status
logger = logging.getLogger(__name__)


def extract_code(scanned):
    """The ticket code from what a scanner or a person typed: the code itself, or the check-in URL."""
    text = str(scanned or "").strip()
    match = re.search(r"/checkin/([A-Za-z0-9_-]+)/?", text)
    if match:
        text = match.group(1)
    return text if CODE_RE.match(text) else None


def normalise_short_code(typed):
    """'abcd efgh', 'ABCD-EFGH' → 'ABCDEFGH': upper case, spaces and dashes dropped. None unless the result is
    SHORT_CODE_LENGTH characters of SHORT_CODE_ALPHABET."""
    text = re.sub(r"[\s\-\u2010-\u2015\uff0d]", "", str(typed or "")).upper()
    if len(text) == SHORT_CODE_LENGTH and all(c in SHORT_CODE_ALPHABET for c in text):
        return text
    return None


@dataclasses.dataclass
class CheckInResult:
    kind: str  # valid, already, wrong_fair, wrong_day, wrong_slot, cancelled, not_confirmed, unknown
    registration: Registration | None = None
    checkin: CheckIn | None = None  # the new one (valid) or the last one (already)
    checked_in_people: int = 0

    @property
    def ok(self):
        return self.kind == "valid"

    @property
    def message(self):
        reg = self.registration
        if self.kind == "valid":
            return _("Valid: %(name)s, %(people)s people") % {"name": reg.name, "people": reg.people}
        if self.kind == "already":
            by = self.checkin.by.get_username() if self.checkin and self.checkin.by else "—"
            return _("Already checked in at %(when)s by %(by)s") % {
                "when": timezone.localtime(self.checkin.at).strftime("%Y-%m-%d %H:%M"),
                "by": by,
            }
        if self.kind == "wrong_fair":
            return _("This ticket is for another fair: %(fair)s") % {"fair": reg.fair.title}
        if self.kind == "wrong_day":
            return _("Wrong day: this ticket is for %(slot)s") % {"slot": reg.slot or reg.fair.start_date}
        if self.kind == "wrong_slot":
            return _("Wrong time: this ticket is for %(slot)s") % {"slot": reg.slot}
        if self.kind == "cancelled":
            return _("Cancelled ticket: %(status)s") % {"status": reg.get_status_display()}
        if self.kind == "not_confirmed":
            return _("Not confirmed: %(status)s") % {"status": reg.get_status_display()}
        return _("Unknown code: not a ticket of ours")


def _check_typed_rate(user):
    """Count one typed lookup for this staff account in the shared cache (django-ratelimit's fixed window, so
    it holds across processes and hosts with Redis); raise DomainError CHECKIN_THROTTLED over the limit.

    When the cache cannot count (Redis down), the door keeps working and the failure is logged: a guess has
    about one chance in 10⁸ of hitting one of a fair's tickets, so a short unlimited spell is harmless, whereas
    refusing every typed code would stop the queue."""
    from django_ratelimit.core import get_usage

    try:
        usage = get_usage(
            None,
            group="events.checkin.typed",
            key=lambda group, request: str(user.pk),
            rate=getattr(settings, "EVENTS_CHECKIN_TYPED_RATE", CHECKIN_TYPED_RATE),
            increment=True,
        )
    except Exception:
        logger.warning("typed check-in codes are not rate-limited: the cache failed", exc_info=True)
        return
    if usage and usage["time_left"] < 0:  # django-ratelimit could not read or write the count
        logger.warning("typed check-in codes are not rate-limited: the cache gave no count")
        return
    if usage and usage["should_limit"]:
        raise DomainError(EventsCode.CHECKIN_THROTTLED, field="code", seconds=max(usage["time_left"], 1))


def check_in(*, fair, code, user, now=None):
    """Door staff scan or type a code. Only staff with the check-in role for this fair may. Returns a
    CheckInResult; only "valid" changes anything (one CheckIn row, the registration row locked meanwhile).

    `code` is the scanned check-in URL, the long ticket code, or the short code typed by hand (any case, spaces
    and dashes ignored). A short code is looked up within this fair only ("unknown" for another fair's code);
    short codes, and anything else that is not a long code, count towards the typed-code rate limit per staff
    account (EventsCode.CHECKIN_THROTTLED, code "rate_limited"). The long code is unguessable and is not limited."""
    if not ticketing.can_check_in(user, fair):
        raise DomainError(EventsCode.NO_CHECKIN_ROLE)
    now = now or timezone.now()
    text = str(code or "").strip()
    ticket_code = extract_code(text)
    short_code = None
    if ticket_code is None or len(ticket_code) < 16:
        _check_typed_rate(user)
        short_code = normalise_short_code(text)
        if short_code is None:
            return CheckInResult("unknown")
    with transaction.atomic():
        regs = Registration.objects.select_related("fair", "slot", "ticket_type")
        if short_code is not None:
            regs = regs.filter(fair=fair, short_code=short_code)
        else:
            regs = regs.filter(ticket_code=ticket_code)
        reg = next(iter(locking.lock(regs)), None)
        if reg is None:
            return CheckInResult("unknown")
        if reg.fair_id != fair.pk:
            return CheckInResult("wrong_fair", reg)
        if reg.status in (S.CANCELLED, S.RELEASED, S.LAPSED):
            return CheckInResult("cancelled", reg)
        if reg.status != S.CONFIRMED:
            return CheckInResult("not_confirmed", reg)
        today = timezone.localdate(now)
        if not fair.start_date <= today <= fair.end_date or (reg.slot and reg.slot.date != today):
            return CheckInResult("wrong_day", reg)
        if reg.slot and not (reg.slot.start_datetime() - CHECKIN_EARLY <= now <= reg.slot.end_datetime()):
            return CheckInResult("wrong_slot", reg)
        today_checkins = list(reg.checkins.filter(day=today).select_related("by").order_by("-at", "-pk"))
        if len(today_checkins) >= reg.ticket_type.entries_per_day:
            return CheckInResult("already", reg, today_checkins[0])
        checkin = CheckIn.objects.create(
            registration=reg, fair=fair, slot=reg.slot, day=today, people=reg.people, at=now, by=user
        )
        _audit(fair, "events.checked_in", user, registration=reg.pk, people=reg.people)
    return CheckInResult("valid", reg, checkin)


def checkin_counts(fair, day=None):
    """People checked in (each registration once) per slot of `day` (today by default)."""
    day = day or timezone.localdate()
    rows = []
    for slot in TimeSlot.objects.filter(fair=fair, date=day).order_by("starts_at"):
        inside = _people_checked_in(Registration.objects.filter(slot=slot), day=day)
        rows.append({"slot": slot, "checked_in": inside, "expected": slot.confirmed})
    no_slot = _people_checked_in(Registration.objects.filter(fair=fair, slot__isnull=True), day=day)
    return {"day": day, "slots": rows, "without_slot": no_slot, "total": sum(r["checked_in"] for r in rows) + no_slot}
