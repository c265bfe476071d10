"""Visitor registration: ticket types, time slots (bulk), registering, waiting lists, cancelling, changing slot,
the check-in role (check-in itself is events.checkin.services), and the checkout's order_paid / order_closed
receivers for paid tickets.

Rules (DESIGN.md, "Scarce things and concurrency"):
- every operation is one transaction and raises DomainError(code, field, **params), the code from events.errors;
- places change only with the rows locked in one fixed order: time slot(s) by id, then the ticket type, then
  the registration. The counters `confirmed` and `held` on TimeSlot and TicketType are the truth; the check
  constraints `confirmed + held <= capacity` are the backstop;
- a paid ticket is a fee order (marketplace.checkout.services.place_fee_order) whose lines reference
  "events.registration:<id>". The checkout locks the order and then sends order_paid / order_closed, whose
  receivers here lock slot → ticket type → registration: order → places, never places → an existing order;
- the waiting list is first come, first served per (ticket type, slot): a freed place is offered, under the
  same locks, to the head of the list only and held for it (status "offered") until the offer expires; nobody
  registering later can take a place while someone waits for it;
- when the ticket type's own capacity is the limit, a freed ticket-type place goes to the earliest visitor
  waiting for that ticket type in any slot that has room for them (the head of that slot's list): operations
  that free places also lock every slot with someone waiting for the ticket type, still by ascending id and
  before the ticket type, so the offer's slot counter changes under its lock and a place is offered once;
- the ticket code (QR) proves entry to one fair and nothing else; the manage key (link in the e-mail) lets
  the holder view, change and cancel. Both come from `secrets`.
"""

import dataclasses
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncHour
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from cms import locking
from cms.errors import DomainError
from cms.json_api import idempotency
from cms.phone import normalize_mobile
from events.errors import EventsCode
from events.models import (
    CheckIn,
    CheckInStaff,
    FairPage,
    Registration,
    StallBooking,
    TicketType,
    TimeSlot,
    new_short_code,
)
from events.registration.notifications import send_registration_mail_task
from events.stalls.services import _audit, refund_allowed
from marketplace.canteen.models import BuyerUnit, UnitMember
from marketplace.checkout import payment_methods
from marketplace.checkout import services as checkout
from marketplace.checkout import signals as checkout_signals
from marketplace.checkout.models import OrderLine, PaymentMethod

REFERENCE_PREFIX = "events.registration:"
MAX_SLOTS = 500
WAITING_LOCK_ATTEMPTS = 4
SHORT_CODE_ATTEMPTS = 20

S = Registration.Status
logger = logging.getLogger(__name__)


def offer_window():
    return timedelta(hours=getattr(settings, "EVENTS_WAITLIST_OFFER_HOURS", 24))


# -- validation --------------------------------------------------------------------------------------------


def normalise_phone(raw):
    """'+86 138-0013-8000' → '13800138000'; anything that is not a mainland mobile number is refused."""
    phone = normalize_mobile(raw)
    if not phone:
        raise DomainError(EventsCode.INVALID_PHONE, field="phone")
    return phone


def unique_short_code(fair_id):
    """A new short code that no registration of this fair has yet (drawn again on a collision). The database's
    (fair, short_code) unique constraint is the backstop for two registrations drawing the same code at once."""
    for _attempt in range(SHORT_CODE_ATTEMPTS):
        code = new_short_code()
        if not Registration.objects.filter(fair_id=fair_id, short_code=code).exists():
            return code
    raise DomainError(EventsCode.TICKET_CODE_FAILED)


# -- set-up: ticket types and slots --------------------------------------------------------------------------


def create_slots(*, fair, days, times, capacity, user=None):
    """Create a slot for each day × (start, end), e.g. every fair day 09:00–11:00, 11:00–13:00. Existing
    (day, start) pairs are refused. Returns the new slots."""
    days = sorted(set(days or []))
    times = sorted(set(times or []))
    if not days or not times:
        raise DomainError(EventsCode.SLOT_DAYS_REQUIRED, field="days")
    if capacity is None or int(capacity) < 1:
        raise DomainError(EventsCode.SLOT_CAPACITY_TOO_SMALL, field="capacity")
    for day in days:
        if day < fair.start_date or day > fair.end_date:
            raise DomainError(EventsCode.NOT_A_FAIR_DAY, field="days", day=day.isoformat())
    for start, end in times:
        if end <= start:
            raise DomainError(EventsCode.SLOT_ENDS_BEFORE_START, field="times")
    if len(days) * len(times) > MAX_SLOTS:
        raise DomainError(EventsCode.TOO_MANY_SLOTS, field="times")
    wanted = [(day, start, end) for day in days for start, end in times]
    with transaction.atomic():
        existing = set(TimeSlot.objects.filter(fair=fair, date__in=days).values_list("date", "starts_at")) & {
            (d, s) for d, s, _e in wanted
        }
        if existing:
            raise DomainError(
                EventsCode.SLOTS_EXIST,
                field="times",
                slots=", ".join(f"{d:%Y-%m-%d} {s:%H:%M}" for d, s in sorted(existing)),
            )
        slots = TimeSlot.objects.bulk_create(
            [TimeSlot(fair=fair, date=d, starts_at=s, ends_at=e, capacity=int(capacity)) for d, s, e in wanted]
        )
        _audit(fair, "events.slots_created", user, count=len(slots))
    return slots


def fair_days(fair):
    return [fair.start_date + timedelta(days=i) for i in range((fair.end_date - fair.start_date).days + 1)]


# -- who may register / check in ----------------------------------------------------------------------------


def _check_eligible(ticket_type, user, fair):
    audience = ticket_type.audience
    if audience == TicketType.Audience.PUBLIC:
        return
    authenticated = getattr(user, "is_authenticated", False)
    if audience == TicketType.Audience.CANTEEN:
        if authenticated and UnitMember.objects.filter(user=user, unit__status=BuyerUnit.Status.VERIFIED).exists():
            return
        raise DomainError(EventsCode.TICKET_FOR_CANTEEN_UNITS, field="ticket_type")
    if audience == TicketType.Audience.EXHIBITOR:
        if (
            authenticated
            and StallBooking.objects.filter(
                fair=fair, status__in=StallBooking.ACTIVE, vendor__members__user=user
            ).exists()
        ):
            return
        raise DomainError(EventsCode.TICKET_FOR_EXHIBITORS, field="ticket_type")


def can_check_in(user, fair):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or CheckInStaff.objects.filter(fair=fair, user=user).exists()


def checkin_fairs(user):
    if not getattr(user, "is_authenticated", False):
        return FairPage.objects.none()
    if user.is_superuser:
        return FairPage.objects.all()
    return FairPage.objects.filter(checkin_staff__user=user)


def grant_checkin_role(fair, user, *, by=None):
    with transaction.atomic():
        role, created = CheckInStaff.objects.get_or_create(fair=fair, user=user)
        if created:
            _audit(fair, "events.checkin_role_granted", by, staff=user.get_username())
    return role


def revoke_checkin_role(fair, user, *, by=None):
    with transaction.atomic():
        deleted, _rows = CheckInStaff.objects.filter(fair=fair, user=user).delete()
        if deleted:
            _audit(fair, "events.checkin_role_revoked", by, staff=user.get_username())


# -- registering --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class RegistrationRequest:
    ticket_type: TicketType | None
    name: str
    phone: str
    people: int = 1
    slot: TimeSlot | None = None
    email: str = ""
    attendees: list = dataclasses.field(default_factory=list)
    join_waitlist: bool = True
    # For paid tickets; empty means the default of the methods available now (bank transfer without Stripe).
    payment_method: str = ""


def _check_window(fair, now):
    if fair.status == FairPage.Status.CANCELLED:
        raise DomainError(EventsCode.FAIR_CANCELLED)
    if fair.status != FairPage.Status.OPEN:
        raise DomainError(EventsCode.REGISTRATION_OFF)
    if fair.end_date < timezone.localdate(now):
        raise DomainError(EventsCode.FAIR_OVER)
    if fair.registration_opens and now < fair.registration_opens:
        raise DomainError(
            EventsCode.REGISTRATION_NOT_OPEN,
            date=timezone.localtime(fair.registration_opens).strftime("%Y-%m-%d %H:%M"),
        )
    if fair.registration_closes and now > fair.registration_closes:
        raise DomainError(EventsCode.REGISTRATION_CLOSED)


def _check_slot(fair, slot, now, field="slot"):
    if slot.fair_id != fair.pk:
        raise DomainError(EventsCode.SLOT_NOT_AT_FAIR, field=field)
    if slot.closed:
        raise DomainError(EventsCode.SLOT_CLOSED, field=field)
    if slot.end_datetime() <= now:
        raise DomainError(EventsCode.SLOT_PAST, field=field)


def _clean_request(fair, req, user, now):
    ticket_type = req.ticket_type
    if ticket_type is None:
        raise DomainError(EventsCode.TICKET_TYPE_REQUIRED, field="ticket_type")
    if ticket_type.fair_id != fair.pk:
        raise DomainError(EventsCode.TICKET_TYPE_NOT_AT_FAIR, field="ticket_type")
    if ticket_type.sales_start and now < ticket_type.sales_start:
        raise DomainError(
            EventsCode.SALES_NOT_OPEN,
            field="ticket_type",
            date=timezone.localtime(ticket_type.sales_start).strftime("%Y-%m-%d %H:%M"),
        )
    if ticket_type.sales_end and now > ticket_type.sales_end:
        raise DomainError(EventsCode.SALES_CLOSED, field="ticket_type")
    _check_eligible(ticket_type, user, fair)
    name = (req.name or "").strip()
    if not name or len(name) > 60:
        raise DomainError(EventsCode.CONTACT_NAME_INVALID, field="name")
    phone = normalise_phone(req.phone)
    email = (req.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(EventsCode.INVALID_EMAIL, field="email") from None
    people = req.people
    if isinstance(people, bool) or not isinstance(people, int) or not 1 <= people <= ticket_type.per_person_limit:
        raise DomainError(EventsCode.INVALID_PEOPLE, field="people", limit=ticket_type.per_person_limit)
    attendees = [str(a).strip()[:60] for a in (req.attendees or []) if str(a).strip()]
    if attendees and len(attendees) != people:
        raise DomainError(EventsCode.INVALID_ATTENDEES, field="attendees", people=people)
    slot = req.slot
    if slot is None and ticket_type.requires_slot:
        raise DomainError(EventsCode.SLOT_REQUIRED, field="slot")
    if slot is not None:
        _check_slot(fair, slot, now)
    return ticket_type, slot, name, phone, email, people, attendees


def _lock(slot_ids, ticket_type_id):
    """Lock the slots (ascending id) and then the ticket type: the one order every operation uses."""
    slots = {slot.pk: slot for slot in locking.lock(TimeSlot, slot_ids)}
    ticket_type = locking.lock_one(TicketType, ticket_type_id)
    return slots, ticket_type


def _fits(people, slot, ticket_type):
    return (slot is None or slot.remaining >= people) and ticket_type.remaining >= people


def _someone_waiting(ticket_type, slot):
    return Registration.objects.filter(ticket_type=ticket_type, slot=slot, status=S.WAITLISTED).exists()


def _waiting_slot_ids(ticket_type_id):
    """The slots where someone waits for this ticket type, read before locking so that an operation freeing a
    ticket-type place can lock them too, in the one order (slots by ascending id, then the ticket type)."""
    return list(
        Registration.objects.filter(ticket_type_id=ticket_type_id, status=S.WAITLISTED, slot__isnull=False)
        .values_list("slot_id", flat=True)
        .distinct()
    )


def _next_in_line(ticket_type, slots):
    """Inside the ticket-type lock: the earliest waiting registration of this ticket type, over every waiting
    list whose slot is in `slots` (id → slot) or that has no slot, that waits for the ticket type rather than
    for its slot: the head of its slot's list (first come, first served per slot) with room in its slot.
    Waiting lists of slots not in `slots` are left alone (their slots are not locked). Returns it or None."""
    waiting = (
        Registration.objects.filter(ticket_type=ticket_type, status=S.WAITLISTED)
        .filter(Q(slot_id__in=list(slots)) | Q(slot__isnull=True))
        .order_by("created_at", "pk")
        .values_list("pk", "slot_id", "people")
    )
    seen = set()
    for pk, slot_id, people in waiting.iterator():
        if slot_id in seen:
            continue  # behind the head of its own slot's list
        seen.add(slot_id)
        slot = slots.get(slot_id)
        if slot_id is None or (slot is not None and not slot.closed and slot.remaining >= people):
            return pk
    return None


def _someone_waiting_for_type(ticket_type, slot):
    """Is someone already waiting for this ticket type (in this slot's list, or in another slot's list with
    room in that slot, i.e. waiting for a ticket-type place)? A newcomer then queues behind them."""
    if _someone_waiting(ticket_type, slot):
        return True
    elsewhere = set(
        Registration.objects.filter(ticket_type=ticket_type, status=S.WAITLISTED)
        .exclude(slot=slot)
        .values_list("slot_id", flat=True)
        .distinct()
    )
    if not elsewhere:
        return False
    others = {s.pk: s for s in TimeSlot.objects.filter(pk__in=elsewhere - {None})}
    return _next_in_line(ticket_type, others) is not None


def _add(objs, *, confirmed=0, held=0):
    for obj in objs:
        if obj is None:
            continue
        obj.confirmed += confirmed
        obj.held += held
        obj.save(update_fields=["confirmed", "held"])


def _registration_for_key(user, key, fingerprint):
    """The registration an earlier request with this idempotency key created (per account, or among those
    without one), marked `replayed`; DomainError "idempotency_mismatch" when it was made from another body."""
    if not key:
        return None
    existing = Registration.objects.filter(user=user, idempotency_key=key).first()
    if existing is None:
        return None
    idempotency.check_replay(existing, fingerprint)
    existing.replayed = True
    return existing


def register(*, fair, request, user=None, now=None, idempotency_key="", idempotency_fingerprint=""):
    """Register visitors for a fair. Free tickets are confirmed at once; paid ones are held with a fee order
    until paid. Full (or someone already waiting): the waiting list, or DomainError "full" when the visitor
    does not want to wait or the ticket type has no list. Returns the Registration.

    With an `idempotency_key` (the API's X-Idempotency-Key), a retry returns the registration the first request
    created, with `replayed` True, holding no further places; the same key with another request
    (`idempotency_fingerprint`) is DomainError "idempotency_mismatch"."""
    now = now or timezone.now()
    user = user if getattr(user, "is_authenticated", False) else None
    existing = _registration_for_key(user, idempotency_key, idempotency_fingerprint)
    if existing is not None:
        return existing
    try:
        registration = _register(fair, request, user, now, idempotency_key, idempotency_fingerprint)
    except IntegrityError:
        # Two requests with the same key raced past the check (another ticket type, so another lock); one won.
        existing = _registration_for_key(user, idempotency_key, idempotency_fingerprint)
        if existing is None:
            raise
        return existing
    if registration.replayed:
        return registration
    _notify(registration, registration.status)
    return registration


def _register(fair, request, user, now, idempotency_key, idempotency_fingerprint):
    _check_window(fair, now)
    ticket_type, slot, name, phone, email, people, attendees = _clean_request(fair, request, user, now)
    payment_method = "" if ticket_type.is_free else _checked_payment_method(request.payment_method)
    with transaction.atomic():
        slots, ticket_type = _lock([slot.pk] if slot else [], ticket_type.pk)
        slot = slots.get(slot.pk) if slot else None
        # A retry that waited for the lock while its twin registered: the twin's registration, nothing more held.
        existing = _registration_for_key(user, idempotency_key, idempotency_fingerprint)
        if existing is not None:
            return existing
        if slot is not None and slot.closed:
            raise DomainError(EventsCode.SLOT_CLOSED, field="slot")
        _check_phone_limit(ticket_type, slot, phone)
        if _fits(people, slot, ticket_type) and not _someone_waiting_for_type(ticket_type, slot):
            status = S.CONFIRMED if ticket_type.is_free else S.HELD
        elif ticket_type.waitlist and request.join_waitlist:
            status = S.WAITLISTED
        else:
            raise DomainError(EventsCode.FULL, field="slot" if slot else "ticket_type")
        registration = Registration.objects.create(
            fair=fair,
            short_code=unique_short_code(fair.pk),
            ticket_type=ticket_type,
            slot=slot,
            user=user,
            name=name,
            phone=phone,
            email=email or (user.email if user else ""),
            people=people,
            status=status,
            created_at=now,
            confirmed_at=now if status == S.CONFIRMED else None,
            idempotency_key=idempotency_key,
            idempotency_fingerprint=idempotency_fingerprint if idempotency_key else "",
        )
        registration.attendees.bulk_create(
            [registration.attendees.model(registration=registration, name=a) for a in attendees]
        )
        if status == S.CONFIRMED:
            _add([slot, ticket_type], confirmed=people)
        elif status == S.HELD:
            _add([slot, ticket_type], held=people)
            registration.order = _ticket_order(registration, payment_method, now)
            registration.save(update_fields=["order"])
        _audit(fair, f"events.registration_{status}", user, registration=registration.pk, people=people)
    return registration


def guest_hold_window(payment_method):
    """How long a paid ticket registered without an account holds its places unpaid: EVENTS_GUEST_HOLD_MINUTES
    (30) for online payment, EVENTS_GUEST_BANK_TRANSFER_HOURS (24) for a bank transfer."""
    if payment_method == PaymentMethod.BANK_TRANSFER:
        return timedelta(hours=getattr(settings, "EVENTS_GUEST_BANK_TRANSFER_HOURS", 24))
    return timedelta(minutes=getattr(settings, "EVENTS_GUEST_HOLD_MINUTES", 30))


def _check_phone_limit(ticket_type, slot, phone, exclude=None):
    """Inside the locks (the slot's, or the ticket type's when there is no slot, so two registrations with the
    same number cannot both pass): at most ticket_type.registrations_per_phone active registrations for one
    mobile number in one time slot (in this ticket type when it has no slots). Stops one number from holding a
    slot's places with many registrations."""
    active = Registration.objects.filter(phone=phone, status__in=Registration.ACTIVE)
    active = active.filter(slot=slot) if slot is not None else active.filter(ticket_type=ticket_type, slot=None)
    if exclude is not None:
        active = active.exclude(pk=exclude.pk)
    if active.count() >= ticket_type.registrations_per_phone:
        raise DomainError(EventsCode.PHONE_LIMIT, field="phone", count=ticket_type.registrations_per_phone)


def _checked_payment_method(method):
    """The method a paid ticket is paid by: the one asked for if it can be paid now, or the default when none was
    asked for; refused (`invalid_payment_method`) before anything is held. The rule is the checkout's."""

    method = method or payment_methods.default_payment_method() or ""
    try:
        return payment_methods.check_payment_method(method)
    except DomainError as exc:
        raise DomainError(exc.code, field="payment_method", **exc.params) from exc


def _ticket_order(registration, payment_method, now):

    ticket_type = registration.ticket_type
    name = _("%(ticket)s, %(fair)s") % {"ticket": ticket_type.name, "fair": registration.fair.title}
    if registration.slot_id:
        name = f"{name} ({registration.slot})"
    due = None
    # Without an account the hold is short (guest_hold_window), so anonymous calls cannot keep a fair's paid
    # places for days; with one, the checkout's usual payment window.
    window = checkout.payment_window(payment_method) if registration.user_id else guest_hold_window(payment_method)
    if not registration.user_id:
        due = now + window
    if registration.slot_id:
        due = min(now + window, registration.slot.start_datetime()) if registration.slot.start_datetime() > now else due
    return checkout.place_fee_order(
        buyer=registration.user,
        # Without an account the order is the guest's: contact from the registration, opened by its token.
        guest=None
        if registration.user_id
        else checkout.GuestContact(name=registration.name, phone=registration.phone, email=registration.email),
        fees=[
            checkout.Fee(
                kind=OrderLine.Kind.TICKET,
                name=name[:255],
                unit_price=ticket_type.price,
                quantity=registration.people,
                reference=f"{REFERENCE_PREFIX}{registration.pk}",
            )
        ],
        payment_method=payment_method,
        payment_due_at=due,
    )


# -- the place counters' invariant ------------------------------------------------------------------------


def counted_places(fair):
    """What the place counters of a fair must be: for each slot and ticket type, (confirmed, held) = the people of
    its confirmed and its holding registrations. Keyed by the TimeSlot or TicketType model and the row's id."""
    regs = Registration.objects.filter(fair=fair)
    counted = {}
    for model, key in ((TimeSlot, "slot"), (TicketType, "ticket_type")):
        confirmed = dict(regs.filter(status=S.CONFIRMED).values_list(key).annotate(n=Sum("people")).order_by())
        held = dict(regs.filter(status__in=Registration.HOLDING).values_list(key).annotate(n=Sum("people")).order_by())
        for pk in model.objects.filter(fair=fair).values_list("pk", flat=True):
            counted[model, pk] = (confirmed.get(pk, 0), held.get(pk, 0))
    return counted


def place_counter_drift(fair):
    """The slots and ticket types whose stored counters differ from their registrations: [(obj, counted)]."""
    counted = counted_places(fair)
    return [
        (obj, counted[type(obj), obj.pk])
        for model in (TimeSlot, TicketType)
        for obj in model.objects.filter(fair=fair).order_by("pk")
        if (obj.confirmed, obj.held) != counted[model, obj.pk]
    ]


def recount_places(fair):
    """The bulk path (the demo loader creates registrations in bulk): set every counter of the fair from its
    registrations, under the locks in the one order (slots by id, then ticket types by id). The check
    constraints still hold the counters to the capacities."""
    with transaction.atomic():
        slots = locking.lock(TimeSlot.objects.filter(fair=fair))
        ticket_types = locking.lock(TicketType.objects.filter(fair=fair))
        counted = counted_places(fair)
        for obj in slots + ticket_types:
            obj.confirmed, obj.held = counted[type(obj), obj.pk]
            obj.save(update_fields=["confirmed", "held"])


# -- releasing places and the waiting list -----------------------------------------------------------------


def _release(registration, status, slot, ticket_type, user=None, reason=""):
    """Inside the locks: end a registration and give its places back to the counters."""
    people = registration.people
    if registration.status == S.CONFIRMED:
        _add([slot, ticket_type], confirmed=-people)
    elif registration.status in Registration.HOLDING:
        _add([slot, ticket_type], held=-people)
    previous = registration.status
    Registration.TRANSITIONS.move(registration, status)
    registration.ended_at = timezone.now()
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "ended_at", "offer_expires_at"])
    _audit(
        registration.fair,
        f"events.registration_{status}",
        user,
        registration=registration.pk,
        previous=previous,
        reason=str(reason)[:200],
    )


def _offer_next(slot, ticket_type, now=None, slots=None):
    """Inside the locks: offer freed places to the waiting lists, first come first served. `slots` (id → slot)
    are the locked slots, `slot` among them: when a cancellation frees a place of the ticket type (its own
    capacity being the limit), the earliest visitor waiting for this ticket type in any locked slot that still
    has room for them gets it, not only the freed slot's list. The earliest one blocks the rest: a smaller
    group behind never jumps ahead, for the ticket type or within a slot. Each offer holds its places at once,
    so a place is never offered twice. Returns the registrations offered."""
    now = now or timezone.now()
    slots = dict(slots or {})
    if slot is not None:
        slots.setdefault(slot.pk, slot)
    offered = []
    while True:
        pk = _next_in_line(ticket_type, slots)
        if pk is None:
            break
        head = locking.lock_one(Registration.objects.select_related("fair"), pk)
        head_slot = slots.get(head.slot_id)
        if head.status != S.WAITLISTED or not _fits(head.people, head_slot, ticket_type):
            break
        _add([head_slot, ticket_type], held=head.people)
        Registration.TRANSITIONS.move(head, S.OFFERED)
        head.offer_expires_at = now + offer_window()
        head.save(update_fields=["status", "offer_expires_at"])
        _audit(
            head.fair,
            "events.registration_offered",
            None,
            registration=head.pk,
            until=head.offer_expires_at.isoformat(),
        )
        offered.append(head)
        _notify(head, "offered")
    return offered


class _LockAgain(Exception):
    """Give back the locks of one attempt (its savepoint) and lock again."""


def _locked_registration(registration, extra_slot_ids=(), waiting=False):
    """Lock slot(s) → ticket type → registration for an existing registration. Returns (reg, slots, type).
    `waiting`: also lock the slots where someone waits for the ticket type (an operation that frees ticket-type
    places may offer them there; see _offer_next)."""
    current = Registration.objects.filter(pk=registration.pk).values("slot_id", "ticket_type_id").first()
    if current is None:
        raise DomainError(EventsCode.REGISTRATION_NOT_FOUND)
    wanted = {current["slot_id"], *extra_slot_ids} - {None}
    if not waiting:
        slots, ticket_type = _lock(sorted(wanted), current["ticket_type_id"])
    else:
        # Someone may join a waiting list in another slot between reading the list and locking the ticket type
        # (joining takes the ticket-type lock, so the set is settled once we hold it). Then give back these
        # locks (a savepoint's row locks go with it) and lock again with that slot too, in the one order.
        for attempt in range(WAITING_LOCK_ATTEMPTS):
            wanted |= set(_waiting_slot_ids(current["ticket_type_id"]))
            try:
                with transaction.atomic():
                    slots, ticket_type = _lock(sorted(wanted), current["ticket_type_id"])
                    missing = set(_waiting_slot_ids(current["ticket_type_id"])) - set(slots)
                    if missing and attempt < WAITING_LOCK_ATTEMPTS - 1:
                        raise _LockAgain
            except _LockAgain:
                continue
            break
    reg = locking.lock_one(Registration.objects.select_related("fair"), registration.pk)
    return reg, slots, ticket_type


def cancel(registration, *, user=None, reason="", now=None):
    """Cancel a registration (by its holder through the manage link, or staff). An unpaid order is
    cancelled; a paid one is refunded until the fair's refund date. The places go to the waiting list."""

    registration = Registration.objects.select_related("fair", "order").get(pk=registration.pk)
    if registration.status not in Registration.ACTIVE:
        raise DomainError(EventsCode.REGISTRATION_NOT_ACTIVE, status=registration.get_status_display())
    reason = reason or _("Cancelled by the visitor.")
    order = registration.order
    if order is not None:
        order.refresh_from_db()
        if order.is_open_unpaid:
            checkout.cancel_order(order, user=user or registration.user, reason=str(reason)[:200], by_staff=True)
        elif order.status == order.Status.PAID and refund_allowed(registration.fair):
            checkout.refund(order, user=user, reason=str(reason)[:200])
    with transaction.atomic():
        reg, slots, ticket_type = _locked_registration(registration, waiting=True)
        slot = slots.get(reg.slot_id)
        if reg.status in Registration.ACTIVE:
            _release(reg, S.CANCELLED, slot, ticket_type, user, reason)
            _offer_next(slot, ticket_type, now, slots=slots)
            _notify(reg, "cancelled")
    return reg


def set_ticket_type_capacity(ticket_type, capacity, *, user=None, now=None):
    """Change a ticket type's capacity under its locks. Lowering below the places taken is refused; places a
    raise frees go to the waiting lists at once (the same rule as a cancellation). Returns the registrations
    offered a place."""
    with transaction.atomic():
        waiting_slots = _waiting_slot_ids(ticket_type.pk)
        slots, locked = _lock(sorted(waiting_slots), ticket_type.pk)
        offered = _change_capacity(locked, capacity, user)
        offered += _offer_next(None, locked, now, slots=slots)
    ticket_type.capacity = locked.capacity
    ticket_type.confirmed, ticket_type.held = locked.confirmed, locked.held
    return offered


def set_slot_capacity(slot, capacity, *, user=None, now=None):
    """Change a time slot's capacity under its locks (the slot, then each ticket type with someone waiting in
    it, by ascending id: the one lock order). Lowering below the places taken is refused; freed places are
    offered to the slot's waiting lists at once. Returns the registrations offered a place."""
    with transaction.atomic():
        locked = locking.lock_one(TimeSlot, slot.pk)
        offered = _change_capacity(locked, capacity, user)
        waiting_types = (
            Registration.objects.filter(slot=locked, status=S.WAITLISTED)
            .order_by("ticket_type_id")
            .values_list("ticket_type_id", flat=True)
            .distinct()
        )
        # All the ticket types first: offering places locks registrations, which come after them.
        for ticket_type in locking.lock(TicketType, list(waiting_types)):
            offered += _offer_next(locked, ticket_type, now, slots={locked.pk: locked})
    slot.capacity = locked.capacity
    slot.confirmed, slot.held = locked.confirmed, locked.held
    return offered


def _change_capacity(locked, capacity, user):
    """Inside the lock of `locked` (a TicketType or TimeSlot): set its capacity, never below the places taken."""
    taken = locked.confirmed + locked.held
    if capacity is None or capacity < max(taken, 1):
        raise DomainError(EventsCode.CAPACITY_BELOW_TAKEN, field="capacity", n=taken)
    previous = locked.capacity
    if capacity == previous:
        return []
    locked.capacity = capacity
    locked.save(update_fields=["capacity"])
    _audit(
        locked.fair,
        f"events.{type(locked).__name__.lower()}_capacity",
        user,
        object=locked.pk,
        previous=previous,
        capacity=capacity,
    )
    return []


def accept_offer(registration, *, user=None, payment_method="", now=None):
    """The visitor takes the place offered from the waiting list before the offer expires. A paid ticket is then
    held with an order paid by `payment_method` (default: the default of the methods available now)."""
    now = now or timezone.now()
    with transaction.atomic():
        reg, slots, ticket_type = _locked_registration(registration)
        slot = slots.get(reg.slot_id)
        if reg.status != S.OFFERED:
            raise DomainError(EventsCode.REGISTRATION_NOT_ACTIVE, status=reg.get_status_display())
        if reg.offer_expires_at and reg.offer_expires_at <= now:
            raise DomainError(EventsCode.OFFER_EXPIRED)
        if ticket_type.is_free:
            _add([slot, ticket_type], held=-reg.people, confirmed=reg.people)
            Registration.TRANSITIONS.move(reg, S.CONFIRMED)
            reg.confirmed_at = now
        else:
            Registration.TRANSITIONS.move(reg, S.HELD)
            reg.order = _ticket_order(reg, _checked_payment_method(payment_method), now)
        reg.offer_expires_at = None
        reg.save(update_fields=["status", "confirmed_at", "order", "offer_expires_at"])
        _audit(reg.fair, "events.registration_offer_accepted", user, registration=reg.pk)
    _notify(reg, reg.status)
    return reg


def expire_offers(now=None):
    """Offers not taken up in time lapse and go to the next on the list. Returns how many lapsed."""
    now = now or timezone.now()
    count = 0
    for pk in Registration.objects.filter(status=S.OFFERED, offer_expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            reg, slots, ticket_type = _locked_registration(Registration(pk=pk), waiting=True)
            if reg.status != S.OFFERED or reg.offer_expires_at is None or reg.offer_expires_at > now:
                continue
            slot = slots.get(reg.slot_id)
            _release(reg, S.LAPSED, slot, ticket_type, None, "offer expired")
            _offer_next(slot, ticket_type, now, slots=slots)
            count += 1
    return count


def change_slot(registration, new_slot, *, user=None, now=None):
    """Move a confirmed (or held) registration to another slot of the same fair while it has room."""
    now = now or timezone.now()
    if new_slot is None:
        raise DomainError(EventsCode.SLOT_REQUIRED, field="slot")
    registration = Registration.objects.select_related("fair").get(pk=registration.pk)
    _check_slot(registration.fair, new_slot, now)
    with transaction.atomic():
        reg, slots, ticket_type = _locked_registration(registration, [new_slot.pk])
        if reg.status not in (S.CONFIRMED, S.HELD):
            raise DomainError(EventsCode.REGISTRATION_NOT_ACTIVE, status=reg.get_status_display())
        if reg.slot_id == new_slot.pk:
            raise DomainError(EventsCode.ALREADY_REGISTERED, field="slot")
        old, new = slots.get(reg.slot_id), slots[new_slot.pk]
        if new.closed:
            raise DomainError(EventsCode.SLOT_CLOSED, field="slot")
        _check_phone_limit(ticket_type, new, reg.phone, exclude=reg)
        if new.remaining < reg.people or _someone_waiting(ticket_type, new):
            raise DomainError(EventsCode.SLOT_FULL, field="slot")
        field = "confirmed" if reg.status == S.CONFIRMED else "held"
        _add([new], **{field: reg.people})
        _add([old], **{field: -reg.people})
        previous = reg.slot_id
        reg.slot = new
        reg.save(update_fields=["slot"])
        _audit(reg.fair, "events.registration_slot_changed", user, registration=reg.pk, old=previous, new=new.pk)
        if old is not None:
            _offer_next(old, ticket_type, now, slots=slots)
    _notify(reg, "changed")
    return reg


# -- the checkout's signals (inside the order's transaction, order locked) ------------------------------------


def registrations_for_order(order):
    return Registration.objects.filter(order=order)


@receiver(checkout_signals.order_paid, dispatch_uid="events.registration_order_paid")
def on_order_paid(sender, order, **kwargs):
    for pk in registrations_for_order(order).values_list("pk", flat=True):
        reg, slots, ticket_type = _locked_registration(Registration(pk=pk))
        if reg.status != S.HELD:
            _audit(reg.fair, "events.payment_for_inactive_registration", None, registration=reg.pk, order=order.number)
            continue
        _add([slots.get(reg.slot_id), ticket_type], held=-reg.people, confirmed=reg.people)
        Registration.TRANSITIONS.move(reg, S.CONFIRMED)
        reg.confirmed_at = timezone.now()
        reg.save(update_fields=["status", "confirmed_at"])
        _audit(reg.fair, "events.registration_confirmed", None, registration=reg.pk, order=order.number)
        _notify(reg, "confirmed")


@receiver(checkout_signals.payment_deadline, dispatch_uid="events.registration_payment_deadline")
def ticket_payment_deadline(sender, order, method, due, **kwargs):
    """A held ticket for a time slot must be paid before the slot starts, as when it was registered
    (`_ticket_order`), whatever method the visitor switches to."""
    now = timezone.now()
    starts = [
        reg.slot.start_datetime()
        for reg in registrations_for_order(order).select_related("slot")
        if reg.slot_id and reg.slot.start_datetime() > now
    ]
    return min([due, *starts]) if starts else None


@receiver(checkout_signals.order_closed, dispatch_uid="events.registration_order_closed")
def on_order_closed(sender, order, reason, **kwargs):
    for pk in registrations_for_order(order).values_list("pk", flat=True):
        reg, slots, ticket_type = _locked_registration(Registration(pk=pk), waiting=True)
        status = S.RELEASED if reason == "expired" else S.CANCELLED
        if reg.status not in (S.HELD, S.CONFIRMED) or not Registration.TRANSITIONS.allows(reg.status, status):
            continue
        slot = slots.get(reg.slot_id)
        _release(reg, status, slot, ticket_type, None, reason)
        _offer_next(slot, ticket_type, slots=slots)
        _notify(reg, status)


def _people_checked_in(registrations, **checkin_filter):
    checked = CheckIn.objects.filter(**checkin_filter).values("registration")
    return registrations.filter(pk__in=checked).aggregate(n=Sum("people"))["n"] or 0


# -- organiser figures ------------------------------------------------------------------------------------


def registration_stats(fair, now=None):
    now = now or timezone.now()
    regs = Registration.objects.filter(fair=fair)

    def by_status(qs):
        return dict(qs.values_list("status").annotate(n=Sum("people")).order_by())

    slots = []
    for slot in TimeSlot.objects.filter(fair=fair).order_by("date", "starts_at"):
        counts = by_status(regs.filter(slot=slot))
        checked = _people_checked_in(regs.filter(slot=slot), slot=slot)
        slots.append({"slot": slot, "counts": counts, "checked_in": checked})
    types = [
        {"ticket_type": t, "counts": by_status(regs.filter(ticket_type=t))}
        for t in TicketType.objects.filter(fair=fair).order_by("price", "pk")
    ]
    past = regs.filter(status=S.CONFIRMED).filter(
        Q(slot__date__lt=timezone.localdate(now)) | Q(slot__isnull=True, fair__end_date__lt=timezone.localdate(now))
    )
    expected = past.aggregate(n=Sum("people"))["n"] or 0
    came = _people_checked_in(past, fair=fair)
    over_time = list(
        CheckIn.objects.filter(fair=fair)
        .annotate(hour=TruncHour("at"))
        .values("hour")
        .annotate(people=Sum("people"), scans=Count("pk"))
        .order_by("hour")
    )
    waiting = (
        regs.filter(status__in=[S.WAITLISTED, S.OFFERED])
        .select_related("slot", "ticket_type")
        .order_by("ticket_type", "slot", "created_at", "pk")
    )
    return {
        "slots": slots,
        "ticket_types": types,
        "waiting": list(waiting),
        "no_show_expected": expected,
        "no_show_came": came,
        "no_show_rate": (1 - came / expected) if expected else None,
        "checkins_over_time": over_time,
    }


# -- reminders ----------------------------------------------------------------------------------------------


def send_reminders(now=None):
    """E-mail confirmed visitors whose slot (or fair) is tomorrow, once. Returns how many were reminded."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    due = Registration.objects.filter(status=S.CONFIRMED, reminder_sent_at__isnull=True).filter(
        Q(slot__date=tomorrow) | Q(slot__isnull=True, fair__start_date=tomorrow)
    )
    count = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            updated = Registration.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
            if updated:
                _notify(Registration.objects.get(pk=pk), "reminder")
                count += 1
    return count


def _notify(registration, kind):
    registration_id = registration.pk
    transaction.on_commit(lambda: send_registration_mail_task.enqueue(registration_id, kind), robust=True)


def slot_datetimes(slot):
    return datetime.combine(slot.date, slot.starts_at), datetime.combine(slot.date, slot.ends_at)
