"""The buyer's cart: a small API used by the cart and checkout views (and the JSON API).

A visitor's cart lives in the session (product id → quantity and the unit price seen); a logged-in
buyer's in CartItem rows. At login the session cart merges into the account (quantities add up).

Each line remembers the unit price the buyer saw. If the product got dearer since, the line is
flagged (old → new) and checkout refuses until the buyer accepts the new price: the order is placed
with `expected_unit_price` = the price seen, so the service also refuses a rise that happened after the
cart page was shown. Nobody is ever charged more than they saw.
"""

import dataclasses
import functools
from decimal import Decimal

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _

from cms import locking, personal_cache
from cms.errors import DomainError
from marketplace.errors import MarketplaceCode

from ..models import ProductPage, audiences_for
from .models import CartItem
from .services import MAX_QUANTITY, PUBLIC_AUDIENCES, LineRequest, line_total, products_for_order

SESSION_KEY = "cart"


def unavailable_reason(product, user):
    """Why `user` cannot buy `product` at all (a translated message), or "" if they can."""
    vendor = product.vendor
    if not (product.live and product.available and vendor is not None and vendor.is_approved):
        return _("No longer for sale.")
    # Only canteen-only products need to know whether the user is a canteen buyer (a query), as in place_order.
    if product.audience not in PUBLIC_AUDIENCES and product.audience not in audiences_for(user):
        return _("Sold to canteen buyers only.")
    return ""


def purchase_state(product, user):
    """For the product page's buy box: (can_buy, message)."""
    reason = unavailable_reason(product, user)
    if reason:
        return False, reason
    if product.stock_state == "sold_out":
        return False, _("Sold out.")
    return True, ""


@dataclasses.dataclass
class CartLine:
    product: ProductPage
    quantity: int
    unit_price_seen: Decimal
    unit_price: Decimal  # now, for this quantity (tier price applied)
    unavailable: str = ""  # a reason, or ""
    stock_left: int | None = None  # units in stock, when stock is tracked

    @property
    def product_id(self):
        return self.product.pk

    @property
    def vendor(self):
        return self.product.vendor

    @functools.cached_property
    def line_total(self):
        return line_total(self.unit_price, self.quantity)

    @property
    def price_rose(self):
        return self.unit_price > self.unit_price_seen

    @property
    def below_minimum(self):
        return self.quantity < self.product.min_order_quantity

    @property
    def more_than_stock(self):
        return self.stock_left is not None and self.quantity > self.stock_left

    @property
    def sold_out(self):
        return self.stock_left is not None and self.stock_left < max(self.product.min_order_quantity, 1)

    @property
    def tier_applied(self):
        return self.unit_price < self.product.unit_price

    @property
    def ok(self):
        """Can be ordered as it stands."""
        return not (self.unavailable or self.price_rose or self.below_minimum or self.more_than_stock)


@dataclasses.dataclass
class VendorGroup:
    vendor: object
    lines: list
    # Its shipping (shipping.PartQuote) once Cart.quote_shipping was given an address; else None.
    shipping: object = None

    @property
    def subtotal(self):
        return sum((line.line_total for line in self.lines), Decimal("0.00"))

    @property
    def total(self):
        return self.subtotal + (self.shipping.fee if self.shipping is not None else Decimal("0.00"))


def _seen_after_change(product, old_quantity, old_seen, new_quantity):
    """The unit price the buyer is taken to have seen after changing a line's quantity.

    While a rise is pending (not yet accepted) the old price seen is kept, so changing the quantity
    never accepts a rise silently; otherwise the buyer sees the current price for the new quantity.
    """
    if old_quantity and product.price_for(old_quantity) > old_seen:
        return old_seen
    return product.price_for(new_quantity)


class Cart:
    """The cart of one buyer: `Cart.for_request(request)`, or `Cart(user=…)` / `Cart(session=…)`."""

    def __init__(self, *, user=None, session=None):
        self.user = user if user is not None and user.is_authenticated else None
        self.session = session
        if self.user is None and self.session is None:
            raise ValueError("A cart needs a logged-in user or a session.")
        self._lines = None
        self._groups = None
        self.shipping_address = None

    @classmethod
    def for_request(cls, request):
        return cls(user=request.user, session=request.session)

    # -- storage -------------------------------------------------------------------------------

    def _raw(self):
        """{product_id: (quantity, unit_price_seen)}"""
        if self.user is not None:
            items = CartItem.objects.filter(user=self.user).order_by("added_at", "pk")
            return {
                product_id: (quantity, seen)
                for product_id, quantity, seen in items.values_list("product_id", "quantity", "unit_price_seen")
            }
        stored = self.session.get(SESSION_KEY) or {}
        raw = {}
        for key, value in stored.items():
            try:
                raw[int(key)] = (int(value[0]), Decimal(value[1]))
            except (TypeError, ValueError, IndexError, ArithmeticError):
                continue  # a damaged entry is dropped, not fatal
        return raw

    def _store(self, product_id, quantity, seen):
        self._lines = None
        if self.user is not None:
            CartItem.objects.update_or_create(
                user=self.user, product_id=product_id, defaults={"quantity": quantity, "unit_price_seen": seen}
            )
            personal_cache.forget([self.user.pk])  # the header's cart count on cached pages
            return
        stored = dict(self.session.get(SESSION_KEY) or {})
        stored[str(product_id)] = [quantity, str(seen)]
        self.session[SESSION_KEY] = stored

    def _delete(self, product_ids):
        self._lines = None
        product_ids = [int(pk) for pk in product_ids]
        if self.user is not None:
            CartItem.objects.filter(user=self.user, product_id__in=product_ids).delete()
            personal_cache.forget([self.user.pk])
            return
        stored = dict(self.session.get(SESSION_KEY) or {})
        for pk in product_ids:
            stored.pop(str(pk), None)
        if stored:
            self.session[SESSION_KEY] = stored
        elif SESSION_KEY in self.session:
            del self.session[SESSION_KEY]

    # -- changes -------------------------------------------------------------------------------

    def _product(self, product_id):
        product = (
            ProductPage.objects.filter(pk=product_id)
            .select_related("vendor", "stock")
            .prefetch_related("tier_prices")
            .first()
        )
        if product is None:
            raise DomainError(MarketplaceCode.PRODUCT_NOT_FOUND)
        return product

    @staticmethod
    def _check_quantity(quantity):
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise DomainError(MarketplaceCode.QUANTITY_TOO_SMALL)
        if quantity > MAX_QUANTITY:
            raise DomainError(MarketplaceCode.QUANTITY_TOO_LARGE, max=MAX_QUANTITY)

    def add(self, product, quantity=None):
        """Put `quantity` (default: the minimum order) of a product in the cart, adding to what is there."""
        # Always read the product afresh: price, availability and stock as they are now.
        product = self._product(product.pk if isinstance(product, ProductPage) else product)
        reason = unavailable_reason(product, self.user)
        if reason:
            raise DomainError(MarketplaceCode.CANNOT_BE_BOUGHT, name=product.display_name, reason=reason)
        if product.stock_state == "sold_out":
            raise DomainError(MarketplaceCode.SOLD_OUT, name=product.display_name)
        if quantity is None:
            quantity = product.min_order_quantity
        self._check_quantity(quantity)
        old_quantity, old_seen = self._raw().get(product.pk, (0, None))
        new_quantity = old_quantity + quantity
        self._check_quantity(new_quantity)
        self._store(product.pk, new_quantity, _seen_after_change(product, old_quantity, old_seen, new_quantity))
        return new_quantity

    def set_quantity(self, product_id, quantity):
        """Change a line's quantity; 0 removes it."""
        if quantity == 0:
            self.remove(product_id)
            return 0
        self._check_quantity(quantity)
        raw = self._raw()
        if int(product_id) not in raw:
            raise DomainError(MarketplaceCode.NOT_IN_CART)
        old_quantity, old_seen = raw[int(product_id)]
        product = self._product(product_id)
        self._store(product.pk, quantity, _seen_after_change(product, old_quantity, old_seen, quantity))
        return quantity

    def remove(self, product_id):
        self._delete([product_id])

    def remove_products(self, product_ids):
        """Drop these products' lines (after they were ordered)."""
        self._delete(product_ids)

    def clear(self):
        self._delete(list(self._raw()))

    def accept_prices(self):
        """The buyer accepts today's prices: every line's price seen becomes the current one."""
        for line in self.lines:
            if line.price_rose:
                self._store(line.product_id, line.quantity, line.unit_price)
        self._lines = None

    # -- reading -------------------------------------------------------------------------------

    @property
    def lines(self):
        if self._lines is None:
            self._lines = self._load_lines()
        return self._lines

    def _load_lines(self):
        raw = self._raw()
        if not raw:
            return []
        # The products as place_order reads them (one query: vendors, shipping rules and regions, tier prices),
        # so the page prices lines and shipping with the very rows and functions the order will.
        products = products_for_order(raw, cart=True)
        lines = []
        for product_id, (quantity, seen) in raw.items():
            product = products.get(product_id)
            if product is None:
                continue  # deleted since; the line just disappears
            stock_left = None
            if product.track_stock:
                stock = getattr(product, "stock", None)
                stock_left = stock.quantity if stock is not None else 0
            lines.append(
                CartLine(
                    product=product,
                    quantity=quantity,
                    unit_price_seen=seen,
                    unit_price=product.price_for(quantity),
                    unavailable=unavailable_reason(product, self.user),
                    stock_left=stock_left,
                )
            )
        return lines

    @property
    def groups(self):
        """Lines grouped by vendor, in the order the vendors first appear (kept while the lines are)."""
        lines = self.lines
        if self._groups is None or self._groups[0] is not lines:
            groups = {}
            for line in lines:
                key = line.vendor.pk if line.vendor else None
                groups.setdefault(key, VendorGroup(vendor=line.vendor, lines=[])).lines.append(line)
            self._groups = (lines, list(groups.values()))
        return self._groups[1]

    @property
    def total(self):
        """The goods, without shipping."""
        return sum((line.line_total for line in self.lines), Decimal("0.00"))

    # -- shipping --------------------------------------------------------------------------------

    def quote_shipping(self, address, *, canteen=False):
        """Work out each vendor group's shipping (group.shipping) to `address` (None: not known yet)."""
        from . import shipping

        groups = self.groups
        quotes = shipping.quote(
            [(g.vendor, [(ln.product, ln.quantity, ln.line_total) for ln in g.lines]) for g in groups],
            address,
            canteen=canteen,
        )
        for group, quote in zip(groups, quotes, strict=True):
            group.shipping = quote
        self.shipping_address = address
        return quotes

    @property
    def shipping_quoted(self):
        return self.shipping_address is not None

    @property
    def shipping_total(self):
        return sum((g.shipping.fee for g in self.groups if g.shipping is not None), Decimal("0.00"))

    @property
    def grand_total(self):
        """The goods and their shipping: what the buyer pays."""
        return self.total + self.shipping_total

    @property
    def undeliverable(self):
        """The vendor groups that do not deliver to the quoted address."""
        return [g for g in self.groups if g.shipping is not None and not g.shipping.delivers]

    @property
    def count(self):
        return len(self._raw())

    def __len__(self):
        return len(self.lines)

    @property
    def is_empty(self):
        return not self.lines

    @property
    def problems(self):
        return [line for line in self.lines if not line.ok]

    @property
    def has_price_rises(self):
        return any(line.price_rose for line in self.lines)

    @property
    def can_check_out(self):
        return bool(self.lines) and not self.problems

    def line_requests(self):
        """What place_order takes: each line at the price the buyer saw."""
        return [LineRequest(line.product_id, line.quantity, line.unit_price_seen) for line in self.lines]


def merge_session_cart(user, session):
    """Move a visitor's session cart into the user's account; quantities of the same product add up."""
    visitor = Cart(session=session)
    raw = visitor._raw()
    if not raw:
        return 0
    account = Cart(user=user)
    products = {
        p.pk: p for p in ProductPage.objects.filter(pk__in=raw).prefetch_related("tier_prices").select_related("vendor")
    }
    with transaction.atomic():
        existing = {
            item.product_id: item for item in locking.lock(CartItem.objects.filter(user=user, product_id__in=raw))
        }
        for product_id, (quantity, seen) in raw.items():
            product = products.get(product_id)
            if product is None:
                continue
            item = existing.get(product_id)
            if item is None:
                account._store(product_id, min(quantity, MAX_QUANTITY), seen)
                continue
            total = min(item.quantity + quantity, MAX_QUANTITY)
            rise_pending = product.price_for(item.quantity) > item.unit_price_seen or product.price_for(quantity) > seen
            new_seen = min(item.unit_price_seen, seen) if rise_pending else product.price_for(total)
            account._store(product_id, total, new_seen)
    visitor._delete(list(raw))
    return len(raw)


@receiver(user_logged_in, dispatch_uid="marketplace.checkout.cart.merge_on_login")
def _merge_on_login(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        merge_session_cart(user, session)
