"""Stall applications and bookings: apply, approve, waitlist, reject, self-book, cancel; confirm and release.

Rules (DESIGN.md, "Scarce things and concurrency"):
- each operation is one transaction and raises DomainError(code, field, **params), the code from events.errors;
- a stall changes hands only with its Stall row locked (cms.locking), then the booking row; the
  partial unique constraint `events_one_active_booking_per_stall` is the backstop (IntegrityError →
  "stall_taken");
- when an order is involved the checkout locks the order first and then sends its signals, whose receivers
  here lock the stall and the booking: so a cancellation that involves an order goes through the checkout
  (order → stall → booking), never stall → order;
- a stall fee is an order of fees (marketplace.checkout.services.place_fee_order); the hold deadline is the
  order's payment_due_at and the checkout's expiry job releases the stall through `order_closed`;
- every state change writes an audit entry (wagtail.log_actions.log) and e-mails go out after commit.
"""

import dataclasses
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from cms import locking
from cms.errors import DomainError
from events.errors import EventsCode
from events.models import FairPage, Stall, StallApplication, StallBooking, StallType
from events.stalls import notifications
from marketplace.checkout import payment_methods
from marketplace.checkout import services as checkout
from marketplace.checkout import signals as checkout_signals
from marketplace.checkout.models import Order, OrderLine, PaymentMethod
from marketplace.models import VendorMember, VendorPage

CENT = Decimal("0.01")
REFERENCE_PREFIX = "events.stallbooking:"


# -- who may act ------------------------------------------------------------------------------------------


def vendors_of(user):
    if not getattr(user, "is_authenticated", False):
        return VendorPage.objects.none()
    return VendorPage.objects.filter(members__user=user)


def _check_vendor(user, vendor):
    if vendor is None or not getattr(user, "is_authenticated", False):
        raise DomainError(EventsCode.NOT_VENDOR)
    if not VendorMember.objects.filter(user=user, vendor=vendor).exists():
        raise DomainError(EventsCode.NOT_VENDOR_MEMBER)
    if not vendor.is_approved:
        raise DomainError(EventsCode.VENDOR_NOT_APPROVED)


def _check_fair_open(fair, *, now=None):
    if fair.status == FairPage.Status.CANCELLED:
        raise DomainError(EventsCode.FAIR_CANCELLED)
    if fair.status != FairPage.Status.OPEN:
        raise DomainError(EventsCode.FAIR_CLOSED)
    now = now or timezone.now()
    if fair.applications_open and now < fair.applications_open:
        raise DomainError(
            EventsCode.APPLICATIONS_NOT_OPEN, date=timezone.localtime(fair.applications_open).strftime("%Y-%m-%d %H:%M")
        )
    if fair.applications_close and now > fair.applications_close:
        raise DomainError(EventsCode.APPLICATIONS_CLOSED)


def _check_stall(fair, stall):
    if stall is None or stall.fair_id != fair.pk:
        raise DomainError(EventsCode.STALL_NOT_AT_FAIR, field="stall")
    if stall.blocked:
        raise DomainError(EventsCode.STALL_BLOCKED, field="stall", code=stall.code)


def _addons(fair, addons):
    addons = list(addons or [])
    if any(a.fair_id != fair.pk for a in addons):
        raise DomainError(EventsCode.ADDON_NOT_OFFERED, field="addons")
    return addons


def _audit(instance, action, user=None, **data):
    log(instance=instance, action=action, user=user if getattr(user, "pk", None) else None, data=data)


# -- applications ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class ApplicationRequest:
    stall_type: StallType | None = None
    preferred_stalls: list = dataclasses.field(default_factory=list)
    products: list = dataclasses.field(default_factory=list)
    product_note: str = ""
    needs_power: bool = False
    needs_water: bool = False
    addons: list = dataclasses.field(default_factory=list)
    food_licence: object = None
    note: str = ""


def can_see_application_files(user, application):
    """Who may open a stall application's uploads (food licence): the applicant, the vendor's members, and
    organisers (who may change stall applications) or superusers."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.has_perm("events.change_stallapplication"):
        return True
    if application.applicant_id == user.pk:
        return True
    return vendors_of(user).filter(pk=application.vendor_id).exists()


def make_application_files_private(model=None):
    """Move stall application uploads stored before the private area existed (public `fair-applications/…`)
    into it under fresh unguessable names. Idempotent; run by migration 0010 with its historical model (only
    `pk` and `food_licence` are used). Returns how many files moved."""
    from django.core.files.storage import default_storage

    from cms.private_media import private_name
    from cms.storage import is_private
    from events.models import APPLICATION_FILES

    model = model or StallApplication
    moved = 0
    for application in model.objects.exclude(food_licence="").only("pk", "food_licence"):
        old = application.food_licence.name
        if is_private(old):
            continue
        new = ""
        if default_storage.exists(old):
            with default_storage.open(old) as source:
                new = default_storage.save(private_name(APPLICATION_FILES, old), source)
        # A file already gone from the disk leaves nothing to serve: the field is cleared rather than pointing
        # at a public name again.
        model.objects.filter(pk=application.pk).update(food_licence=new)
        if new:
            default_storage.delete(old)
            moved += 1
    return moved


def apply(*, fair, vendor, user, request, now=None):
    """A vendor applies for a stall at a fair. Returns the StallApplication."""
    _check_vendor(user, vendor)
    _check_fair_open(fair, now=now)
    if request.stall_type is not None and request.stall_type.fair_id != fair.pk:
        raise DomainError(EventsCode.STALL_TYPE_NOT_AT_FAIR, field="stall_type")
    for stall in request.preferred_stalls:
        _check_stall(fair, stall)
    if any(p.vendor_id != vendor.pk for p in request.products if hasattr(p, "vendor_id")):
        raise DomainError(EventsCode.PRODUCTS_NOT_OWN, field="products")
    addons = _addons(fair, request.addons)
    try:
        with transaction.atomic():
            if StallApplication.objects.filter(fair=fair, vendor=vendor, status__in=StallApplication.ACTIVE).exists():
                raise DomainError(EventsCode.ALREADY_APPLIED, vendor=vendor.title)
            application = StallApplication.objects.create(
                fair=fair,
                vendor=vendor,
                applicant=user,
                stall_type=request.stall_type,
                product_note=request.product_note,
                needs_power=request.needs_power,
                needs_water=request.needs_water,
                note=request.note,
                food_licence=request.food_licence or "",
            )
            application.preferred_stalls.set(request.preferred_stalls)
            application.products.set(request.products)
            application.addons.set(addons)
            _audit(fair, "events.application_submitted", user, application=application.pk, vendor=vendor.title)
    except IntegrityError:
        raise DomainError(EventsCode.ALREADY_APPLIED, vendor=vendor.title) from None
    _notify(application, "received")
    return application


def _locked_application(application):
    return locking.lock_one(StallApplication.objects.select_related("fair", "vendor"), application.pk)


def waitlist(application, *, user, note=""):
    with transaction.atomic():
        application = _locked_application(application)
        StallApplication.TRANSITIONS.move(application, StallApplication.Status.WAITLISTED)
        application.decided_at, application.decided_by = timezone.now(), user
        application.save(update_fields=["status", "decided_at", "decided_by"])
        _audit(application.fair, "events.application_waitlisted", user, application=application.pk)
    _notify(application, "waitlisted")
    return application


def reject(application, *, user, reason):
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(EventsCode.STALL_REJECTION_REASON_REQUIRED, field="reason")
    with transaction.atomic():
        application = _locked_application(application)
        StallApplication.TRANSITIONS.move(application, StallApplication.Status.REJECTED)
        application.reason = reason
        application.decided_at, application.decided_by = timezone.now(), user
        application.save(update_fields=["status", "reason", "decided_at", "decided_by"])
        _audit(application.fair, "events.application_rejected", user, application=application.pk, reason=reason)
    _notify(application, "rejected")
    return application


def approve(application, *, stall, user, payment_method=PaymentMethod.BANK_TRANSFER, now=None):
    """Approve an application with a stall: the stall is held until its fee is paid (or confirmed if free)."""
    with transaction.atomic():
        application = _locked_application(application)
        fair = application.fair
        if fair.status == FairPage.Status.CANCELLED:
            raise DomainError(EventsCode.FAIR_CANCELLED)
        if not StallApplication.TRANSITIONS.allows(application.status, StallApplication.Status.APPROVED):
            StallApplication.TRANSITIONS.move(application, StallApplication.Status.APPROVED)
        booking = _take_stall(
            fair=fair,
            stall=stall,
            vendor=application.vendor,
            user=application.applicant,
            addons=list(application.addons.all()),
            application=application,
            payment_method=payment_method,
            now=now,
        )
        StallApplication.TRANSITIONS.move(application, StallApplication.Status.APPROVED)
        application.decided_at, application.decided_by = timezone.now(), user
        application.save(update_fields=["status", "decided_at", "decided_by"])
        _audit(fair, "events.application_approved", user, application=application.pk, stall=booking.stall.code)
    _notify(application, "approved", booking=booking)
    return booking


def self_book(*, fair, vendor, user, stall, addons=(), payment_method=PaymentMethod.BANK_TRANSFER, now=None):
    """First come, first served: a vendor books an available stall itself (fairs that allow it)."""
    _check_vendor(user, vendor)
    _check_fair_open(fair, now=now)
    if not fair.allows_self_booking:
        raise DomainError(EventsCode.REVIEW_ONLY)
    with transaction.atomic():
        booking = _take_stall(
            fair=fair,
            stall=stall,
            vendor=vendor,
            user=user,
            addons=_addons(fair, addons),
            application=None,
            payment_method=payment_method,
            now=now,
        )
    _notify_booking(booking, "approved")
    return booking


def _hold_deadline(fair, now):
    deadline = now + timedelta(hours=fair.payment_hours or 72)
    # Never hold a stall past the eve of the fair.
    eve = timezone.make_aware(datetime.combine(fair.start_date, time(0, 0)))
    return min(deadline, eve) if eve > now else deadline


def booking_price(stall_type, addons):
    return (stall_type.price + sum((a.price for a in addons), Decimal("0"))).quantize(CENT)


def _take_stall(*, fair, stall, vendor, user, addons, application, payment_method, now):
    """Inside a transaction: lock the stall, check it is free, create the booking and its fee order."""
    now = now or timezone.now()
    if stall is None:
        raise DomainError(EventsCode.STALL_REQUIRED, field="stall")
    try:
        stall = locking.lock_one(Stall.objects.select_related("stall_type"), stall.pk)
    except Stall.DoesNotExist:
        raise DomainError(EventsCode.STALL_NOT_FOUND, field="stall") from None
    _check_stall(fair, stall)
    if StallBooking.objects.filter(stall=stall, status__in=StallBooking.ACTIVE).exists():
        raise _taken(stall)
    if (
        application is None
        and StallBooking.objects.filter(fair=fair, vendor=vendor, status__in=StallBooking.ACTIVE).exists()
    ):
        raise DomainError(EventsCode.ALREADY_BOOKED, vendor=vendor.title)
    fee = booking_price(stall.stall_type, addons)
    try:
        with transaction.atomic():
            booking = StallBooking.objects.create(
                fair=fair,
                stall=stall,
                vendor=vendor,
                application=application,
                booked_by=user,
                status=StallBooking.Status.CONFIRMED if fee <= 0 else StallBooking.Status.HELD,
                fee=fee,
                confirmed_at=now if fee <= 0 else None,
                created_at=now,
            )
    except IntegrityError:
        raise _taken(stall) from None
    if fee > 0:
        due = _hold_deadline(fair, now)
        amount = fee
        name = _("Stall %(code)s at %(fair)s") % {"code": stall.code, "fair": fair.title}
        if fair.deposit_percent and fair.deposit_percent < 100:
            amount = (fee * fair.deposit_percent / 100).quantize(CENT, ROUND_HALF_UP)
            name = _("Deposit for stall %(code)s at %(fair)s") % {"code": stall.code, "fair": fair.title}
        booking.order = _fee_order(booking, user, name, amount, payment_method, due)
        booking.hold_until = due
        booking.save(update_fields=["order", "hold_until"])
        _audit(
            fair,
            "events.stall_held",
            user,
            booking=booking.pk,
            stall=stall.code,
            vendor=vendor.title,
            order=booking.order.number,
        )
    else:
        _audit(fair, "events.stall_confirmed", user, booking=booking.pk, stall=stall.code, vendor=vendor.title)
    return booking


def _fee_order(booking, buyer, name, amount, payment_method, due):

    return checkout.place_fee_order(
        buyer=buyer,
        fees=[
            checkout.Fee(
                kind=OrderLine.Kind.STALL_FEE,
                name=name[:255],
                unit_price=amount,
                reference=f"{REFERENCE_PREFIX}{booking.pk}",
            )
        ],
        payment_method=payment_method,
        payment_due_at=due,
    )


def _taken(stall):
    return DomainError(EventsCode.STALL_TAKEN, field="stall", code=stall.code)


# -- cancelling -------------------------------------------------------------------------------------------


def refund_allowed(fair, today=None):
    today = today or timezone.localdate()
    return fair.refund_until is not None and today <= fair.refund_until


def cancel_booking(booking, *, user, reason="", by_staff=False):
    """Give a stall back. Unpaid: the fee order is cancelled. Paid: refunded until the fair's refund date,
    after that the stall is released without a refund. The order (if any) is locked first, by the checkout."""

    booking = StallBooking.objects.select_related("fair", "order", "balance_order").get(pk=booking.pk)
    if not by_staff and not VendorMember.objects.filter(user=user, vendor_id=booking.vendor_id).exists():
        raise DomainError(EventsCode.BOOKING_NOT_YOURS)
    if not booking.is_active:
        raise DomainError(EventsCode.BOOKING_NOT_ACTIVE, status=booking.get_status_display())
    reason = reason or _("Cancelled by the exhibitor.")
    orders = [o for o in (booking.balance_order, booking.order) if o is not None]
    for order in orders:
        order.refresh_from_db()
        if order.is_open_unpaid:
            checkout.cancel_order(order, user=user, reason=reason[:200], by_staff=True)
    paid = [o for o in orders if o.status == Order.Status.PAID]
    if paid and refund_allowed(booking.fair):
        for order in paid:
            checkout.refund(order, user=user, reason=reason[:200])
    # Whatever the orders did, the stall is given back now (idempotent if a receiver already did it).
    with transaction.atomic():
        stall = locking.lock_one(Stall, booking.stall_id)
        booking = locking.lock_one(StallBooking, booking.pk)
        if booking.is_active:
            _end(booking, StallBooking.Status.CANCELLED, reason, user)
        del stall
    _notify_booking(booking, "cancelled")
    return booking


def _end(booking, status, reason, user=None):
    StallBooking.TRANSITIONS.move(booking, status)
    booking.ended_at = timezone.now()
    booking.end_reason = str(reason)[:200]
    booking.save(update_fields=["status", "ended_at", "end_reason"])
    _audit(
        booking.fair,
        f"events.stall_{status}",
        user,
        booking=booking.pk,
        stall=booking.stall.code,
        vendor=booking.vendor.title,
        reason=booking.end_reason,
    )


def cancel_fair(fair, *, user, reason):
    """Cancel a fair: every active booking is cancelled (unpaid orders cancelled, paid ones refunded)."""
    with transaction.atomic():
        fair = locking.lock_one(FairPage, fair.pk)
        fair.status = FairPage.Status.CANCELLED
        fair.save(update_fields=["status"])
        _audit(fair, "events.fair_cancelled", user, reason=reason)

    for booking in StallBooking.objects.filter(fair=fair, status__in=StallBooking.ACTIVE):
        for order in (booking.balance_order, booking.order):
            if order is None:
                continue
            order.refresh_from_db()
            if order.is_open_unpaid:
                checkout.cancel_order(order, user=user, reason=reason[:200], by_staff=True)
            elif order.status == Order.Status.PAID:
                checkout.refund(order, user=user, reason=reason[:200])
        with transaction.atomic():
            locking.lock_one(Stall, booking.stall_id)
            booking = locking.lock_one(StallBooking, booking.pk)
            if booking.is_active:
                _end(booking, StallBooking.Status.CANCELLED, reason, user)
        _notify_booking(booking, "cancelled")
    return fair


# -- the checkout's signals (sent inside the order's transaction, order row locked) -------------------------


def bookings_for_order(order):
    return StallBooking.objects.filter(Q(order=order) | Q(balance_order=order))


@receiver(checkout_signals.order_paid, dispatch_uid="events.order_paid")
def on_order_paid(sender, order, **kwargs):
    for booking_id in bookings_for_order(order).values_list("pk", flat=True):
        booking = StallBooking.objects.filter(pk=booking_id).values_list("stall_id", flat=True).first()
        locking.lock(Stall, [booking])
        booking = locking.lock_one(StallBooking.objects.select_related("fair", "stall", "vendor"), booking_id)
        if booking.status != StallBooking.Status.HELD:
            _audit(booking.fair, "events.payment_for_inactive_booking", None, booking=booking.pk, order=order.number)
            continue
        StallBooking.TRANSITIONS.move(booking, StallBooking.Status.CONFIRMED)
        booking.confirmed_at = timezone.now()
        booking.hold_until = None
        fields = ["status", "confirmed_at", "hold_until"]
        if booking.order_id == order.pk and order.total < booking.fee:
            # A deposit: the rest is due by the fair's balance date (or the eve of the fair).
            fair = booking.fair
            due = (
                timezone.make_aware(datetime.combine(fair.balance_due, time(23, 59)))
                if fair.balance_due
                else _hold_deadline(fair, timezone.now())
            )
            rest = booking.fee - order.total
            name = _("Balance for stall %(code)s at %(fair)s") % {"code": booking.stall.code, "fair": fair.title}
            # Paid the same way as the deposit if that can still be paid, else by the default method, so that
            # applying a payment never fails on a method switched off since.
            method = order.payment_method
            if not payment_methods.is_available(method):
                method = payment_methods.default_payment_method() or method
            booking.balance_order = _fee_order(booking, order.buyer, name, rest, method, due)
            fields.append("balance_order")
        booking.save(update_fields=fields)
        _audit(
            booking.fair,
            "events.stall_confirmed",
            None,
            booking=booking.pk,
            stall=booking.stall.code,
            vendor=booking.vendor.title,
            order=order.number,
        )
        transaction.on_commit(lambda b=booking: _notify_booking(b, "confirmed"))


@receiver(checkout_signals.payment_deadline, dispatch_uid="events.stall_payment_deadline")
def keep_stall_payment_deadline(sender, order, method, due, **kwargs):
    """A stall fee is due by the booking's hold deadline (or the balance date) whatever the payment method, so
    switching methods keeps the order's deadline (and the booking's hold_until that mirrors it)."""
    if bookings_for_order(order).exists():
        return order.payment_due_at
    return None


@receiver(checkout_signals.order_closed, dispatch_uid="events.order_closed")
def on_order_closed(sender, order, reason, **kwargs):
    for booking_id in bookings_for_order(order).values_list("pk", flat=True):
        stall_id = StallBooking.objects.filter(pk=booking_id).values_list("stall_id", flat=True).first()
        locking.lock(Stall, [stall_id])
        booking = locking.lock_one(StallBooking.objects.select_related("fair", "stall", "vendor"), booking_id)
        if not booking.is_active:
            continue
        if reason == "expired":
            status, why = StallBooking.Status.RELEASED, _("The stall fee was not paid in time.")
        elif reason == "refunded":
            status, why = StallBooking.Status.CANCELLED, _("The stall fee was refunded.")
        else:
            status, why = StallBooking.Status.CANCELLED, _("The stall fee order was cancelled.")
        _end(booking, status, why)
        if reason == "expired":
            transaction.on_commit(lambda b=booking: _notify_booking(b, "released"))


# -- reminders ---------------------------------------------------------------------------------------------


def send_payment_reminders(*, within=timedelta(hours=24), now=None):
    """E-mail vendors whose held stall's fee is due within `within`. Returns how many were reminded."""
    now = now or timezone.now()
    held = StallBooking.objects.filter(
        status=StallBooking.Status.HELD, hold_until__gt=now, hold_until__lte=now + within
    ).select_related("fair", "stall", "vendor", "order", "booked_by")
    count = 0
    for booking in held:
        _notify_booking(booking, "reminder")
        count += 1
    return count


# -- bulk stalls and reports -------------------------------------------------------------------------------


def create_stall_row(
    *,
    fair,
    prefix,
    first,
    last,
    stall_type,
    zone=None,
    x=0,
    y=0,
    width=3,
    height=3,
    gap=0,
    vertical=False,
    digits=2,
    user=None,
):
    """Create stalls prefix+first … prefix+last (A01–A20) in a row on the plan. Existing codes are refused."""
    if stall_type is None or stall_type.fair_id != fair.pk:
        raise DomainError(EventsCode.STALL_TYPE_REQUIRED, field="stall_type")
    if zone is not None and zone.page_id != fair.pk:
        raise DomainError(EventsCode.ZONE_REQUIRED, field="zone")
    if first < 1 or last < first or last - first >= 500:
        raise DomainError(EventsCode.STALL_RANGE_INVALID, field="last")
    codes = [f"{prefix}{n:0{digits}d}" for n in range(first, last + 1)]
    existing = set(Stall.objects.filter(fair=fair, code__in=codes).values_list("code", flat=True))
    if existing:
        raise DomainError(EventsCode.STALLS_EXIST, field="prefix", codes=", ".join(sorted(existing)))
    step = Decimal(str(width if not vertical else height)) + Decimal(str(gap))
    stalls = []
    for i, code in enumerate(codes):
        sx = Decimal(str(x)) + (0 if vertical else step * i)
        sy = Decimal(str(y)) + (step * i if vertical else 0)
        stalls.append(
            Stall(
                fair=fair,
                code=code,
                zone=zone,
                stall_type=stall_type,
                x=sx,
                y=sy,
                width=Decimal(str(width)),
                height=Decimal(str(height)),
            )
        )
    with transaction.atomic():
        Stall.objects.bulk_create(stalls)
        _audit(fair, "events.stalls_created", user, codes=f"{codes[0]}–{codes[-1]}", count=len(codes))
    return stalls


def stall_states(fair):
    """{stall_id: (state, booking)} where state is available, held, booked or blocked."""
    active = {
        b.stall_id: b
        for b in StallBooking.objects.filter(fair=fair, status__in=StallBooking.ACTIVE).select_related("vendor")
    }
    states = {}
    for stall in Stall.objects.filter(fair=fair).only("pk", "blocked"):
        booking = active.get(stall.pk)
        if stall.blocked:
            states[stall.pk] = ("blocked", None)
        elif booking is None:
            states[stall.pk] = ("available", None)
        elif booking.status == StallBooking.Status.HELD:
            states[stall.pk] = ("held", booking)
        else:
            states[stall.pk] = ("booked", booking)
    return states


def free_stalls(fair, states=None):
    """The fair's stalls nobody holds, books or blocks, in code order, with their types."""
    states = stall_states(fair) if states is None else states
    stalls = Stall.objects.filter(fair=fair).select_related("stall_type", "zone").order_by("code")
    return [stall for stall in stalls if states[stall.pk][0] == "available"]


def propose_stalls(fair, free=None):
    """{application id: Stall}: a different free stall for every open application, oldest application first.

    Each gets a free stall it asked for (preferred stalls, in code order), else the first free stall of its
    requested type, else any free stall when it named no type; none is proposed twice, so an organiser who
    approves several applications in a row with the proposed stalls gets no collision. Nothing is reserved.
    """
    free = free_stalls(fair) if free is None else free
    free_ids = {stall.pk for stall in free}
    taken = set()
    proposals = {}
    applications = (
        StallApplication.objects.filter(
            fair=fair, status__in=(StallApplication.Status.SUBMITTED, StallApplication.Status.WAITLISTED)
        )
        .prefetch_related("preferred_stalls")
        .order_by("submitted_at", "pk")
    )
    for application in applications:

        def fits(stall, application=application):
            return (
                stall.pk in free_ids
                and stall.pk not in taken
                and (application.stall_type_id is None or stall.stall_type_id == application.stall_type_id)
            )

        preferred = sorted(application.preferred_stalls.all(), key=lambda stall: stall.code)
        choice = next((s for s in preferred if fits(s)), None) or next((s for s in free if fits(s)), None)
        if choice is not None:
            proposals[application.pk] = choice
            taken.add(choice.pk)
    return proposals


def fair_stats(fair):
    states = stall_states(fair)
    stall_counts = dict.fromkeys(("available", "held", "booked", "blocked"), 0)
    for state, _booking in states.values():
        stall_counts[state] += 1
    applications = dict(
        StallApplication.objects.filter(fair=fair).values_list("status").annotate(n=Count("pk")).order_by()
    )
    active = StallBooking.objects.filter(fair=fair, status__in=StallBooking.ACTIVE)
    due = active.aggregate(total=Sum("fee"))["total"] or Decimal("0.00")
    order_ids = [pk for pair in active.values_list("order_id", "balance_order_id") for pk in pair if pk]
    paid = Order.objects.filter(pk__in=order_ids, status=Order.Status.PAID).aggregate(total=Sum("total"))[
        "total"
    ] or Decimal("0.00")
    by_county = list(
        active.filter(status=StallBooking.Status.CONFIRMED)
        .values("vendor__county__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "vendor__county__name")
    )
    return {
        "stalls": stall_counts,
        "stall_total": len(states),
        "applications": applications,
        "fees_due": due,
        "fees_paid": paid,
        "fees_outstanding": due - paid,
        "by_county": [(row["vendor__county__name"], row["n"]) for row in by_county],
    }


# -- e-mails and SMS (after commit, through django-tasks tasks; never raising into the caller) ---------------


def _notify(application, kind, booking=None):
    transaction.on_commit(lambda: notifications.application_mail(application, kind, booking), robust=True)


def _notify_booking(booking, kind):
    transaction.on_commit(lambda: notifications.booking_mail(booking, kind), robust=True)


# -- stall setup ---------------------------------------------------------------------------------------------


def set_stall_blocked(stall, blocked, user):
    """Block a stall (pillar, exit, staff) or open it again. A stall with an active booking cannot be blocked:
    cancel the booking first. Returns the stall."""
    with transaction.atomic():
        stall = locking.lock_one(Stall, stall.pk)
        if stall.blocked == blocked:
            return stall
        if blocked:
            active = StallBooking.objects.filter(stall=stall, status__in=StallBooking.ACTIVE)
            booking = active.select_related("vendor").first()
            if booking is not None:
                raise DomainError(
                    EventsCode.STALL_BOOKED,
                    field="blocked",
                    code=stall.code,
                    status=booking.get_status_display(),
                    vendor=booking.vendor.title,
                )
        stall.blocked = blocked
        stall.save(update_fields=["blocked"])
        _audit(stall.fair, "events.stall_blocked" if blocked else "events.stall_unblocked", user, stall=stall.code)
    return stall
