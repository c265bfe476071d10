"""Canteen operations: units, unit orders with approval, receipt (验收), invoices, and the 消费帮扶 share.

Each operation is one transaction, raises DomainError (a code from marketplace.errors), locks the rows
whose state it changes, and leaves an audit entry: OrderEvent for orders, Wagtail's log for units.
Unit orders go through checkout.services.place_order, so stock, prices and minimums follow the same rules.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from wagtail.log_actions import log

from cms import locking
from cms.accounts.forms import classify_identifier, find_user
from cms.divisions import division_errors
from cms.errors import CommonCode, DomainError
from cms.models import County, MountainCountyMembership
from cms.private_media import private_collection, private_name, store_private_document, store_private_image
from cms.storage import is_private
from marketplace.errors import MarketplaceCode

from ..checkout import notifications, signals
from ..checkout import services as checkout
from ..checkout.models import Order, OrderLine, PaymentMethod, VendorOrder
from ..checkout.services import Address, LineRequest
from ..models import ProductPage
from ..services import stats
from .models import AnnualBudget, BuyerUnit, CanteenAddress, UnitMember

CENT = Decimal("0.01")
Role = UnitMember.Role
# Orders that count as spend: placed for the vendors and not cancelled (refunded lines are taken off).
SPEND_STATUSES = (
    Order.Status.PENDING_PAYMENT,
    Order.Status.PAID,
    Order.Status.PARTLY_SHIPPED,
    Order.Status.SHIPPED,
    Order.Status.COMPLETED,
)


def approval_window():
    return timedelta(hours=settings.CANTEEN_APPROVAL_HOURS)


# -- units and members ---------------------------------------------------------------------------------


def roles_of(user, unit):
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(UnitMember.objects.filter(unit=unit, user=user).values_list("role", flat=True))


def units_for(user):
    """The verified units a user belongs to (in any role)."""
    if not getattr(user, "is_authenticated", False):
        return BuyerUnit.objects.none()
    return BuyerUnit.objects.filter(status=BuyerUnit.Status.VERIFIED, members__user=user).distinct()


def require_role(user, unit, *roles):
    """Refuse unless `user` has one of `roles` in the verified `unit` (staff may look, never act as a unit)."""
    if not unit.is_verified:
        raise DomainError(MarketplaceCode.UNIT_NOT_VERIFIED)
    if not roles_of(user, unit) & set(roles):
        raise DomainError(MarketplaceCode.UNIT_ROLE_MISSING)


def apply_for_unit(*, user, data, addresses=()):
    """A unit applies to join: created as pending with the applicant in every role. Staff verify it."""
    unit = BuyerUnit(applied_by=user, **data)
    try:
        unit.full_clean()
    except ValidationError as error:
        first_field, messages = next(iter(error.message_dict.items()))
        raise DomainError(CommonCode.INVALID_DETAIL, field=first_field, detail=messages[0]) from error
    with transaction.atomic():
        unit.save()
        for role in Role.values:
            UnitMember.objects.create(unit=unit, user=user, role=role)
        for address in addresses:
            CanteenAddress.objects.create(unit=unit, **address)
        log(instance=unit, action="wagtail.create", user=user)
    return unit


def verify_unit(unit, *, user, approve=True):
    if not (user.is_superuser or user.has_perm("canteen.verify_buyerunit")):
        raise DomainError(MarketplaceCode.UNIT_VERIFY_FORBIDDEN)
    with transaction.atomic():
        unit = locking.lock_one(BuyerUnit, unit.pk)
        if unit.status != BuyerUnit.Status.PENDING:
            raise DomainError(MarketplaceCode.UNIT_ALREADY_REVIEWED)
        unit.status = BuyerUnit.Status.VERIFIED if approve else BuyerUnit.Status.REJECTED
        unit.verified_at, unit.verified_by = timezone.now(), user
        unit.save(update_fields=["status", "verified_at", "verified_by"])
        log(instance=unit, action="canteen.unit_verified" if approve else "canteen.unit_rejected", user=user)
    return unit


# -- the unit's own administration: budget, members, canteen addresses ----------------------------------
# An approver acts as the unit's administrator; finance may also set the budget. Each change is logged on
# the unit in Wagtail's history.

SHARE_STEP = Decimal("0.001")
MAX_BUDGET = Decimal("999999999999.99")  # AnnualBudget.food_budget: 14 digits, 2 decimals


def _decimal(value, code, field):
    try:
        number = Decimal(str(value).strip())
    except (ArithmeticError, ValueError, TypeError):
        raise DomainError(code, field=field) from None
    if not number.is_finite():
        raise DomainError(code, field=field)
    return number


def set_annual_budget(unit, year, amount, target_share, user):
    """Record (or change) the unit's canteen food budget and target mountain share for `year`."""
    require_role(user, unit, Role.FINANCE, Role.APPROVER)
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise DomainError(MarketplaceCode.BUDGET_YEAR_INVALID, field="year")
    amount = _decimal(amount, MarketplaceCode.BUDGET_NOT_A_NUMBER, "food_budget")
    if amount <= 0 or amount > MAX_BUDGET:
        raise DomainError(MarketplaceCode.BUDGET_INVALID, field="food_budget")
    amount = amount.quantize(CENT, ROUND_HALF_UP)
    if amount <= 0:
        raise DomainError(MarketplaceCode.BUDGET_INVALID, field="food_budget")
    target_share = _decimal(target_share, MarketplaceCode.TARGET_SHARE_NOT_A_NUMBER, "target_share")
    if not Decimal("0") <= target_share <= Decimal("1"):
        raise DomainError(MarketplaceCode.TARGET_SHARE_INVALID, field="target_share")
    target_share = target_share.quantize(SHARE_STEP, ROUND_HALF_UP)
    with transaction.atomic():
        locking.lock_one(BuyerUnit, unit.pk)
        budget = AnnualBudget.objects.filter(unit=unit, year=year).first()
        before = None
        if budget is None:
            budget = AnnualBudget(unit=unit, year=year)
        else:
            before = {"food_budget": str(budget.food_budget), "target_share": str(budget.target_share)}
        budget.food_budget, budget.target_share = amount, target_share
        budget.save()
        log(
            instance=unit,
            action="canteen.budget_set",
            user=user,
            data={"year": year, "food_budget": str(amount), "target_share": str(target_share), "before": before},
        )
    return budget


def add_member(unit, *, user, identifier, role):
    """An approver adds an existing account (by mobile number or e-mail) to the unit in `role`."""
    require_role(user, unit, Role.APPROVER)
    if role not in Role.values:
        raise DomainError(MarketplaceCode.ROLE_REQUIRED, field="role")
    try:
        kind, value = classify_identifier(identifier)
    except ValidationError as error:
        raise DomainError(CommonCode.INVALID_DETAIL, field="identifier", detail=error.messages[0]) from error
    person = find_user(kind, value)
    if person is None or not person.is_active:
        raise DomainError(MarketplaceCode.ACCOUNT_NOT_FOUND, field="identifier")
    with transaction.atomic():
        locking.lock_one(BuyerUnit, unit.pk)
        if UnitMember.objects.filter(unit=unit, user=person, role=role).exists():
            raise DomainError(MarketplaceCode.ROLE_ALREADY_HELD, field="identifier", user=person.get_username())
        member = UnitMember.objects.create(unit=unit, user=person, role=role)
        log(
            instance=unit,
            action="canteen.member_added",
            user=user,
            data={"member": person.pk, "username": person.get_username(), "role": role},
        )
    return member


def remove_member(member, *, user):
    """An approver takes one role away from a member; the unit always keeps at least one approver."""
    unit = member.unit
    require_role(user, unit, Role.APPROVER)
    with transaction.atomic():
        locking.lock_one(BuyerUnit, unit.pk)
        member = UnitMember.objects.filter(pk=member.pk, unit=unit).select_related("user").first()
        if member is None:
            raise DomainError(MarketplaceCode.MEMBER_NOT_FOUND)
        if member.role == Role.APPROVER and not unit.members.filter(role=Role.APPROVER).exclude(pk=member.pk).exists():
            raise DomainError(MarketplaceCode.LAST_APPROVER)
        log(
            instance=unit,
            action="canteen.member_removed",
            user=user,
            data={"member": member.user_id, "username": member.user.get_username(), "role": member.role},
        )
        member.delete()


ADDRESS_FIELDS = ("name", "recipient", "phone", "province", "city", "district", "street")


def _clean_address(address):
    try:
        address.full_clean(exclude=["unit"])
    except ValidationError as error:
        first_field, messages = next(iter(error.message_dict.items()))
        raise DomainError(CommonCode.INVALID_DETAIL, field=first_field, detail=messages[0]) from error
    # 省/市/区 from China's administrative divisions, as on the address forms.
    for name, error in division_errors(address.province, address.city, address.district).items():
        raise DomainError(MarketplaceCode.INVALID_ADDRESS, field=name, detail=error.messages[0])


def _address_data(address):
    return {name: getattr(address, name) for name in ADDRESS_FIELDS}


def add_address(unit, *, user, data):
    """An approver adds a canteen (delivery address) to the unit."""
    require_role(user, unit, Role.APPROVER)
    address = CanteenAddress(unit=unit, **{k: (data.get(k) or "").strip() for k in ADDRESS_FIELDS if k in data})
    _clean_address(address)
    with transaction.atomic():
        address.save()
        log(
            instance=unit,
            action="canteen.address_added",
            user=user,
            data={"address": address.pk, **_address_data(address)},
        )
    return address


def update_address(address, *, user, data):
    """An approver changes one of the unit's canteens. Orders already placed keep the address they had."""
    unit = address.unit
    require_role(user, unit, Role.APPROVER)
    with transaction.atomic():
        address = locking.lock_one(CanteenAddress.objects.filter(unit=unit), address.pk)
        before = _address_data(address)
        for name in ADDRESS_FIELDS:
            if name in data:
                setattr(address, name, (data[name] or "").strip())
        _clean_address(address)
        address.save()
        log(
            instance=unit,
            action="canteen.address_changed",
            user=user,
            data={"address": address.pk, "before": before, "after": _address_data(address)},
        )
    return address


def delete_address(address, *, user):
    """An approver removes a canteen; the unit keeps at least one so that it can still order."""
    unit = address.unit
    require_role(user, unit, Role.APPROVER)
    with transaction.atomic():
        locking.lock_one(BuyerUnit, unit.pk)
        address = CanteenAddress.objects.filter(pk=address.pk, unit=unit).first()
        if address is None:
            raise DomainError(MarketplaceCode.CANTEEN_ADDRESS_NOT_FOUND)
        if not unit.addresses.exclude(pk=address.pk).exists():
            raise DomainError(MarketplaceCode.LAST_CANTEEN_ADDRESS)
        log(
            instance=unit,
            action="canteen.address_deleted",
            user=user,
            data={"address": address.pk, **_address_data(address)},
        )
        address.delete()


# -- unit orders ---------------------------------------------------------------------------------------


@dataclass
class Delivery:
    address: CanteenAddress
    date: datetime.date
    window: str = ""
    purchase_order_number: str = ""


def earliest_delivery_date(products, today=None):
    today = today or timezone.localdate()
    lead = max((p.vendor.lead_time_days for p in products if p.vendor_id), default=1)
    return today + timedelta(days=max(lead, 1))


def place_unit_order(
    *,
    user,
    unit,
    lines,
    delivery,
    payment_method=PaymentMethod.BANK_TRANSFER,
    note="",
    idempotency_key="",
    idempotency_fingerprint="",
):
    """Place an order on behalf of `unit`; above the unit's threshold it waits for an approver, holding stock."""
    require_role(user, unit, Role.BUYER)
    if delivery.address is None or delivery.address.unit_id != unit.pk:
        raise DomainError(MarketplaceCode.CANTEEN_ADDRESS_REQUIRED)
    if delivery.date is None:
        raise DomainError(MarketplaceCode.DELIVERY_DATE_REQUIRED, field="delivery_date")
    today = timezone.localdate()
    if delivery.date <= today:
        raise DomainError(MarketplaceCode.DELIVERY_DATE_PAST, field="delivery_date")
    products = list(ProductPage.objects.filter(pk__in={line.product_id for line in lines}).select_related("vendor"))
    earliest = earliest_delivery_date(products, today)
    if delivery.date < earliest:
        raise DomainError(MarketplaceCode.DELIVERY_DATE_TOO_SOON, field="delivery_date", date=earliest.isoformat())
    address = delivery.address
    order = checkout.place_order(
        buyer=user,
        lines=lines,
        payment_method=payment_method,
        address=Address(
            recipient=address.recipient,
            phone=address.phone,
            province=address.province,
            city=address.city,
            district=address.district,
            street=address.street,
        ),
        note=note,
        idempotency_key=idempotency_key,
        idempotency_fingerprint=idempotency_fingerprint,
        unit_details={
            "buyer_unit": unit,
            "canteen_name": address.name,
            "requested_delivery_date": delivery.date,
            "delivery_window": (delivery.window or "")[:20],
            "purchase_order_number": (delivery.purchase_order_number or "").strip()[:40],
            "invoice_snapshot": unit.invoice_snapshot(),
            "approval_threshold": unit.approval_threshold,
            "approval_window": approval_window(),
        },
    )
    return order


def reorder(order, *, user, delivery_date, delivery_window=None, purchase_order_number="", idempotency_key=""):
    """Order the same products in the same quantities again, for the same canteen, at today's prices."""
    unit = order.buyer_unit
    if unit is None:
        raise DomainError(MarketplaceCode.REORDER_NOT_UNIT_ORDER)
    require_role(user, unit, Role.BUYER)
    lines = [
        LineRequest(product_id=line.product_id, quantity=line.quantity) for line in order.lines.exclude(product=None)
    ]
    address = unit.addresses.filter(name=order.canteen_name).first() or unit.addresses.first()
    return place_unit_order(
        user=user,
        unit=unit,
        lines=lines,
        delivery=Delivery(
            address=address,
            date=delivery_date,
            window=order.delivery_window if delivery_window is None else delivery_window,
            purchase_order_number=purchase_order_number,
        ),
        payment_method=order.payment_method,
        note=order.note,
        idempotency_key=idempotency_key,
    )


def _locked_unit_order(order):
    order = locking.lock_one(Order, order.pk)
    if order.buyer_unit_id is None:
        raise DomainError(MarketplaceCode.NOT_A_UNIT_ORDER)
    return order


def approve_order(order, *, user):
    """An approver (not the buyer who placed it) sends an order waiting for approval on to the vendors."""
    with transaction.atomic():
        order = _locked_unit_order(order)
        require_role(user, order.buyer_unit, Role.APPROVER)
        if order.buyer_id == user.pk:
            raise DomainError(MarketplaceCode.OWN_ORDER_APPROVAL)
        if order.status != Order.Status.AWAITING_APPROVAL:
            raise DomainError(
                MarketplaceCode.ORDER_NOT_AWAITING_APPROVAL, number=order.number, status=order.get_status_display()
            )
        now = timezone.now()
        order.approved_by, order.approved_at = user, now
        order.payment_due_at = now + checkout.payment_window(order.payment_method)
        checkout._set_status(order, Order.Status.PENDING_PAYMENT, user=user, action="approved")
        order.save(update_fields=["status", "approved_by", "approved_at", "payment_due_at"])
        notifications.order_approved(order)
    return order


def reject_order(order, *, user, reason=""):
    """An approver turns an order down: it is cancelled and its stock returns."""
    with transaction.atomic():
        order = _locked_unit_order(order)
        require_role(user, order.buyer_unit, Role.APPROVER)
        if order.status != Order.Status.AWAITING_APPROVAL:
            raise DomainError(
                MarketplaceCode.ORDER_NOT_AWAITING_APPROVAL, number=order.number, status=order.get_status_display()
            )
        checkout._release_stock(order.lines.all())
        order.vendor_orders.update(status=VendorOrder.Status.CANCELLED)
        order.cancelled_at = timezone.now()
        checkout._set_status(order, Order.Status.CANCELLED, user=user, action="rejected", note=reason)
        order.save(update_fields=["status", "cancelled_at"])
        signals.order_closed.send(sender=Order, order=order, reason="rejected")
        notifications.order_rejected(order, reason)
    return order


def checked_image(upload, field="photo"):
    """An image upload through the same checks as Wagtail's image form (formats, WAGTAILIMAGES_MAX_UPLOAD_SIZE,
    WAGTAILIMAGES_MAX_IMAGE_PIXELS), or DomainError with Wagtail's translated message."""
    from wagtail.images.fields import WagtailImageField

    if not upload:
        return None
    try:
        return WagtailImageField(required=False).clean(upload)
    except ValidationError as error:
        raise DomainError(CommonCode.INVALID_DETAIL, field=field, detail=" ".join(error.messages)) from error


def confirm_receipt(vendor_order, *, user, note="", photo=None):
    """A unit member confirms one vendor's delivery, noting shortfalls or quality problems (验收).
    When every part is received the order completes.

    Only a part the vendor has shipped can be received; anything else is refused before anything is stored.
    `photo` is an uploaded image file; it is checked like Wagtail's image form and stored, only once every
    other check has passed, as a private image (cms.private_media) that only the unit, the vendor and staff see.
    """
    photo = checked_image(photo)
    with transaction.atomic():
        order = _locked_unit_order(vendor_order.order)
        require_role(user, order.buyer_unit, *Role.values)
        part = locking.lock_one(VendorOrder.objects.filter(order=order), vendor_order.pk)
        if part.received_at is not None:
            raise DomainError(MarketplaceCode.DELIVERY_ALREADY_RECEIVED)
        if not VendorOrder.TRANSITIONS.allows(part.status, VendorOrder.Status.DELIVERED):
            raise DomainError(MarketplaceCode.NOT_SHIPPED, vendor=part.vendor_name, status=part.get_status_display())
        now = timezone.now()
        part.status = VendorOrder.Status.DELIVERED
        part.delivered_at = part.delivered_at or now
        part.received_at, part.received_by = now, user
        part.inspection_note = (note or "").strip()[:500]
        if photo is not None:
            part.inspection_photo = store_private_image(
                "receipts", photo, title=f"{order.number} {part.vendor_name}", user=user
            )
        part.save(
            update_fields=[
                "status",
                "delivered_at",
                "received_at",
                "received_by",
                "inspection_note",
                "inspection_photo",
            ]
        )
        stats.count_sold(stats.received_units(part.lines.all()))
        checkout.log_event(
            order,
            "received",
            user=user,
            note=part.inspection_note,
            data={"vendor": part.vendor_name, "problem": bool(part.inspection_note)},
        )
        open_parts = order.vendor_orders.exclude(
            status__in=[VendorOrder.Status.DELIVERED, VendorOrder.Status.CANCELLED]
        )
        if not open_parts.exists() and order.status in (
            Order.Status.PAID,
            Order.Status.PARTLY_SHIPPED,
            Order.Status.SHIPPED,
        ):
            checkout._set_status(order, Order.Status.COMPLETED, user=user, action="completed")
            order.save(update_fields=["status"])
    return part


# -- invoices (发票) ------------------------------------------------------------------------------------


def _is_vendor_of(user, part):
    return user.is_superuser or user.has_perm("checkout.view_order") or part.vendor.members.filter(user=user).exists()


def can_see_part_files(user, part):
    """Who may open a part's receipt photo and invoice: the unit's members, the vendor's members and staff."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_staff or _is_vendor_of(user, part):
        return True
    return UnitMember.objects.filter(unit_id=part.order.buyer_unit_id, user=user).exists()


def request_invoice(vendor_order, *, user):
    with transaction.atomic():
        order = _locked_unit_order(vendor_order.order)
        require_role(user, order.buyer_unit, Role.BUYER, Role.FINANCE)
        part = locking.lock_one(VendorOrder.objects.filter(order=order), vendor_order.pk)
        if part.invoice_state:
            raise DomainError(MarketplaceCode.INVOICE_ALREADY_REQUESTED)
        part.invoice_state = VendorOrder.InvoiceState.REQUESTED
        part.save(update_fields=["invoice_state"])
        checkout.log_event(order, "invoice_requested", user=user, data={"vendor": part.vendor_name})
    return part


def _is_pdf(upload):
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(".pdf"):
        return False
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(5)
    upload.seek(position)
    return head == b"%PDF-"


def record_invoice(vendor_order, *, user, number, date, document=None, upload=None):
    """The vendor (or staff) records the invoice it issued: number, date, and the PDF if uploaded.

    `document` is an existing Wagtail document; `upload` a PDF file, stored as a private Wagtail document
    (cms.private_media).
    """
    number = (number or "").strip()
    if not number or date is None:
        raise DomainError(MarketplaceCode.INVOICE_DETAILS_REQUIRED)
    if upload is not None and not _is_pdf(upload):
        raise DomainError(MarketplaceCode.INVOICE_NOT_PDF, field="pdf")
    if upload is not None and upload.size > settings.WAGTAILDOCS_MAX_UPLOAD_SIZE:
        raise DomainError(
            MarketplaceCode.FILE_TOO_LARGE, field="pdf", size=settings.WAGTAILDOCS_MAX_UPLOAD_SIZE // (1024 * 1024)
        )
    with transaction.atomic():
        part = locking.lock_one(VendorOrder.objects.select_related("vendor"), vendor_order.pk)
        if part.order.buyer_unit_id is None:
            raise DomainError(MarketplaceCode.NOT_A_UNIT_ORDER)
        if not _is_vendor_of(user, part):
            raise DomainError(MarketplaceCode.ORDER_NOT_YOURS)
        if part.status == VendorOrder.Status.CANCELLED:
            raise DomainError(MarketplaceCode.VENDOR_ORDER_CANCELLED)
        # An issued invoice is never changed in place: a correction (红冲/重开) is a new invoice with its own
        # number, recorded as such; the earlier document is kept.
        correction = part.invoice_state == VendorOrder.InvoiceState.ISSUED
        if correction and number[:40] == part.invoice_number:
            raise DomainError(MarketplaceCode.INVOICE_ISSUED, field="number", number=part.invoice_number)
        previous = {"old_number": part.invoice_number, "old_document": part.invoice_file_id}
        part.invoice_state = VendorOrder.InvoiceState.ISSUED
        part.invoice_number, part.invoice_date = number[:40], date
        if upload is not None:
            document = _invoice_document(part, number, upload, user)
        if document is not None:
            part.invoice_file = document
        part.save(update_fields=["invoice_state", "invoice_number", "invoice_date", "invoice_file"])
        data = {"vendor": part.vendor_name, "number": number, **(previous if correction else {})}
        checkout.log_event(part.order, "invoice_corrected" if correction else "invoice_issued", user=user, data=data)
    return part


def _invoice_document(part, number, upload, user):
    """The invoice PDF as a private document (cms.private_media): only the unit, the vendor and staff see it."""
    return store_private_document(
        "invoices",
        upload,
        title=_("Invoice %(number)s, order %(order)s") % {"number": number[:40], "order": part.order.number},
        user=user,
    )


# -- queries -------------------------------------------------------------------------------------------


def unit_orders(unit):
    return Order.objects.filter(buyer_unit=unit).select_related("buyer").prefetch_related("vendor_orders")


def get_unit_order(user, number):
    """A unit order the user may see (a member of its unit, or staff); anything else is 'not found'."""
    order = Order.objects.filter(number=number).exclude(buyer_unit=None).select_related("buyer_unit").first()
    if order is None or not (
        user.is_staff or UnitMember.objects.filter(unit_id=order.buyer_unit_id, user=user).exists()
    ):
        raise DomainError(MarketplaceCode.UNIT_ORDER_NOT_FOUND)
    return order


def statement(unit, year, month):
    """A month's orders of a unit with amounts and paid/unpaid (cancelled ones left out)."""
    start = datetime.date(year, month, 1)
    end = datetime.date(year + (month == 12), month % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    orders = (
        Order.objects.filter(
            buyer_unit=unit,
            placed_at__gte=datetime.datetime.combine(start, datetime.time.min, tz),
            placed_at__lt=datetime.datetime.combine(end, datetime.time.min, tz),
        )
        .exclude(status=Order.Status.CANCELLED)
        .select_related("buyer")
        .prefetch_related("vendor_orders")
        .order_by("placed_at", "pk")
    )
    rows, total, paid = [], Decimal("0.00"), Decimal("0.00")
    for order in orders:
        is_paid = order.paid_at is not None
        amount = order.total - order.refunded_total
        rows.append(
            {
                "number": order.number,
                "placed_at": timezone.localtime(order.placed_at),
                "buyer": order.buyer.get_username(),
                "purchase_order_number": order.purchase_order_number,
                "canteen": order.canteen_name,
                "status": order.get_status_display(),
                "amount": amount,
                # Included in the amount: the vendors' delivery fees (refunded shipping taken off).
                "shipping": sum(
                    (p.shipping_fee - p.shipping_refunded for p in order.vendor_orders.all()), Decimal("0.00")
                ),
                "paid": pgettext("payment state", "paid") if is_paid else pgettext("payment state", "unpaid"),
                "is_paid": is_paid,
            }
        )
        total += amount
        paid += amount if is_paid else 0
    return {"rows": rows, "total": total, "paid": paid, "unpaid": total - paid, "start": start}


# -- the 消费帮扶 share -----------------------------------------------------------------------------------


@dataclass
class Share:
    year: int
    budget: Decimal | None
    target_share: Decimal | None
    spend: Decimal = Decimal("0.00")
    mountain: Decimal = Decimal("0.00")
    # Shipping fees paid (refunds taken off): part of the spend, but not produce of any county.
    freight: Decimal = Decimal("0.00")
    months: list = field(default_factory=list)  # 12 dicts: month, spend, mountain, freight, other
    counties: list = field(default_factory=list)  # dicts: county, name, mountain, amount, sorted by amount

    @property
    def other(self):
        """Produce from counties that are not mountain counties (shipping left out)."""
        return self.spend - self.mountain - self.freight

    @property
    def mountain_share_of_spend(self):
        return (self.mountain / self.spend).quantize(Decimal("0.0001"), ROUND_HALF_UP) if self.spend else None

    @property
    def share_of_budget(self):
        return (self.mountain / self.budget).quantize(Decimal("0.0001"), ROUND_HALF_UP) if self.budget else None

    @property
    def target_amount(self):
        if self.budget is None or self.target_share is None:
            return None
        return (self.budget * self.target_share).quantize(CENT, ROUND_HALF_UP)

    @property
    def progress(self):
        """Mountain spend as a share of the target amount (1 = target reached)."""
        target = self.target_amount
        return (self.mountain / target).quantize(Decimal("0.0001"), ROUND_HALF_UP) if target else None


def compute_share(year, unit=None):
    """The year's spend of a unit (or of every unit, for staff) and the part of it on mountain-county produce.

    A line counts as mountain produce when its origin county as copied when ordered (for older lines the
    product's origin county; else its vendor's county) was on
    the mountain-county list on the order's date (Asia/Shanghai). Refunded quantities are taken off.
    Shipping fees count in the spend as `freight`, kept apart from produce (no county, never mountain).
    """
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(datetime.date(year, 1, 1), datetime.time.min, tz)
    end = datetime.datetime.combine(datetime.date(year + 1, 1, 1), datetime.time.min, tz)
    orders = Order.objects.filter(status__in=SPEND_STATUSES, placed_at__gte=start, placed_at__lt=end).exclude(
        buyer_unit=None
    )
    if unit is not None:
        orders = orders.filter(buyer_unit=unit)
    lines = (
        OrderLine.objects.filter(order__in=orders)
        .select_related("order", "product", "vendor_order__vendor")
        .only(
            "unit_price",
            "quantity",
            "refunded_quantity",
            "line_total",
            "order__placed_at",
            "origin_county_id",
            "product__origin_county_id",
            "vendor_order__vendor__county_id",
        )
    )
    if unit is not None:
        budget_row = AnnualBudget.objects.filter(unit=unit, year=year).first()
        budget = budget_row.food_budget if budget_row else None
        target = budget_row.target_share if budget_row else None
    else:
        rows = list(AnnualBudget.objects.filter(year=year))
        budget = sum((b.food_budget for b in rows), Decimal("0.00")) or None
        target_amount = sum((b.food_budget * b.target_share for b in rows), Decimal("0"))
        target = (target_amount / budget).quantize(Decimal("0.001"), ROUND_HALF_UP) if budget else None
    months = {
        m: {"month": m, "spend": Decimal("0.00"), "mountain": Decimal("0.00"), "freight": Decimal("0.00")}
        for m in range(1, 13)
    }
    by_county = defaultdict(lambda: {"amount": Decimal("0.00"), "mountain": Decimal("0.00")})
    items = []
    for line in lines:
        county_id = None
        if line.origin_county_id:  # copied when ordered
            county_id = line.origin_county_id
        elif line.product_id and line.product and line.product.origin_county_id:  # lines from before the copy
            county_id = line.product.origin_county_id
        elif line.vendor_order_id and line.vendor_order.vendor_id:
            county_id = line.vendor_order.vendor.county_id
        amount = line.line_total - (line.unit_price * line.refunded_quantity).quantize(CENT, ROUND_HALF_UP)
        items.append((timezone.localtime(line.order.placed_at, tz).date(), county_id, amount))
    memberships = defaultdict(list)
    for membership in MountainCountyMembership.objects.filter(county_id__in={c for _d, c, _a in items if c}):
        memberships[membership.county_id].append(membership)
    share = Share(year=year, budget=budget, target_share=target)
    for day, county_id, amount in items:
        mountain = any(m.covers(day) for m in memberships.get(county_id, ()))
        months[day.month]["spend"] += amount
        share.spend += amount
        if mountain:
            months[day.month]["mountain"] += amount
            share.mountain += amount
            by_county[county_id]["mountain"] += amount
        by_county[county_id]["amount"] += amount
    shipped = (
        VendorOrder.objects.filter(order__in=orders)
        .exclude(shipping_fee=0)
        .values_list("order__placed_at", "shipping_fee", "shipping_refunded")
    )
    for placed_at, fee, refunded in shipped:
        amount = fee - refunded
        month = months[timezone.localtime(placed_at, tz).date().month]
        month["spend"] += amount
        month["freight"] += amount
        share.spend += amount
        share.freight += amount
    for month in months.values():
        month["other"] = month["spend"] - month["mountain"] - month["freight"]
    share.months = list(months.values())
    names = {c.pk: c for c in County.objects.filter(pk__in=[c for c in by_county if c])}
    share.counties = sorted(
        (
            {
                "county": names.get(county_id),
                "name": str(names[county_id]) if county_id in names else _("Unknown county"),
                "amount": values["amount"],
                "mountain": values["mountain"],
            }
            for county_id, values in by_county.items()
        ),
        key=lambda row: (-row["amount"], row["name"]),
    )
    return share


# -- private files -------------------------------------------------------------------------------------


def make_files_private(photo_ids=None, document_ids=None):
    """Move receipt photos and invoice files stored before the private area existed into it (and into the
    private collection), deleting their public renditions. Idempotent; run by migration 0013, which passes
    the ids (read through its historical VendorOrder). Returns how many files moved."""
    from django.core.files.storage import default_storage
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    if photo_ids is None or document_ids is None:
        parts = VendorOrder.objects.exclude(inspection_photo=None, invoice_file=None)
        photo_ids = set(parts.exclude(inspection_photo=None).values_list("inspection_photo_id", flat=True))
        document_ids = set(parts.exclude(invoice_file=None).values_list("invoice_file_id", flat=True))
    items = [("receipts", image) for image in get_image_model().objects.filter(pk__in=photo_ids)]
    items += [("invoices", document) for document in get_document_model().objects.filter(pk__in=document_ids)]
    if not items:
        return 0
    collection = private_collection()
    moved = 0
    for kind, item in items:
        if is_private(item.file.name) and item.collection_id == collection.pk:
            continue
        if not is_private(item.file.name):
            old = item.file.name
            if default_storage.exists(old):
                with default_storage.open(old) as source:
                    item.file.name = default_storage.save(private_name(kind, old), source)
                default_storage.delete(old)
                moved += 1
            if kind == "receipts":
                item.renditions.all().delete()
        item.collection = collection
        item.save()
    return moved
