"""After-sale services (售后): a buyer's refund or return request on lines of one vendor part, and its answers.

    requested ─ vendor accepts ─▶ (refund only) refunding ─▶ refunded
        │                  └─▶ (return) accepted ─ buyer sends it back ─▶ return_shipped ─ vendor confirms ─▶ refunding
        ├─ vendor refuses ─▶ refused ─ buyer escalates ─▶ escalated ─ staff approve ─▶ refunding / reject ─▶ closed
        ├─ no answer in ORDER_AFTER_SALE_VENDOR_HOURS ─▶ escalated (the periodic job)
        └─ the buyer withdraws while the request is open ─▶ withdrawn

Each operation is one transaction: the order row is locked first, then the request row (always that order), the
state is checked under the lock against AfterSaleRequest.TRANSITIONS, an OrderEvent is written, and the other side
hears of it after commit. The money moves once: the step into "refunding" records one Refund for the request (a
one-to-one key) under the locks; a Stripe refund is then asked for outside them (services.complete_refund, with the
refund's idempotency key) and the request becomes "refunded" when Stripe has answered (a retry completes it).
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cms import locking
from cms.errors import CommonCode, DomainError
from cms.private_media import store_private_image
from marketplace.errors import MarketplaceCode

from ..models import VendorMember
from . import carriers, notifications, services
from .models import AfterSaleLine, AfterSalePhoto, AfterSaleRequest, Refund, VendorOrder

CENT = Decimal("0.01")
MAX_PHOTOS = 3
Status = AfterSaleRequest.Status
# Open requests hold their units (a new request may not ask for them again); from "refunding" on, the units are
# counted in the line's refunded quantity instead.
HOLDING = AfterSaleRequest.OPEN
# What the buyer may escalate: a refusal, or a return the vendor has not settled.
BUYER_ESCALATES = (Status.REFUSED, Status.ACCEPTED, Status.RETURN_SHIPPED)


# -- who may act ------------------------------------------------------------------------------------------------


def is_buyer(user, order):
    return bool(getattr(user, "is_authenticated", False) and order.buyer_id == user.pk)


def is_vendor_member(user, part):
    return bool(
        getattr(user, "is_authenticated", False)
        and VendorMember.objects.filter(user=user, vendor_id=part.vendor_id).exists()
    )


def is_after_sale_staff(user):
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.has_perm("checkout.change_order"))
    )


def may_see(user, request):
    """The buyer, the vendor's members and staff see a request and its photos."""
    return (
        is_buyer(user, request.order)
        or is_vendor_member(user, request.vendor_order)
        or (getattr(user, "is_authenticated", False) and (user.is_staff or is_after_sale_staff(user)))
    )


# -- what may be asked ------------------------------------------------------------------------------------------


def deadline(part):
    """The last moment to ask for after-sale on a part: ORDER_AFTER_SALE_DAYS after receipt was confirmed; None
    while it is shipped and not yet confirmed (open), and for parts never shipped."""
    received = part.received_at or part.delivered_at
    if part.status == VendorOrder.Status.DELIVERED and received:
        return received + timedelta(days=settings.ORDER_AFTER_SALE_DAYS)
    return None


def window_error(part, now=None):
    """Why no request can be made on this part now (a DomainError, not raised), or None."""
    now = now or timezone.now()
    order = part.order
    if order.buyer_unit_id is not None or order.buyer_id is None:
        return DomainError(MarketplaceCode.AFTER_SALE_OWN_ACCOUNT_ONLY)
    if part.status not in (VendorOrder.Status.SHIPPED, VendorOrder.Status.DELIVERED):
        if part.status == VendorOrder.Status.TO_SHIP:
            return DomainError(MarketplaceCode.AFTER_SALE_PART_NOT_SHIPPED, vendor=part.vendor_name)
        return DomainError(
            MarketplaceCode.AFTER_SALE_PART_CLOSED, vendor=part.vendor_name, status=part.get_status_display()
        )
    due = deadline(part)
    if due is not None and now > due:
        return DomainError(
            MarketplaceCode.AFTER_SALE_PERIOD_OVER,
            vendor=part.vendor_name,
            date=timezone.localtime(due).strftime("%Y-%m-%d"),
            days=settings.ORDER_AFTER_SALE_DAYS,
        )
    return None


def available_quantities(part):
    """{order line id: units that may still be asked for}: bought, less refunded, less held by other requests."""
    held = dict(
        AfterSaleLine.objects.filter(order_line__vendor_order=part, request__status__in=HOLDING)
        .values("order_line")
        .annotate(n=Sum("quantity"))
        .values_list("order_line", "n")
    )
    return {
        line.pk: max(line.quantity - line.refunded_quantity - held.get(line.pk, 0), 0)
        for line in part.lines.order_by("pk")
    }


def checked_photos(uploads):
    """Image uploads through the checks of Wagtail's image form (formats, size, pixels), at most MAX_PHOTOS."""
    from django.core.exceptions import ValidationError
    from wagtail.images.fields import WagtailImageField

    uploads = [u for u in (uploads or []) if u]
    if len(uploads) > MAX_PHOTOS:
        raise DomainError(MarketplaceCode.TOO_MANY_AFTER_SALE_PHOTOS, field="photos", n=MAX_PHOTOS)
    checked = []
    for upload in uploads:
        try:
            checked.append(WagtailImageField(required=False).clean(upload))
        except ValidationError as error:
            raise DomainError(
                MarketplaceCode.INVALID_AFTER_SALE_PHOTO, field="photos", name=upload.name, why=" ".join(error.messages)
            ) from error
    return checked


# -- the buyer --------------------------------------------------------------------------------------------------


def _lock(request):
    """Lock the request's order, then the request (the one lock order every after-sale step uses)."""
    order = services._locked(request.order)
    return order, locking.lock_one(AfterSaleRequest.objects.select_related("vendor_order"), request.pk)


def _require_status(request, *statuses):
    """Refuse a step the request's state does not allow here (the table allows more sources for other steps)."""
    if request.status not in statuses:
        raise DomainError(MarketplaceCode.AFTER_SALE_STEP_NOT_ALLOWED, status=request.get_status_display())


def _move(order, request, target, *, user, action, note="", fields=(), data=None):
    previous = request.status
    AfterSaleRequest.TRANSITIONS.move(request, target)
    request.save(update_fields=["status", *fields])
    services.log_event(
        order,
        action,
        user=user,
        from_status=previous,
        to_status=target,
        note=note,
        data={"request": request.pk, "vendor": request.vendor_order.vendor_name, **(data or {})},
    )


def create_request(part, *, user, kind, reason, quantities, note="", photos=(), now=None):
    """The buyer asks for a refund (仅退款) or a return and refund (退货退款) of `quantities` ({order line id:
    units}) of one shipped or received vendor part, with a reason, a note and up to three photos."""
    now = now or timezone.now()
    if kind not in AfterSaleRequest.Kind.values:
        raise DomainError(MarketplaceCode.AFTER_SALE_KIND_REQUIRED, field="kind")
    if reason not in AfterSaleRequest.Reason.values:
        raise DomainError(MarketplaceCode.AFTER_SALE_REASON_REQUIRED, field="reason")
    photos = checked_photos(photos)
    with transaction.atomic():
        order = services._locked(part.order)
        if not is_buyer(user, order):
            raise DomainError(MarketplaceCode.ORDER_NOT_YOURS)
        part = locking.lock_one(VendorOrder.objects.filter(order=order), part.pk)
        part.order = order
        problem = window_error(part, now)
        if problem:
            raise problem
        lines = {line.pk: line for line in locking.lock(part.lines.all())}
        left = available_quantities(part)
        wanted = {}
        for line_id, quantity in (quantities or {}).items():
            try:
                line_id = int(line_id)
            except (TypeError, ValueError):
                line_id = None
            if line_id not in lines:
                raise DomainError(MarketplaceCode.LINE_NOT_IN_ORDER, field="lines")
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
                raise DomainError(CommonCode.QUANTITY_NOT_WHOLE, field="lines")
            if quantity > left[line_id]:
                raise DomainError(
                    MarketplaceCode.AFTER_SALE_QUANTITY_TOO_LARGE,
                    field="lines",
                    n=left[line_id],
                    name=lines[line_id].name,
                )
            if quantity:
                wanted[line_id] = quantity
        if not wanted:
            raise DomainError(MarketplaceCode.AFTER_SALE_LINES_REQUIRED, field="lines")
        amount = sum(
            ((lines[pk].unit_price * n).quantize(CENT, ROUND_HALF_UP) for pk, n in wanted.items()), Decimal("0")
        )
        # The whole rest of the part: its shipping fee goes back too (as when a part is refunded whole).
        whole = all(wanted.get(pk, 0) == line.quantity - line.refunded_quantity for pk, line in lines.items())
        includes_shipping = whole and part.shipping_fee > part.shipping_refunded
        if includes_shipping:
            amount += part.shipping_fee - part.shipping_refunded
        request = AfterSaleRequest.objects.create(
            order=order,
            vendor_order=part,
            kind=kind,
            reason=reason,
            note=(note or "").strip()[:500],
            amount=amount,
            includes_shipping=includes_shipping,
            created_by=user,
            created_at=now,
        )
        AfterSaleLine.objects.bulk_create(
            [AfterSaleLine(request=request, order_line_id=pk, quantity=n) for pk, n in wanted.items()]
        )
        for upload in photos:
            image = store_private_image("after-sale", upload, title=f"{order.number} #{request.pk}", user=user)
            AfterSalePhoto.objects.create(request=request, image=image)
        services.log_event(
            order,
            "after_sale_requested",
            user=user,
            to_status=request.status,
            note=request.note,
            data={"request": request.pk, "vendor": part.vendor_name, "kind": kind, "amount": str(amount)},
        )
    notifications.after_sale_notice(request, "requested")
    return request


def withdraw(request, *, user):
    """The buyer withdraws an open request; its units may be asked for again."""
    with transaction.atomic():
        order, request = _lock(request)
        if not is_buyer(user, order):
            raise DomainError(MarketplaceCode.ORDER_NOT_YOURS)
        request.closed_at = timezone.now()
        _move(order, request, Status.WITHDRAWN, user=user, action="after_sale_withdrawn", fields=["closed_at"])
    notifications.after_sale_notice(request, "withdrawn")
    return request


def escalate(request, *, user=None, auto=False, now=None):
    """The buyer asks the platform to decide (a refused request, or one the vendor has not settled); `auto` when
    the periodic job does it for a request left unanswered ORDER_AFTER_SALE_VENDOR_HOURS."""
    now = now or timezone.now()
    with transaction.atomic():
        order, request = _lock(request)
        if not auto and not is_buyer(user, order):
            raise DomainError(MarketplaceCode.ORDER_NOT_YOURS)
        if auto and (request.status != Status.REQUESTED or request.answer_due_at > now):
            raise DomainError(MarketplaceCode.VENDOR_ANSWERED_IN_TIME)
        if not auto:
            _require_status(request, *BUYER_ESCALATES)
        request.escalated_at = now
        _move(
            order,
            request,
            Status.ESCALATED,
            user=None if auto else user,
            action="after_sale_auto_escalated" if auto else "after_sale_escalated",
            fields=["escalated_at"],
        )
    notifications.after_sale_notice(request, "escalated")
    return request


def ship_return(request, *, user, carrier, tracking_number):
    """The buyer sends the goods of an accepted return back, with a carrier from the list and a tracking number."""
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()[:60]
    if not carrier or not tracking_number:
        raise DomainError(MarketplaceCode.TRACKING_REQUIRED)
    code = carriers.code_for(carrier)
    if not code:
        raise DomainError(MarketplaceCode.UNKNOWN_CARRIER, field="carrier")
    with transaction.atomic():
        order, request = _lock(request)
        if not is_buyer(user, order):
            raise DomainError(MarketplaceCode.ORDER_NOT_YOURS)
        request.return_carrier, request.return_tracking_number = code, tracking_number
        _move(
            order,
            request,
            Status.RETURN_SHIPPED,
            user=user,
            action="after_sale_return_shipped",
            fields=["return_carrier", "return_tracking_number"],
            data={"tracking": tracking_number},
        )
    notifications.after_sale_notice(request, "return_shipped")
    return request


# -- the vendor -------------------------------------------------------------------------------------------------


def _require_vendor(user, request):
    if not (is_vendor_member(user, request.vendor_order) or is_after_sale_staff(user)):
        raise DomainError(MarketplaceCode.AFTER_SALE_VENDOR_ONLY)


def accept(request, *, user, return_address=""):
    """The vendor accepts: a refund-only request is refunded now; a return waits for the goods, sent to
    `return_address` (required)."""
    return_address = (return_address or "").strip()[:300]
    with transaction.atomic():
        order, request = _lock(request)
        _require_vendor(user, request)
        _require_status(request, Status.REQUESTED)
        request.answered_at = timezone.now()
        if request.kind == AfterSaleRequest.Kind.RETURN:
            if not return_address:
                raise DomainError(MarketplaceCode.RETURN_ADDRESS_REQUIRED, field="return_address")
            request.return_address = return_address
            _move(
                order,
                request,
                Status.ACCEPTED,
                user=user,
                action="after_sale_accepted",
                fields=["answered_at", "return_address"],
            )
            record = None
        else:
            record = _start_refund(order, request, user=user, action="after_sale_accepted", fields=["answered_at"])
    notifications.after_sale_notice(request, "accepted")
    return _finish(request, record)


def refuse(request, *, user, reason):
    """The vendor refuses, saying why; the buyer may then escalate to the platform."""
    reason = (reason or "").strip()[:500]
    if not reason:
        raise DomainError(MarketplaceCode.AFTER_SALE_REFUSAL_REASON_REQUIRED, field="reason")
    with transaction.atomic():
        order, request = _lock(request)
        _require_vendor(user, request)
        request.vendor_note, request.answered_at = reason, timezone.now()
        _move(
            order,
            request,
            Status.REFUSED,
            user=user,
            action="after_sale_refused",
            note=reason,
            fields=["vendor_note", "answered_at"],
        )
    notifications.after_sale_notice(request, "refused")
    return request


def confirm_return(request, *, user):
    """The vendor has the returned goods back: the refund is made."""
    with transaction.atomic():
        order, request = _lock(request)
        _require_vendor(user, request)
        _require_status(request, Status.RETURN_SHIPPED)
        record = _start_refund(order, request, user=user, action="after_sale_return_received")
    return _finish(request, record)


# -- staff ------------------------------------------------------------------------------------------------------


def decide(request, *, user, approve, note=""):
    """Staff decide an escalated request: approve (the refund is made) or reject (closed), with a note."""
    note = (note or "").strip()[:500]
    if not is_after_sale_staff(user):
        raise DomainError(MarketplaceCode.AFTER_SALE_STAFF_ONLY)
    if not approve and not note:
        raise DomainError(MarketplaceCode.AFTER_SALE_REJECTION_NOTE_REQUIRED, field="note")
    with transaction.atomic():
        order, request = _lock(request)
        _require_status(request, Status.ESCALATED)
        request.staff_note = note
        if approve:
            record = _start_refund(order, request, user=user, action="after_sale_approved", fields=["staff_note"])
        else:
            request.closed_at = timezone.now()
            _move(
                order,
                request,
                Status.CLOSED,
                user=user,
                action="after_sale_rejected",
                note=note,
                fields=["staff_note", "closed_at"],
            )
            record = None
    if not approve:
        notifications.after_sale_notice(request, "closed")
    return _finish(request, record)


# -- the money --------------------------------------------------------------------------------------------------


def _start_refund(order, request, *, user, action, fields=()):
    """Under the order's and the request's locks: move to "refunding" and record the one refund of the request.
    A second caller finds the request refunding already and is refused by the transition table."""
    _move(order, request, Status.REFUNDING, user=user, action=action, note=request.staff_note, fields=fields)
    if Refund.objects.filter(after_sale=request).exists():  # the unique key would refuse it anyway
        raise DomainError(MarketplaceCode.AFTER_SALE_ALREADY_REFUNDED)
    record = services.record_refund(
        order,
        user=user,
        lines={line.order_line_id: line.quantity for line in request.lines.all()},
        reason=_("After-sale request #%(pk)s") % {"pk": request.pk},
        after_sale=request,
        shipping=request.includes_shipping,
    )
    # A bank-transfer refund is owed at once (staff pay it back by transfer): the request is settled now.
    services.settle_after_sale(record)
    return record


def _finish(request, record):
    """After commit: ask Stripe for the refund (outside every lock), then read the request as it is now."""
    if record is not None:
        services.complete_refund(record)
    request.refresh_from_db()
    return request


# -- the periodic job -------------------------------------------------------------------------------------------


def escalate_unanswered(now=None):
    """Send requests the vendor left unanswered ORDER_AFTER_SALE_VENDOR_HOURS to staff. Returns their ids."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.ORDER_AFTER_SALE_VENDOR_HOURS)
    escalated = []
    for request in AfterSaleRequest.objects.filter(status=Status.REQUESTED, created_at__lt=cutoff).order_by("pk"):
        try:
            escalate(request, auto=True, now=now)
        except DomainError:
            continue  # answered or withdrawn meanwhile
        escalated.append(request.pk)
    return escalated


def requests_for_order(order):
    return (
        AfterSaleRequest.objects.filter(order=order)
        .select_related("vendor_order")
        .prefetch_related("lines__order_line", "photos__image")
    )
