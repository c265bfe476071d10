"""Purchase agreements (签约) at a fair: record, cancel, order against, progress.

Rules (DESIGN.md):
- each operation is one transaction and raises DomainError with a code from events.errors;
- an agreement is recorded by a member of its vendor, by a buyer of its canteen unit, or by an organiser on both
  parties' behalf; it can be cancelled by the same people; every change writes an audit entry on the fair;
- a canteen unit orders against its agreement through marketplace's canteen service (an ordinary unit order,
  so the 消费帮扶 share counts it once, like any other unit order); the link is an AgreementOrder here. Locks:
  the agreement row first, then whatever the checkout locks (products' stock, the order);
- progress counts the linked orders' lines as the share counts spend: orders placed for the vendors and not
  cancelled, refunds taken off; delivered is what the unit has received (验收).
"""

import dataclasses
import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cms import locking
from cms.errors import CommonCode, DomainError
from cms.phone import normalize_contact_phone
from events.agreements.models import AgreementLine, AgreementOrder, PurchaseAgreement
from events.errors import EventsCode
from events.models import FairPage
from events.stalls.services import _audit
from marketplace.canteen import services as canteen
from marketplace.canteen.models import BuyerUnit, UnitMember
from marketplace.checkout.models import OrderLine, VendorOrder
from marketplace.errors import MarketplaceCode
from marketplace.models import ProductPage, VendorMember, VendorPage

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_QUANTITY = Decimal("100000000")
MAX_PRICE = Decimal("100000000")
DOCUMENT_TYPES = (".pdf", ".jpg", ".jpeg", ".png")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
RecordedAs = PurchaseAgreement.RecordedAs


@dataclasses.dataclass
class LineRequest:
    quantity: object
    unit_price: object
    product_id: int | None = None
    item_name: str = ""
    unit: str = ""
    amount: object = None  # as written on the agreement; must be quantity × price (to the fen) when given


@dataclasses.dataclass
class AgreementRequest:
    vendor: VendorPage | None
    lines: list
    delivery_from: datetime.date | None
    delivery_to: datetime.date | None
    vendor_contact_name: str = ""
    vendor_contact_phone: str = ""
    buyer_contact_name: str = ""
    buyer_contact_phone: str = ""
    buyer_unit: BuyerUnit | None = None
    buyer_name: str = ""  # a distributor or company; for a unit, its name is taken
    buyer_name_en: str = ""
    signed_on: datetime.date | None = None  # None: today
    document: object = None
    note: str = ""


# -- who may act ------------------------------------------------------------------------------------------


def is_organiser(user):
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.has_perm("events.change_purchaseagreement"))
    )


def _works_for(user, vendor_id):
    return VendorMember.objects.filter(user=user, vendor_id=vendor_id).exists()


def _buys_for(user, unit_id):
    return bool(unit_id) and UnitMember.objects.filter(user=user, unit_id=unit_id, role=UnitMember.Role.BUYER).exists()


def may_see(user, agreement):
    """Organisers, the vendor's members and the buyer unit's members (any role)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if is_organiser(user) or _works_for(user, agreement.vendor_id):
        return True
    return (
        bool(agreement.buyer_unit_id) and UnitMember.objects.filter(user=user, unit_id=agreement.buyer_unit_id).exists()
    )


def visible_to(user):
    """The agreements `user` may see: all for organisers, else their vendors' and their units'."""
    agreements = PurchaseAgreement.objects.select_related("fair", "vendor", "buyer_unit")
    if not getattr(user, "is_authenticated", False):
        return agreements.none()
    if is_organiser(user):
        return agreements
    vendor_ids = VendorMember.objects.filter(user=user).values("vendor_id")
    unit_ids = UnitMember.objects.filter(user=user).values("unit_id")
    from django.db.models import Q

    return agreements.filter(Q(vendor_id__in=vendor_ids) | Q(buyer_unit_id__in=unit_ids))


def _acting_as(user, vendor, unit, acting_as):
    if acting_as == RecordedAs.ORGANISER and is_organiser(user):
        return acting_as
    if acting_as == RecordedAs.VENDOR and vendor is not None and _works_for(user, vendor.pk):
        return acting_as
    if acting_as == RecordedAs.BUYER and unit is not None and _buys_for(user, unit.pk):
        return acting_as
    raise DomainError(EventsCode.AGREEMENT_PARTY_FORBIDDEN)


# -- checks -----------------------------------------------------------------------------------------------


def _decimal(value, code, field, *, minimum, maximum):
    if isinstance(value, bool):
        raise DomainError(code, field=field)
    try:
        number = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(code, field=field) from None
    if not number.is_finite() or not minimum <= number <= maximum:
        raise DomainError(code, field=field)
    return number.quantize(CENT, ROUND_HALF_UP)


def _phone(value, field):
    phone = normalize_contact_phone(value)
    if not phone:
        raise DomainError(EventsCode.AGREEMENT_PHONE_INVALID, field=field)
    return phone


def _name(value, code, field, length=40):
    text = " ".join(str(value or "").split())[:length]
    if not text:
        raise DomainError(code, field=field)
    return text


def checked_document(upload):
    """A signed agreement as a PDF, JPEG or PNG of at most 10 MB: a PDF must start like one, an image goes
    through Wagtail's image checks (real image, pixel limit)."""
    if not upload:
        return None
    name = (upload.name or "").lower()
    if not name.endswith(DOCUMENT_TYPES):
        raise DomainError(EventsCode.DOCUMENT_TYPE_INVALID, field="document")
    if upload.size > MAX_DOCUMENT_BYTES:
        raise DomainError(EventsCode.DOCUMENT_TOO_LARGE, field="document")
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if name.endswith(".pdf"):
        if head != b"%PDF-":
            raise DomainError(EventsCode.DOCUMENT_NOT_PDF, field="document")
        return upload
    from wagtail.images.fields import WagtailImageField

    try:
        checked = WagtailImageField(required=False).clean(upload)
    except ValidationError as error:
        raise DomainError(CommonCode.INVALID_DETAIL, field="document", detail=" ".join(error.messages)) from error
    except (OSError, ValueError):  # Pillow: not an image at all
        raise DomainError(EventsCode.DOCUMENT_NOT_IMAGE, field="document") from None
    checked.seek(0)
    return checked


def _lines(vendor, requests):
    if not requests:
        raise DomainError(EventsCode.AGREEMENT_LINES_REQUIRED, field="lines")
    products = {}
    wanted = {line.product_id for line in requests if line.product_id}
    if wanted:
        products = {p.pk: p for p in ProductPage.objects.filter(pk__in=wanted, vendor=vendor)}
    lines = []
    for request in requests:
        product = products.get(request.product_id) if request.product_id else None
        if request.product_id and product is None:
            raise DomainError(EventsCode.AGREEMENT_PRODUCT_NOT_VENDORS, field="product")
        name = (product.title if product else " ".join(str(request.item_name or "").split()))[:120]
        if not name:
            raise DomainError(EventsCode.AGREEMENT_ITEM_REQUIRED, field="item_name")
        quantity = _decimal(
            request.quantity,
            EventsCode.AGREEMENT_QUANTITY_INVALID,
            "quantity",
            minimum=CENT,
            maximum=MAX_QUANTITY,
        )
        price = _decimal(
            request.unit_price,
            EventsCode.SALE_PRICE_INVALID,
            "unit_price",
            minimum=ZERO,
            maximum=MAX_PRICE,
        )
        amount = (quantity * price).quantize(CENT, ROUND_HALF_UP)
        if request.amount not in (None, ""):
            written = _decimal(
                request.amount,
                EventsCode.AGREEMENT_AMOUNT_INVALID,
                "amount",
                minimum=ZERO,
                maximum=MAX_PRICE * MAX_QUANTITY,
            )
            if abs(written - amount) > CENT:
                raise DomainError(EventsCode.AGREEMENT_AMOUNT_MISMATCH, field="amount", written=written, amount=amount)
        unit = " ".join(str(request.unit or (product.unit if product else "") or "").split())[:20]
        lines.append(
            AgreementLine(
                product=product, item_name=name, quantity=quantity, unit=unit, unit_price=price, amount=amount
            )
        )
    return lines


def _checked(fair, request):
    if fair.status == FairPage.Status.CANCELLED:
        raise DomainError(EventsCode.FAIR_CANCELLED)
    vendor = request.vendor
    if vendor is None:
        raise DomainError(EventsCode.AGREEMENT_VENDOR_REQUIRED, field="vendor")
    unit = request.buyer_unit
    if unit is not None and not unit.is_verified:
        raise DomainError(EventsCode.AGREEMENT_UNIT_NOT_VERIFIED, field="buyer_unit")
    buyer_name = (
        unit.name
        if unit is not None
        else _name(request.buyer_name, EventsCode.AGREEMENT_BUYER_REQUIRED, "buyer_name", 120)
    )
    if request.delivery_from is None or request.delivery_to is None:
        raise DomainError(EventsCode.DELIVERY_PERIOD_REQUIRED, field="delivery_from")
    if request.delivery_to < request.delivery_from:
        raise DomainError(EventsCode.DELIVERY_PERIOD_INVALID, field="delivery_to")
    return {
        "vendor": vendor,
        "buyer_unit": unit,
        "buyer_name": buyer_name,
        "buyer_name_en": "" if unit is not None else " ".join(str(request.buyer_name_en or "").split())[:160],
        "vendor_contact_name": _name(
            request.vendor_contact_name, EventsCode.VENDOR_CONTACT_REQUIRED, "vendor_contact_name"
        ),
        "vendor_contact_phone": _phone(request.vendor_contact_phone, "vendor_contact_phone"),
        "buyer_contact_name": _name(
            request.buyer_contact_name, EventsCode.BUYER_CONTACT_REQUIRED, "buyer_contact_name"
        ),
        "buyer_contact_phone": _phone(request.buyer_contact_phone, "buyer_contact_phone"),
        "signed_on": request.signed_on or timezone.localdate(),
        "delivery_from": request.delivery_from,
        "delivery_to": request.delivery_to,
        "note": " ".join(str(request.note or "").split())[:200],
    }


# -- operations ---------------------------------------------------------------------------------------------


def record_agreement(*, fair, user, request, acting_as):
    """Record a signed agreement at `fair`. `acting_as`: RecordedAs.VENDOR (a member of the vendor),
    BUYER (a buyer of the unit) or ORGANISER (on both parties' behalf)."""
    acting_as = _acting_as(user, request.vendor, request.buyer_unit, acting_as)
    fields = _checked(fair, request)
    lines = _lines(fields["vendor"], request.lines)
    document = checked_document(request.document)
    with transaction.atomic():
        agreement = PurchaseAgreement(
            fair=fair,
            total=sum((line.amount for line in lines), ZERO),
            recorded_as=acting_as,
            recorded_by=user if getattr(user, "pk", None) else None,
            **fields,
        )
        if document is not None:
            agreement.document.save(document.name, document, save=False)
        agreement.save()
        for line in lines:
            line.agreement = agreement
        AgreementLine.objects.bulk_create(lines)
        _audit(
            fair,
            "events.agreement_recorded",
            user,
            agreement=agreement.pk,
            vendor=agreement.vendor.title,
            buyer=agreement.buyer_name,
            amount=str(agreement.total),
            recorded_as=acting_as,
        )
    return agreement


def update_agreement(agreement, *, user, request):
    """Correct a signed agreement as written (parties, lines, period, contacts; a new document replaces the old).
    Organisers only; the agreement's vendor stays (orders against it are that vendor's)."""
    if not is_organiser(user):
        raise DomainError(EventsCode.AGREEMENT_CHANGE_FORBIDDEN)
    with transaction.atomic():
        agreement = locking.lock_one(PurchaseAgreement.objects.select_related("fair", "vendor"), agreement.pk)
        if not agreement.is_signed:
            raise DomainError(EventsCode.AGREEMENT_CANCELLED)
        if request.vendor is not None and request.vendor.pk != agreement.vendor_id:
            raise DomainError(EventsCode.AGREEMENT_VENDOR_FIXED, field="vendor")
        if agreement.order_links.exists() and (
            request.buyer_unit is None or request.buyer_unit.pk != agreement.buyer_unit_id
        ):
            raise DomainError(EventsCode.AGREEMENT_BUYER_FIXED, field="buyer_unit")
        request.vendor = agreement.vendor
        fields = _checked(agreement.fair, request)
        lines = _lines(agreement.vendor, request.lines)
        document = checked_document(request.document)
        old = {"amount": str(agreement.total), "buyer": agreement.buyer_name}
        for name, value in fields.items():
            setattr(agreement, name, value)
        agreement.total = sum((line.amount for line in lines), ZERO)
        if document is not None:
            agreement.document.save(document.name, document, save=False)
        agreement.save()
        agreement.lines.all().delete()
        for line in lines:
            line.agreement = agreement
        AgreementLine.objects.bulk_create(lines)
        _audit(
            agreement.fair,
            "events.agreement_changed",
            user,
            agreement=agreement.pk,
            old=old,
            new={"amount": str(agreement.total), "buyer": agreement.buyer_name},
        )
    return agreement


def _may_change(user, agreement):
    return is_organiser(user) or _works_for(user, agreement.vendor_id) or _buys_for(user, agreement.buyer_unit_id)


def cancel_agreement(agreement, *, user, reason=""):
    """Cancel a signed agreement (organisers or either party). Orders already placed against it stay what they
    are: ordinary unit orders the unit may cancel on their own."""
    with transaction.atomic():
        agreement = locking.lock_one(PurchaseAgreement.objects.select_related("fair", "vendor"), agreement.pk)
        if not _may_change(user, agreement):
            raise DomainError(EventsCode.AGREEMENT_CHANGE_FORBIDDEN)
        PurchaseAgreement.TRANSITIONS.move(agreement, PurchaseAgreement.Status.CANCELLED)
        agreement.cancelled_at = timezone.now()
        agreement.cancelled_by = user if getattr(user, "pk", None) else None
        agreement.cancel_reason = " ".join(str(reason or "").split())[:200]
        agreement.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
        _audit(
            agreement.fair,
            "events.agreement_cancelled",
            user,
            agreement=agreement.pk,
            vendor=agreement.vendor.title,
            buyer=agreement.buyer_name,
            amount=str(agreement.total),
            reason=agreement.cancel_reason,
        )
    return agreement


def order_against(agreement, *, user, lines, delivery, idempotency_key=""):
    """A buyer of the agreement's canteen unit orders from it: a unit order (marketplace's canteen service:
    stock, prices, approval threshold as usual) of the agreement vendor's products, delivered within the
    agreement's delivery period, linked to the agreement. Returns the order."""
    with transaction.atomic():
        agreement = locking.lock_one(PurchaseAgreement.objects.select_related("fair", "buyer_unit"), agreement.pk)
        if not agreement.is_signed:
            raise DomainError(EventsCode.AGREEMENT_CANCELLED)
        unit = agreement.buyer_unit
        if unit is None:
            raise DomainError(EventsCode.AGREEMENT_NOT_FOR_UNIT)
        if not _buys_for(user, unit.pk):
            raise DomainError(MarketplaceCode.UNIT_ROLE_MISSING)
        if not lines:
            raise DomainError(EventsCode.AGREEMENT_PRODUCTS_REQUIRED, field="lines")
        product_ids = {line.product_id for line in lines}
        if ProductPage.objects.filter(pk__in=product_ids, vendor_id=agreement.vendor_id).count() != len(product_ids):
            raise DomainError(EventsCode.AGREEMENT_PRODUCTS_NOT_VENDORS, field="lines")
        if delivery.date and not agreement.delivery_from <= delivery.date <= agreement.delivery_to:
            raise DomainError(
                EventsCode.AGREEMENT_DELIVERY_DATE_OUTSIDE,
                field="delivery_date",
                start=agreement.delivery_from.isoformat(),
                end=agreement.delivery_to.isoformat(),
            )
        order = canteen.place_unit_order(
            user=user, unit=unit, lines=lines, delivery=delivery, idempotency_key=idempotency_key
        )
        link, created = AgreementOrder.objects.get_or_create(
            order=order, defaults={"agreement": agreement, "linked_by": user}
        )
        if link.agreement_id != agreement.pk:
            raise DomainError(EventsCode.ORDER_OF_ANOTHER_AGREEMENT)
        if created:
            _audit(
                agreement.fair,
                "events.agreement_ordered",
                user,
                agreement=agreement.pk,
                order=order.number,
                amount=str(order.total),
            )
    return order


# -- progress ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Progress:
    total: Decimal
    ordered: Decimal = ZERO
    delivered: Decimal = ZERO
    orders: int = 0

    @property
    def percent(self):
        """Ordered as a share of the agreed total, in whole per cent (may pass 100)."""
        if not self.total:
            return 0
        return int((self.ordered * 100 / self.total).to_integral_value(ROUND_HALF_UP))

    @property
    def delivered_percent(self):
        if not self.total:
            return 0
        return int((self.delivered * 100 / self.total).to_integral_value(ROUND_HALF_UP))

    @property
    def bar_percent(self):
        return min(self.percent, 100)


def progress_of(agreements):
    """{agreement pk: Progress} for `agreements`, in one query: the agreement vendor's lines of the orders placed
    against each (orders counted as the 消费帮扶 share counts them: not cancelled, refunds taken off), and of
    those the lines whose vendor part the unit has received."""
    agreements = list(agreements)
    result = {a.pk: Progress(total=a.total) for a in agreements}
    vendors = {a.pk: a.vendor_id for a in agreements}
    rows = OrderLine.objects.filter(
        order__agreement_link__agreement_id__in=list(result),
        order__status__in=canteen.SPEND_STATUSES,
    ).values_list(
        "order__agreement_link__agreement_id",
        "order_id",
        "vendor_order__vendor_id",
        "vendor_order__status",
        "line_total",
        "unit_price",
        "refunded_quantity",
    )
    orders = {}
    for agreement_id, order_id, vendor_id, part_status, line_total, unit_price, refunded in rows:
        if vendor_id != vendors[agreement_id]:
            continue
        amount = line_total - (unit_price * refunded).quantize(CENT, ROUND_HALF_UP)
        progress = result[agreement_id]
        progress.ordered += amount
        if part_status == VendorOrder.Status.DELIVERED:
            progress.delivered += amount
        orders.setdefault(agreement_id, set()).add(order_id)
    for agreement_id, ids in orders.items():
        result[agreement_id].orders = len(ids)
    return result


def progress(agreement):
    return progress_of([agreement])[agreement.pk]


def with_progress(agreements):
    """The agreements as a list, each with `.progress` set."""
    agreements = list(agreements)
    figures = progress_of(agreements)
    for agreement in agreements:
        agreement.progress = figures[agreement.pk]
    return agreements
