"""Checkout operations: place, pay, cancel, expire, ship and refund orders.

Rules (DESIGN.md, "Scarce things" and "Money"):
- each operation is one transaction and raises DomainError with a code from marketplace.errors (message, status);
- stock changes only through a conditional UPDATE (`quantity = quantity - n WHERE quantity >= n`), one statement
  for all of an order's lines taking the rows in ascending product id order (marketplace.services.stock.reserve),
  so concurrent orders never deadlock and never oversell;
  the database's `stock_never_negative` constraint is the backstop;
- an order row is locked (cms.locking, in its declared order) before its status changes, so a late webhook, the
  expiry job and a buyer's cancel cannot both win;
- e-mails and calls to Stripe happen outside the database transaction (after commit).
"""

import dataclasses
import functools
import logging
import secrets
from collections import OrderedDict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import JSONField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from cms import locking
from cms.errors import CommonCode, DomainError
from cms.json_api import idempotency
from cms.prepared_query import PreparedQuery
from marketplace.errors import MarketplaceCode

from ..models import ProductPage, ProductStock, ProductTierPrice, VendorPage, audiences_for
from ..services import stats, stock
from . import carriers, notifications, payment_methods, shipping, signals, stripe_client
from .models import (
    AfterSaleRequest,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentMethod,
    Refund,
    ShippingRegion,
    ShippingRule,
    VendorOrder,
)

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")
PUBLIC_AUDIENCES = (ProductPage.Audience.PUBLIC, ProductPage.Audience.BOTH)
MAX_QUANTITY = 10_000  # per line: more is a typo, not an order

# What placing an order reads of a product and its vendor (checks, price, shipping, the order line's copy).
# A page row has some hundred columns with its vendor's; building them all, and hashing each one for the pages'
# default ORDER BY path, was a third of an order's CPU.
ORDER_PRODUCT_FIELDS = (
    "title",
    "live",
    "available",
    "audience",
    "min_order_quantity",
    "unit",
    "unit_price",
    "track_stock",
    "origin_county",
    "shipping",
    "shipping_surcharge",
    "shipping_weight",
    "vendor__title",
    "vendor__name_en",
    "vendor__approval_status",
)


SHIPPING_RULE_FIELDS = [field.name for field in ShippingRule._meta.concrete_fields]
# What the cart and checkout pages show of a product besides: its English name, its link and the stock left.
CART_PRODUCT_FIELDS = ("name_en", "url_path", "stock__quantity")


def line_total(unit_price, quantity):
    """A line's money: the unit price times the quantity, to the fen. The cart, the checkout page and placing an
    order all price a line with this, so the page shows what the order will cost."""
    return (unit_price * quantity).quantize(CENT, ROUND_HALF_UP)


def _children_json_sql(vendor, source, where, columns, money=()):
    """SQL for a subquery in a product's row: the rows of `source` that `where` picks, as one JSON array of objects
    with `columns` ({key: SQL expression}) and the `money` columns as text (a JSON number would come back as a
    float). NULL (PostgreSQL) or [] (SQLite) when there are none."""
    if vendor == "postgresql":
        aggregate, build, as_text = "JSONB_AGG", "JSONB_BUILD_OBJECT", "({})::text"
    else:
        aggregate, build, as_text = "JSON_GROUP_ARRAY", "JSON_OBJECT", "CAST({} AS TEXT)"
    pairs = [f"'{key}', {expression}" for key, expression in columns.items()]
    pairs += [f"'{key}', {as_text.format(expression)}" for key, expression in money]
    return f"(SELECT {aggregate}({build}({', '.join(pairs)})) FROM {source} WHERE {where})"


@functools.cache
def _order_products(vendor, cart=False):
    """The query products_for_order runs, but for the ids; made once per database vendor (making it costs about
    as much CPU as running it). The tier prices and shipping regions come in the product's row as JSON arrays.
    `cart`: with what the cart's pages show besides (CART_PRODUCT_FIELDS; the stock row joined)."""
    product = f'"{ProductPage._meta.db_table}"'
    tiers = _children_json_sql(
        vendor,
        f'"{ProductTierPrice._meta.db_table}" AS t',
        f't."product_id" = {product}."page_ptr_id"',
        {"id": 't."id"', "sort_order": 't."sort_order"', "min_quantity": 't."min_quantity"'},
        money=[("unit_price", 't."unit_price"')],
    )
    regions = _children_json_sql(
        vendor,
        f'"{ShippingRegion._meta.db_table}" AS r',
        # The rule's row is in the query already (select_related joins it under its table's name).
        f'r."rule_id" = "{ShippingRule._meta.db_table}"."id"',
        {
            "id": 'r."id"',
            "sort_order": 'r."sort_order"',
            # SQLite would nest the JSON column's text as a string.
            "provinces": 'r."provinces"' if vendor == "postgresql" else 'JSON(r."provinces")',
        },
        money=[(name, f'r."{name}"') for name in ("first_fee", "additional_fee", "free_above")],
    )
    products = ProductPage.objects.select_related("vendor__shipping_rule")
    fields = [*ORDER_PRODUCT_FIELDS, *(f"vendor__shipping_rule__{name}" for name in SHIPPING_RULE_FIELDS)]
    if cart:
        products, fields = products.select_related("stock"), [*fields, *CART_PRODUCT_FIELDS]
    return (
        products.only(*fields)
        .annotate(
            tier_rows=RawSQL(tiers, [], output_field=JSONField()),
            region_rows=RawSQL(regions, [], output_field=JSONField()),
        )
        .order_by()
    )


@functools.lru_cache(maxsize=128)
def _prepared_order_products(alias, vendor, count, cart=False):
    """_order_products for `count` ids, compiled once (cms.prepared_query): compiling it cost as much as running it."""
    slots = list(range(-1, -count - 1, -1))  # no page has a negative id
    return PreparedQuery(_order_products(vendor, cart).using(alias).filter(pk__in=slots), *slots)


def products_for_order(product_ids, *, cart=False):
    """{id: ProductPage} with their vendors, the vendors' shipping rules with their regions and the products' tier
    prices, as place_order needs them, in one query (no ORDER BY: keyed by id). The tier prices and regions fill
    the relations' caches (`product.tier_prices.all()`, `rule.regions.all()` ask nothing more); each was a query
    of its own. `cart`: also what the cart's pages show (their English names, links and stock rows), so the cart
    reads its products, prices and shipping rules the way the order will, in the same one query."""
    ids = [int(pk) for pk in product_ids]
    alias = ProductPage.objects.db
    rows = _prepared_order_products(alias, connections[alias].vendor, len(ids), cart)(*ids) if ids else []
    products = {}
    for product in rows:
        tiers = [
            _loaded(
                ProductTierPrice,
                row,
                product_id=product.pk,
                min_quantity=row["min_quantity"],
                unit_price=_money(row["unit_price"]),
            )
            for row in product.tier_rows or ()
        ]
        remember_rows(product, tier_prices=tiers)
        rule = getattr(product.vendor, "shipping_rule", None) if product.vendor else None
        if rule is not None:
            regions = [
                _loaded(
                    ShippingRegion,
                    row,
                    rule_id=rule.pk,
                    provinces=row["provinces"],
                    first_fee=_money(row["first_fee"]),
                    additional_fee=_money(row["additional_fee"]),
                    free_above=_money(row["free_above"]),
                )
                for row in sorted(product.region_rows or (), key=lambda row: (row["sort_order"] or 0, row["id"]))
            ]
            remember_rows(rule, regions=regions)
        products[product.pk] = product
    return products


def _money(text):
    return None if text is None else Decimal(text).quantize(CENT)


def _loaded(model, row, **values):
    """A `model` instance from a row read as JSON, as if loaded from the database."""
    instance = model(id=row["id"], sort_order=row["sort_order"], **values)
    instance._state.adding, instance._state.db = False, ProductPage.objects.db
    return instance


@dataclasses.dataclass
class LineRequest:
    product_id: int
    quantity: int
    # The unit price the buyer saw; if the product got dearer since, the order is refused, never charged silently.
    expected_unit_price: Decimal | None = None


@dataclasses.dataclass
class Address:
    recipient: str
    phone: str
    province: str
    city: str
    district: str
    street: str

    @classmethod
    def from_model(cls, address):
        return cls(**{f.name: getattr(address, f.name) for f in dataclasses.fields(cls)})


# The methods that can be paid now (Stripe's only with its keys): see payment_methods, the one place for that rule.
allowed_payment_methods = payment_methods.available_payment_methods


def payment_window(method):
    if method == PaymentMethod.BANK_TRANSFER:
        return timedelta(hours=getattr(settings, "CHECKOUT_BANK_TRANSFER_HOURS", 72))
    return timedelta(minutes=getattr(settings, "CHECKOUT_PAYMENT_MINUTES", 30))


def log_event(order, action, *, user=None, from_status="", to_status="", note="", data=None):
    return OrderEvent.objects.create(
        order=order,
        action=action,
        user=user if getattr(user, "pk", None) else None,
        from_status=from_status,
        to_status=to_status,
        note=note[:255],
        data=data or {},
    )


def _set_status(order, status, *, user=None, action=None, note=""):
    previous = order.status
    Order.TRANSITIONS.move(order, status)
    log_event(order, action or f"status:{status}", user=user, from_status=previous, to_status=status, note=note)


def _merge(lines):
    merged = OrderedDict()
    for line in lines:
        quantity = line.quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise DomainError(CommonCode.QUANTITY_NOT_WHOLE)
        if quantity < 1:
            raise DomainError(MarketplaceCode.QUANTITY_TOO_SMALL)
        if quantity > MAX_QUANTITY:
            raise DomainError(MarketplaceCode.QUANTITY_TOO_LARGE, max=MAX_QUANTITY)
        if line.product_id in merged:
            previous = merged[line.product_id]
            merged[line.product_id] = dataclasses.replace(previous, quantity=previous.quantity + quantity)
        else:
            merged[line.product_id] = line
    return merged


def _check_product(product, line, buyer):
    name = product.title
    if not (product.live and product.available and product.vendor and product.vendor.is_approved):
        raise DomainError(MarketplaceCode.NO_LONGER_FOR_SALE, name=name)
    # Only canteen-only products need to know whether the buyer is a canteen member (a query).
    if product.audience not in PUBLIC_AUDIENCES and product.audience not in audiences_for(buyer):
        raise DomainError(MarketplaceCode.CANTEEN_ONLY, name=name)
    if line.quantity < product.min_order_quantity:
        raise DomainError(MarketplaceCode.BELOW_MINIMUM, name=name, n=product.min_order_quantity, unit=product.unit)


def _price(product, line):
    """The unit price of a line (its bulk tier applied); refused if dearer than the buyer saw."""
    price = product.price_for(line.quantity)
    if line.expected_unit_price is not None and Decimal(line.expected_unit_price) < price:
        raise DomainError(MarketplaceCode.PRICE_CHANGED, name=product.title, old=line.expected_unit_price, new=price)
    return price


def _release_stock(lines):
    """Give back what lines hold, product by product in id order."""
    for line in sorted((ln for ln in lines if ln.reserved_quantity), key=lambda ln: ln.product_id or 0):
        if line.product_id:
            ProductStock.objects.move(line.product_id, line.reserved_quantity)
        line.reserved_quantity = 0
        line.save(update_fields=["reserved_quantity"])


def _new_payment_reference():
    return "SHZ" + "".join(secrets.choice("0123456789") for _ in range(9))


def _replayed(existing, fingerprint):
    """The order a retried request (same idempotency key) placed, marked `replayed` (as events' registrations are);
    a different request with that key is refused."""
    order = idempotency.check_replay(existing, fingerprint)
    order.replayed = True
    return order


def place_order(
    *,
    buyer,
    lines,
    payment_method,
    address=None,
    note="",
    idempotency_key="",
    unit_details=None,
    idempotency_fingerprint="",
):
    """Turn requested lines into an order split by vendor, reserving stock. Returns the Order.

    Online payments then need a Stripe PaymentIntent: see `stripe_gateway.start_payment`.
    `unit_details` (canteen orders, see marketplace.canteen.services) holds Order field values
    (buyer_unit, requested_delivery_date, …) and an optional `approval_threshold`: an order whose total
    is above it waits for an approver (AWAITING_APPROVAL, holding its stock) for `approval_window`.
    """
    if buyer is None:
        # Product orders need an account (delivery addresses, order history); only fees may be bought as a guest.
        raise DomainError(MarketplaceCode.LOGIN_REQUIRED)
    payment_methods.check_payment_method(payment_method)
    if not lines:
        raise DomainError(MarketplaceCode.EMPTY_CART)
    requested = _merge(lines)
    if idempotency_key:
        existing = Order.objects.filter(buyer=buyer, idempotency_key=idempotency_key).first()
        if existing:
            return _replayed(existing, idempotency_fingerprint)
    needs_delivery = True
    try:
        with transaction.atomic():
            products = products_for_order(requested)
            missing = [pk for pk in requested if pk not in products]
            if missing:
                raise DomainError(MarketplaceCode.ORDER_PRODUCT_NOT_FOUND)
            for product_id in sorted(requested):
                _check_product(products[product_id], requested[product_id], buyer)
            # Every line's stock in one statement (stock.reserve: ascending product ids, all or none).
            stock.reserve([(products[pk], line.quantity) for pk, line in requested.items() if products[pk].track_stock])
            priced = []
            for product_id in sorted(requested):
                line = requested[product_id]
                priced.append((products[product_id], line.quantity, _price(products[product_id], line)))
            if needs_delivery and address is None:
                raise DomainError(MarketplaceCode.ADDRESS_REQUIRED)
            fees = _shipping_fees(priced, address, canteen=bool((unit_details or {}).get("buyer_unit")))
            order = _create_order(
                buyer,
                priced,
                payment_method,
                address,
                note,
                idempotency_key,
                unit_details,
                idempotency_fingerprint,
                fees=fees,
            )
    except IntegrityError:
        # Two requests with the same idempotency key raced; the other one won.
        if idempotency_key:
            existing = Order.objects.filter(buyer=buyer, idempotency_key=idempotency_key).first()
            if existing:
                return _replayed(existing, idempotency_fingerprint)
        raise

    notifications.order_placed(order)
    return order


@dataclasses.dataclass
class Fee:
    """A line that is not a catalogue product: a fair ticket or a stall fee."""

    kind: str  # OrderLine.Kind
    name: str
    unit_price: Decimal
    quantity: int = 1
    # What the line pays for, e.g. "events.stallbooking:42", so the selling app can find it again.
    reference: str = ""


@dataclasses.dataclass
class GuestContact:
    """Who to reach about a guest's order (no account): a name, a mainland mobile number, maybe an e-mail."""

    name: str
    phone: str
    email: str = ""


def new_access_token():
    return secrets.token_urlsafe(32)


def place_fee_order(*, buyer, fees, payment_method, note="", payment_due_at=None, guest=None):
    """An order of fees (tickets, stall fees): no stock, no delivery, no vendor parts. Returns the Order.

    Callers hold their own scarce thing (a stall, a place in a slot) in the same transaction, and
    listen to `signals.order_paid` / `signals.order_closed` to confirm or release it.
    Without a buyer (`buyer=None`) the order is a guest's: `guest` (GuestContact) is required and the order
    gets an unguessable `access_token`, the only way to open it (see views.order_access).
    """
    if buyer is None and (guest is None or not (guest.name or "").strip() or not (guest.phone or "").strip()):
        raise DomainError(MarketplaceCode.GUEST_CONTACT_REQUIRED)
    payment_methods.check_payment_method(payment_method)
    if not fees:
        raise DomainError(MarketplaceCode.NOTHING_TO_PAY)
    for fee in fees:
        if fee.unit_price is None or Decimal(fee.unit_price) <= 0 or fee.quantity < 1:
            raise DomainError(MarketplaceCode.FEE_INVALID)
    now = timezone.now()
    with transaction.atomic():
        guest_fields = {}
        if buyer is None:
            guest_fields = {
                "guest_name": guest.name.strip()[:60],
                "guest_phone": guest.phone.strip()[:20],
                "guest_email": (guest.email or "").strip()[:254],
                "access_token": new_access_token(),
            }
        order = Order.objects.create(
            buyer=buyer,
            **guest_fields,
            payment_method=payment_method,
            total=sum((Decimal(f.unit_price) * f.quantity).quantize(CENT, ROUND_HALF_UP) for f in fees),
            note=note[:200],
            placed_at=now,
            payment_due_at=payment_due_at or now + payment_window(payment_method),
            payment_reference=_new_payment_reference() if payment_method == PaymentMethod.BANK_TRANSFER else None,
        )
        for fee in fees:
            OrderLine.objects.create(
                order=order,
                kind=fee.kind,
                name=fee.name,
                unit_price=Decimal(fee.unit_price),
                quantity=fee.quantity,
                line_total=(Decimal(fee.unit_price) * fee.quantity).quantize(CENT, ROUND_HALF_UP),
                reference=fee.reference,
            )
        log_event(
            order,
            "placed",
            user=buyer,
            to_status=order.status,
            data={"total": str(order.total), **({"guest": True} if buyer is None else {})},
        )

    notifications.order_placed(order)
    return order


def _shipping_fees(priced, address, *, canteen=False):
    """{vendor id: shipping fee} for the priced lines to `address`; refuses a vendor that does not deliver there."""
    groups = OrderedDict()
    for product, quantity, price in priced:
        groups.setdefault(product.vendor.pk, (product.vendor, []))[1].append(
            (product, quantity, line_total(price, quantity))
        )
    quotes = shipping.quote(list(groups.values()), address, canteen=canteen)
    shipping.require_delivery(quotes)
    return {q.vendor.pk: q.fee for q in quotes}


def _create_order(
    buyer, priced, payment_method, address, note, idempotency_key, unit_details=None, fingerprint="", fees=None
):
    now = timezone.now()
    fees = fees or {}
    total = sum((line_total(price, quantity) for _p, quantity, price in priced), Decimal("0"))
    total += sum(fees.values(), Decimal("0"))
    unit_details = dict(unit_details or {})
    threshold = unit_details.pop("approval_threshold", None)
    approval_window = unit_details.pop("approval_window", None)
    order = Order(
        buyer=buyer,
        payment_method=payment_method,
        total=total,
        note=note[:200],
        placed_at=now,
        payment_due_at=now + payment_window(payment_method),
        idempotency_key=idempotency_key or "",
        idempotency_fingerprint=fingerprint if idempotency_key else "",
        payment_reference=_new_payment_reference() if payment_method == PaymentMethod.BANK_TRANSFER else None,
    )
    if address is not None:
        for field in dataclasses.fields(Address):
            setattr(order, field.name, getattr(address, field.name))
    for field, value in unit_details.items():
        setattr(order, field, value)
    if threshold is not None and total > threshold:
        order.status = Order.Status.AWAITING_APPROVAL
        order.payment_due_at = now + (approval_window or payment_window(payment_method))
    order.save()
    # One INSERT for the vendor parts (subtotals known beforehand), one for the lines, one for the event.
    vendor_orders = {}
    for product, quantity, price in priced:
        vendor = product.vendor
        if vendor.pk not in vendor_orders:
            vendor_orders[vendor.pk] = VendorOrder(
                order=order,
                vendor=vendor,
                vendor_name=vendor.title,
                subtotal=Decimal("0"),
                shipping_fee=fees.get(vendor.pk, Decimal("0")),
            )
        vendor_orders[vendor.pk].subtotal += line_total(price, quantity)
    parts = _inserted(VendorOrder, list(vendor_orders.values()))
    lines = _inserted(
        OrderLine,
        [
            OrderLine(
                order=order,
                vendor_order=vendor_orders[product.vendor.pk],
                product=product,
                name=product.title,
                origin_county_id=product.origin_county_id,
                vendor_name=product.vendor.title,
                unit=product.unit,
                unit_price=price,
                quantity=quantity,
                line_total=line_total(price, quantity),
                reserved_quantity=quantity if product.track_stock else 0,
            )
            for product, quantity, price in priced
        ],
    )
    shipping_total = sum(fees.values(), Decimal("0"))
    data = {"total": str(total), **({"shipping": str(shipping_total)} if shipping_total else {})}
    log_event(order, "placed", user=buyer, to_status=order.status, data=data)
    # What was just written is what the order's relations hold: the answer and the notices need no query.
    remember_rows(order, lines=lines, vendor_orders=parts)
    return order


def remember_rows(instance, **relations):
    """Fill `instance`'s prefetch cache with rows we know, as prefetch_related would: `instance.<name>.all()`
    gives them without a query; filter(), exclude(), update() still ask the database."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in relations.items():
        cache.pop(name, None)
        queryset = getattr(instance, name).all()
        queryset._result_cache, queryset._prefetch_done = list(rows), True
        cache[name] = queryset


def _inserted(model, rows):
    """Insert rows in one statement; where the database cannot return the new ids, one by one."""
    if connections[model.objects.db].features.can_return_rows_from_bulk_insert:
        return model.objects.bulk_create(rows)
    for row in rows:
        row.save(force_insert=True)
    return rows


def _locked(order):
    """The order, locked (cms.locking)."""
    return locking.lock_one(Order, order.pk)


def may_open_order(order, *, user=None, access_token=None):
    """The buyer's own order, or a guest's order opened with its access token (compared in constant time)."""
    if order.buyer_id is not None:
        return getattr(user, "is_authenticated", False) and order.buyer_id == user.pk
    return bool(order.access_token and access_token and secrets.compare_digest(order.access_token, access_token))


def cancel_order(order, *, user, reason="", by_staff=False, access_token=None):
    """Cancel an unpaid order (the buyer's own, a guest's with its access token, or any as staff) and return
    its stock."""
    with transaction.atomic():
        order = _locked(order)
        if not by_staff and not may_open_order(order, user=user, access_token=access_token):
            raise DomainError(MarketplaceCode.ORDER_NOT_YOURS)
        if not order.is_open_unpaid:
            raise DomainError(
                MarketplaceCode.ORDER_NOT_CANCELLABLE, number=order.number, status=order.get_status_display()
            )
        _release_stock(order.lines.all())
        order.vendor_orders.update(status=VendorOrder.Status.CANCELLED)
        order.cancelled_at = timezone.now()
        _set_status(order, Order.Status.CANCELLED, user=user, action="cancelled", note=reason)
        order.save(update_fields=["status", "cancelled_at"])
        signals.order_closed.send(sender=Order, order=order, reason="cancelled")
        pending = list(order.payments.filter(status=Payment.Status.PENDING))
        Payment.objects.filter(pk__in=[p.pk for p in pending]).update(status=Payment.Status.CANCELLED)

    notifications.order_cancelled(order, pending_payments=pending)
    return order


def change_payment_method(order, method, *, user=None, access_token=None, by_staff=False, now=None):
    """Let the payer of an unpaid order switch to another available method (online ↔ bank transfer) instead of
    cancelling and ordering again. The order keeps its number, lines and what it holds (stock, fair places, a
    stall): nothing is released or taken. Returns the order.

    The payment deadline is recomputed for the new method from now (30 minutes online, 72 hours by transfer),
    but never beyond the longer of the two windows counted from when the order was placed: otherwise switching
    back and forth would hold stock or places for ever. An app that sells through the order may bound it further
    or keep it (`signals.payment_deadline`: a ticket's time slot, a stall's hold deadline).

    A pending Stripe PaymentIntent is marked cancelled here and cancelled at Stripe after commit, so the next
    payment page starts a fresh intent for the new method; should the old one still succeed meanwhile, the
    webhook applies it to this order as usual (it is still waiting for payment).
    """
    now = now or timezone.now()
    with transaction.atomic():
        order = _locked(order)
        if not by_staff and not may_open_order(order, user=user, access_token=access_token):
            raise DomainError(MarketplaceCode.ORDER_NOT_YOURS)
        if order.status != Order.Status.PENDING_PAYMENT:
            raise DomainError(
                MarketplaceCode.PAYMENT_METHOD_FIXED, number=order.number, status=order.get_status_display()
            )
        if order.payment_due_at is not None and order.payment_due_at <= now:
            raise DomainError(MarketplaceCode.PAYMENT_TIME_PASSED, number=order.number)
        payment_methods.check_payment_method(method)
        if method == order.payment_method:
            return order
        previous, previous_due = order.payment_method, order.payment_due_at
        longest = max(payment_window(PaymentMethod.BANK_TRANSFER), payment_window(PaymentMethod.CARD))
        due = min(now + payment_window(method), order.placed_at + longest)
        answers = [
            answer
            for _receiver, answer in signals.payment_deadline.send(sender=Order, order=order, method=method, due=due)
            if answer is not None
        ]
        if answers:
            due = min(answers)
        order.payment_method = method
        order.payment_due_at = due
        fields = ["payment_method", "payment_due_at"]
        if method == PaymentMethod.BANK_TRANSFER and not order.payment_reference:
            order.payment_reference = _new_payment_reference()
            fields.append("payment_reference")
        order.save(update_fields=fields)
        pending = list(order.payments.filter(status=Payment.Status.PENDING).exclude(stripe_payment_intent=None))
        Payment.objects.filter(pk__in=[p.pk for p in pending]).update(status=Payment.Status.CANCELLED)
        log_event(
            order,
            "payment_method_changed",
            user=user,
            note=f"{previous} → {method}",
            data={
                "from": previous,
                "to": method,
                "payment_due_at": due.isoformat() if due else None,
                "previous_payment_due_at": previous_due.isoformat() if previous_due else None,
            },
        )

    notifications.payment_method_changed(order, pending_payments=pending)
    return order


def expire_unpaid_orders(now=None):
    """Cancel unpaid orders whose payment window has passed. Returns the numbers of the expired orders."""
    now = now or timezone.now()
    expired = []
    due = Order.objects.filter(status__in=Order.OPEN_UNPAID, payment_due_at__lt=now).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            order = locking.lock_one(Order, pk)
            # Re-check under the lock: a payment may have arrived since we listed it.
            if not order.is_open_unpaid or order.payment_due_at is None or order.payment_due_at >= now:
                continue
            _release_stock(order.lines.all())
            order.vendor_orders.update(status=VendorOrder.Status.CANCELLED)
            order.cancelled_at = now
            _set_status(order, Order.Status.CANCELLED, action="expired", note="payment window passed")
            order.save(update_fields=["status", "cancelled_at"])
            signals.order_closed.send(sender=Order, order=order, reason="expired")
            pending = list(order.payments.filter(status=Payment.Status.PENDING))
            Payment.objects.filter(pk__in=[p.pk for p in pending]).update(status=Payment.Status.CANCELLED)
        expired.append(order.number)

        # As cancel_order: the pending PaymentIntents are cancelled at Stripe too, so the buyer's open
        # payment page cannot charge an order that no longer holds its stock.
        notifications.order_cancelled(order, pending_payments=pending)
    return expired


def mark_paid(order, payment, *, user=None, note=""):
    """Record a succeeded payment and move the order to paid. Idempotent. Runs inside the caller's transaction
    or its own. A payment for an order that was cancelled meanwhile is flagged for staff instead."""
    with transaction.atomic():
        order = _locked(order)
        payment = locking.lock_one(Payment, payment.pk)
        if payment.status == Payment.Status.SUCCEEDED and order.status != Order.Status.PENDING_PAYMENT:
            return order  # already applied
        if order.status != Order.Status.PENDING_PAYMENT:
            payment.status = Payment.Status.FLAGGED
            payment.flag_reason = f"paid while order was {order.status}"
            payment.save(update_fields=["status", "flag_reason", "updated_at"])
            log_event(order, "payment_flagged", user=user, note=payment.flag_reason)
            return order
        payment.status = Payment.Status.SUCCEEDED
        payment.save(update_fields=["status", "updated_at"])
        order.paid_at = timezone.now()
        # Paid lines keep their stock for good.
        order.lines.update(reserved_quantity=0)
        order.vendor_orders.update(status=VendorOrder.Status.TO_SHIP)
        _set_status(order, Order.Status.PAID, user=user, action="paid", note=note)
        order.save(update_fields=["status", "paid_at"])
        signals.order_paid.send(sender=Order, order=order)

    notifications.order_paid(order)
    return order


def flag_payment(payment, reason):
    with transaction.atomic():
        payment = locking.lock_one(Payment, payment.pk)
        payment.status = Payment.Status.FLAGGED
        payment.flag_reason = reason[:255]
        payment.save(update_fields=["status", "flag_reason", "updated_at"])
        log_event(payment.order, "payment_flagged", note=reason)
    return payment


def record_bank_transfer(order, *, amount, received_on, bank_reference, user):
    """Staff record a received bank transfer (对公转账); the exact order total marks the order paid."""
    amount = Decimal(amount).quantize(CENT)
    with transaction.atomic():
        order = _locked(order)
        if order.status != Order.Status.PENDING_PAYMENT:
            raise DomainError(
                MarketplaceCode.ORDER_NOT_AWAITING_PAYMENT, number=order.number, status=order.get_status_display()
            )
        if amount != order.total:
            raise DomainError(MarketplaceCode.AMOUNT_MISMATCH, amount=amount, total=order.total)
        if not bank_reference:
            raise DomainError(MarketplaceCode.BANK_REFERENCE_REQUIRED)
        payment = Payment.objects.create(
            order=order,
            method=PaymentMethod.BANK_TRANSFER,
            amount=amount,
            bank_reference=bank_reference,
            received_on=received_on,
            recorded_by=user,
        )
        log_event(order, "bank_transfer_recorded", user=user, data={"amount": str(amount), "reference": bank_reference})
        return mark_paid(order, payment, user=user, note=bank_reference)


def mark_vendor_order_shipped(vendor_order, *, carrier, tracking_number, user):
    """Ship a vendor's part with a carrier from checkout/carriers.py (its code, or a name such as 顺丰)."""
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    if not carrier or not tracking_number:
        raise DomainError(MarketplaceCode.TRACKING_REQUIRED)
    carrier = carriers.code_for(carrier)
    if not carrier:
        raise DomainError(MarketplaceCode.UNKNOWN_CARRIER, field="carrier")
    with transaction.atomic():
        order = _locked(vendor_order.order)
        part = locking.lock_one(VendorOrder, vendor_order.pk)
        if not VendorOrder.TRANSITIONS.allows(part.status, VendorOrder.Status.SHIPPED):
            raise DomainError(MarketplaceCode.VENDOR_ORDER_NOT_SHIPPABLE, status=part.get_status_display())
        part.status = VendorOrder.Status.SHIPPED
        part.carrier, part.tracking_number, part.shipped_at = carrier, tracking_number, timezone.now()
        part.save(update_fields=["status", "carrier", "tracking_number", "shipped_at"])
        log_event(order, "vendor_shipped", user=user, data={"vendor": part.vendor_name, "tracking": tracking_number})
        open_parts = order.vendor_orders.exclude(status__in=[VendorOrder.Status.SHIPPED, VendorOrder.Status.DELIVERED])
        open_parts = open_parts.exclude(status=VendorOrder.Status.CANCELLED)
        new_status = Order.Status.PARTLY_SHIPPED if open_parts.exists() else Order.Status.SHIPPED
        if order.status != new_status:
            _set_status(order, new_status, user=user)
            order.save(update_fields=["status"])

    notifications.vendor_order_shipped(part)
    return part


def mark_order_completed(order, *, user):
    with transaction.atomic():
        order = _locked(order)
        if order.status != Order.Status.SHIPPED:
            raise DomainError(MarketplaceCode.ORDER_NOT_SHIPPED)
        shipped = order.vendor_orders.filter(status=VendorOrder.Status.SHIPPED)
        stats.count_sold(stats.received_units(OrderLine.objects.filter(vendor_order__in=shipped)))
        shipped.update(status=VendorOrder.Status.DELIVERED, delivered_at=timezone.now())
        _set_status(order, Order.Status.COMPLETED, user=user)
        order.save(update_fields=["status"])
    return order


def refund(order, *, user, lines=None, reason="", refund_shipping=False):
    """Refund a paid order in full (`lines=None`) or some lines: `{line_id: quantity}`. Stock returns.

    A vendor part whose lines are all refunded (by this refund or with earlier ones) gets its shipping fee back
    too and counts as closed; a refund of only some of a part's lines leaves the shipping fee unless staff choose
    `refund_shipping` (the shipping of every part this refund touches).
    The decision is recorded under the order's lock; a Stripe payment is then refunded through Stripe outside
    the lock (`complete_refund`, idempotent: a refusal leaves the refund pending for `retry_pending_refunds`);
    bank transfers are recorded for staff to pay back by transfer.
    """
    with transaction.atomic():
        order = _locked(order)
        record = record_refund(order, user=user, lines=lines, reason=reason, refund_shipping=refund_shipping)
    complete_refund(record)
    order.refresh_from_db()
    return order


def record_refund(order, *, user, lines=None, reason="", refund_shipping=False, after_sale=None, shipping=True):
    """Record a refund of a locked order (the caller's transaction holds the lock): lines, stock, shipping, the
    order's totals and status, and a Refund row (PENDING for a Stripe payment until `complete_refund` has asked
    Stripe). `after_sale`: the AfterSaleRequest this refund pays (one refund each, by a unique key); `shipping`:
    False leaves a whole part's shipping fee where it is (an after-sale request that did not ask for it)."""
    if order.status in (Order.Status.CANCELLED, Order.Status.REFUNDED, *Order.OPEN_UNPAID):
        raise DomainError(MarketplaceCode.ORDER_NOT_REFUNDABLE, number=order.number, status=order.get_status_display())
    payment = order.payments.filter(status=Payment.Status.SUCCEEDED).first()
    if payment is None:
        raise DomainError(MarketplaceCode.NO_PAYMENT_TO_REFUND)
    # The order's parts, then their lines (LOCK_ORDER), under the order's lock the caller holds.
    parts = {part.pk: part for part in locking.lock(VendorOrder.objects.filter(order=order))}
    order_lines = {line.pk: line for line in locking.lock(order.lines.all())}
    wanted = (
        {pk: line.quantity - line.refunded_quantity for pk, line in order_lines.items()}
        if lines is None
        else dict(lines)
    )
    amount = Decimal("0")
    returns = []
    for line_id, quantity in wanted.items():
        line = order_lines.get(int(line_id))
        if line is None:
            raise DomainError(MarketplaceCode.LINE_NOT_IN_ORDER)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise DomainError(CommonCode.QUANTITY_NOT_WHOLE)
        if quantity > line.quantity - line.refunded_quantity:
            raise DomainError(
                MarketplaceCode.REFUND_QUANTITY_TOO_LARGE, n=line.quantity - line.refunded_quantity, name=line.name
            )
        if quantity:
            amount += (line.unit_price * quantity).quantize(CENT, ROUND_HALF_UP)
            returns.append((line, quantity))
    if amount <= 0:
        raise DomainError(MarketplaceCode.REFUND_LINES_REQUIRED)
    # Shipping: whole parts get theirs back; touched parts too when staff choose.
    after = {line.pk: line.refunded_quantity for line in order_lines.values()}
    for line, quantity in returns:
        after[line.pk] += quantity
    touched = {line.vendor_order_id for line, _q in returns if line.vendor_order_id}
    closed_parts, shipping_back = [], {}
    for part in parts.values():
        part_lines = [ln for ln in order_lines.values() if ln.vendor_order_id == part.pk]
        whole = bool(part_lines) and all(after[ln.pk] == ln.quantity for ln in part_lines)
        if whole and part.pk in touched:
            closed_parts.append(part)
        wants_shipping = (whole and shipping) or (refund_shipping and part.pk in touched)
        if wants_shipping and part.shipping_fee > part.shipping_refunded:
            shipping_back[part.pk] = part.shipping_fee - part.shipping_refunded
    amount += sum(shipping_back.values(), Decimal("0"))
    amount = min(amount, order.total - order.refunded_total)
    online = bool(payment.stripe_payment_intent)
    record = Refund.objects.create(
        payment=payment,
        amount=amount,
        reason=reason[:255],
        status=Refund.Status.PENDING if online else Refund.Status.SUCCEEDED,
        completed_at=None if online else timezone.now(),
        after_sale=after_sale,
        created_by=user if getattr(user, "pk", None) else None,
    )
    # Units refunded of a part the buyer had received no longer count as sold.
    unsold = {}
    for line, quantity in sorted(returns, key=lambda item: item[0].product_id or 0):
        line.refunded_quantity += quantity
        line.save(update_fields=["refunded_quantity"])
        if line.product_id:
            ProductStock.objects.move(line.product_id, quantity)
            part = parts.get(line.vendor_order_id)
            if part is not None and part.status == VendorOrder.Status.DELIVERED:
                unsold[line.product_id] = unsold.get(line.product_id, 0) - quantity
    stats.count_sold(unsold)
    for part_id, back in shipping_back.items():
        part = parts[part_id]
        part.shipping_refunded += back
        part.save(update_fields=["shipping_refunded"])
    order.refunded_total += amount
    fully = all(line.refunded_quantity == line.quantity for line in order_lines.values())
    data = {"amount": str(amount), "refund": record.pk}
    if shipping_back:
        data["shipping"] = str(sum(shipping_back.values(), Decimal("0")))
    if fully:
        order.vendor_orders.update(status=VendorOrder.Status.CANCELLED)
        previous = order.status
        Order.TRANSITIONS.move(order, Order.Status.REFUNDED)
        log_event(order, "refunded", user=user, from_status=previous, to_status=order.status, note=reason, data=data)
    else:
        log_event(order, "partly_refunded", user=user, note=reason, data=data)
        for part in closed_parts:
            if VendorOrder.TRANSITIONS.allows(part.status, VendorOrder.Status.CANCELLED):
                VendorOrder.TRANSITIONS.move(part, VendorOrder.Status.CANCELLED)
                part.save(update_fields=["status"])
                log_event(order, "part_refunded", user=user, data={"vendor": part.vendor_name})
        complete_if_done(order, user=user)
        _close_if_nothing_left(order, user=user)
    order.save(update_fields=["status", "refunded_total"])
    if fully or order.status == Order.Status.REFUNDED:
        signals.order_closed.send(sender=Order, order=order, reason="refunded")
    notifications.order_refunded(order, amount)
    return record


def _close_if_nothing_left(order, *, user=None):
    """An order whose every part is cancelled (some before shipping, the rest refunded) is closed: refunded."""
    statuses = set(order.vendor_orders.values_list("status", flat=True))
    if statuses and statuses == {VendorOrder.Status.CANCELLED} and order.status in OPEN_AFTER_PAYMENT:
        _set_status(order, Order.Status.REFUNDED, user=user, action="refunded")
        return True
    return False


def complete_refund(record):
    """Ask Stripe for a pending refund, outside any lock, with the refund's own idempotency key (a retry, a double
    click or two workers get Stripe's one refund back), then record Stripe's answer under the order's and the
    refund's locks.
    A refusal is kept on the refund (`last_error`), which stays pending for a retry. Returns the refund."""
    record = Refund.objects.select_related("payment").get(pk=record.pk)
    if record.status != Refund.Status.PENDING:
        return record
    try:
        stripe_id = stripe_client.create_refund(
            record.payment, record.amount, key=record.idempotency_key, metadata={"shanhai_refund": str(record.pk)}
        )
    except DomainError as error:
        Refund.objects.filter(pk=record.pk, status=Refund.Status.PENDING).update(last_error=str(error.message)[:255])
        logger.warning("refund %s is still pending: %s", record.pk, error.message)
        record.refresh_from_db()
        return record
    with transaction.atomic():
        # The order first, as the webhook does: the refund's events point at the order (a key-share lock on its
        # row), so a refund locked before its order would deadlock with the webhook holding the order.
        locking.lock_one(Order, record.payment.order_id)
        record = locking.lock_one(Refund.objects.select_related("payment__order"), record.pk)
        if record.status == Refund.Status.PENDING:
            record.status, record.stripe_refund = Refund.Status.SUCCEEDED, stripe_id
            record.completed_at, record.last_error = timezone.now(), ""
            record.save(update_fields=["status", "stripe_refund", "completed_at", "last_error"])
            log_event(record.payment.order, "refund_completed", note=stripe_id, data={"refund": record.pk})
            settle_after_sale(record)
    return record


def settle_after_sale(record):
    """The refund of an after-sale request went through: the request (locked here) becomes refunded, once."""
    if record.after_sale_id is None or record.status != Refund.Status.SUCCEEDED:
        return None
    request = locking.lock_one(AfterSaleRequest.objects.select_related("order", "vendor_order"), record.after_sale_id)
    if request.status != AfterSaleRequest.Status.REFUNDING:
        return request
    AfterSaleRequest.TRANSITIONS.move(request, AfterSaleRequest.Status.REFUNDED)
    request.refunded_amount, request.closed_at = record.amount, timezone.now()
    request.save(update_fields=["status", "refunded_amount", "closed_at"])
    log_event(
        request.order,
        "after_sale_refunded",
        from_status=AfterSaleRequest.Status.REFUNDING,
        to_status=request.status,
        data={"request": request.pk, "amount": str(record.amount), "vendor": request.vendor_order.vendor_name},
    )
    notifications.after_sale_notice(request, "refunded")
    return request


def retry_pending_refunds():
    """Complete Stripe refunds whose first call failed or was interrupted. Returns how many completed."""
    done = 0
    for record in Refund.objects.filter(status=Refund.Status.PENDING).order_by("pk"):
        if complete_refund(record).status == Refund.Status.SUCCEEDED:
            done += 1
    return done


def cancel_vendor_part(vendor_order, *, user, reason=""):
    """Before shipping, the buyer cancels one vendor's part of a paid order: its stock returns, its lines and
    shipping fee are refunded through the original payment (Stripe after commit, or owed by bank transfer), and
    the order is refunded once nothing is left of it."""
    with transaction.atomic():
        order = _locked(vendor_order.order)
        if not may_open_order(order, user=user):
            raise DomainError(MarketplaceCode.ORDER_NOT_YOURS)
        part = locking.lock_one(VendorOrder.objects.filter(order=order), vendor_order.pk)
        if part.status != VendorOrder.Status.TO_SHIP:
            raise DomainError(
                MarketplaceCode.PART_NOT_CANCELLABLE, vendor=part.vendor_name, status=part.get_status_display()
            )
        lines = {line.pk: line.quantity - line.refunded_quantity for line in part.lines.all()}
        wanted = {pk: n for pk, n in lines.items() if n}
        record = record_refund(order, user=user, lines=wanted, reason=reason or _("cancelled by the buyer"))
        log_event(order, "part_cancelled", user=user, data={"vendor": part.vendor_name, "vendor_order": part.pk})
        waiting = order.vendor_orders.filter(status__in=[VendorOrder.Status.PENDING, VendorOrder.Status.TO_SHIP])
        if order.status == Order.Status.PARTLY_SHIPPED and not waiting.exists():
            # The cancelled part was the last one to ship: everything left is on its way.
            _set_status(order, Order.Status.SHIPPED, user=user)
            order.save(update_fields=["status"])
    complete_refund(record)
    part.refresh_from_db()
    return part


# -- delivery and closing (确认收货) ----------------------------------------------------------------------

OPEN_AFTER_PAYMENT = (Order.Status.PAID, Order.Status.PARTLY_SHIPPED, Order.Status.SHIPPED)


def complete_if_done(order, *, user=None, save=False):
    """Complete a locked order once every vendor part is confirmed (delivered) or refunded (cancelled), at least
    one of them delivered. Returns True if it completed. The caller holds the order's lock."""
    if order.status not in OPEN_AFTER_PAYMENT:
        return False
    statuses = set(order.vendor_orders.values_list("status", flat=True))
    if not statuses or VendorOrder.Status.DELIVERED not in statuses:
        return False
    if statuses - {VendorOrder.Status.DELIVERED, VendorOrder.Status.CANCELLED}:
        return False
    _set_status(order, Order.Status.COMPLETED, user=user, action="completed")
    if save:
        order.save(update_fields=["status"])
    return True


def confirm_delivery(vendor_order, *, user, auto=False, now=None):
    """The buyer confirms receipt (确认收货) of one shipped vendor part; `auto` when the expiry job does it
    ORDER_AUTO_CONFIRM_DAYS after shipping. The order completes when every part is confirmed or refunded.
    Canteen (unit) parts are received through their inspection (验收) instead (canteen.services.confirm_receipt).
    """
    now = now or timezone.now()
    with transaction.atomic():
        order = _locked(vendor_order.order)
        if not auto and not may_open_order(order, user=user):
            raise DomainError(MarketplaceCode.ORDER_NOT_YOURS)
        part = locking.lock_one(VendorOrder.objects.filter(order=order), vendor_order.pk)
        if order.buyer_unit_id is not None:
            raise DomainError(MarketplaceCode.USE_INSPECTION)
        if part.status == VendorOrder.Status.DELIVERED:
            raise DomainError(MarketplaceCode.RECEIPT_ALREADY_CONFIRMED, vendor=part.vendor_name)
        if not VendorOrder.TRANSITIONS.allows(part.status, VendorOrder.Status.DELIVERED):
            raise DomainError(MarketplaceCode.NOT_SHIPPED, vendor=part.vendor_name, status=part.get_status_display())
        VendorOrder.TRANSITIONS.move(part, VendorOrder.Status.DELIVERED)
        part.delivered_at = part.delivered_at or now
        part.received_at = now
        part.received_by = None if auto else user
        part.save(update_fields=["status", "delivered_at", "received_at", "received_by"])
        stats.count_sold(stats.received_units(part.lines.all()))
        log_event(
            order,
            "auto_confirmed" if auto else "delivery_confirmed",
            user=None if auto else user,
            data={"vendor": part.vendor_name, "vendor_order": part.pk},
        )
        complete_if_done(order, user=None if auto else user, save=True)

    notifications.delivery_confirmed(part)
    return part


def auto_confirm_deliveries(now=None):
    """Confirm shipped public parts whose buyers have not confirmed them ORDER_AUTO_CONFIRM_DAYS after shipping.
    Returns the [(order number, vendor name)] confirmed. Each part is re-checked under the order's lock."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ORDER_AUTO_CONFIRM_DAYS)
    due = VendorOrder.objects.filter(
        status=VendorOrder.Status.SHIPPED, shipped_at__lt=cutoff, order__buyer_unit=None
    ).select_related("order")
    confirmed = []
    for part in list(due):
        try:
            part = confirm_delivery(part, user=None, auto=True, now=now)
        except DomainError:
            continue  # confirmed or refunded meanwhile
        confirmed.append((part.order.number, part.vendor_name))
    return confirmed


def vendor_orders_for(user):
    """The vendor parts a user may see: their vendors' parts, or all for staff."""
    parts = VendorOrder.objects.select_related("order", "vendor")
    if user.is_superuser or user.has_perm("checkout.view_order"):
        return parts
    vendor_ids = VendorPage.objects.filter(members__user=user).values_list("pk", flat=True)
    return parts.filter(vendor_id__in=vendor_ids)
