"""Stock: live data that a vendor changes at once, without moderation (prices go through moderation)."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from wagtail.log_actions import log

from cms import locking
from cms.errors import DomainError
from cms.validators import MAX_DB_INT
from marketplace.errors import MarketplaceCode

from ..models import ProductPage, ProductStock, VendorMember

MANAGE_ALL_STOCK_PERMISSION = "marketplace.change_productstock"


def can_manage_all_stock(user) -> bool:
    """Platform staff with the stock permission (and superusers) manage every vendor's stock."""
    return bool(user and user.is_active and user.has_perm(MANAGE_ALL_STOCK_PERMISSION))


def stock_products_for(user):
    """Products whose stock `user` may change: their vendors' products, or all for staff."""
    products = ProductPage.objects.filter(track_stock=True)
    if not can_manage_all_stock(user):
        products = products.filter(vendor__members__user=user)
    return products


def can_manage_stock(user, product) -> bool:
    if can_manage_all_stock(user):
        return True
    return bool(
        user
        and user.is_active
        and product.vendor_id
        and VendorMember.objects.filter(vendor_id=product.vendor_id, user=user).exists()
    )


def _whole_number(quantity):
    if isinstance(quantity, bool):
        raise ValueError
    if isinstance(quantity, int):
        return quantity
    if isinstance(quantity, str):
        quantity = quantity.strip()
    try:
        number = Decimal(str(quantity))
    except (InvalidOperation, ValueError) as error:
        raise ValueError from error
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError
    return int(number)


def set_stock(product, quantity, user):
    """Set the units in stock of `product` to `quantity` and log old → new. Returns the ProductStock."""
    try:
        quantity = _whole_number(quantity)
    except ValueError:
        raise DomainError(MarketplaceCode.STOCK_NOT_WHOLE, field="quantity") from None
    if quantity < 0:
        raise DomainError(MarketplaceCode.NEGATIVE_STOCK, field="quantity")
    if quantity > MAX_DB_INT:
        raise DomainError(MarketplaceCode.STOCK_TOO_LARGE, field="quantity", max=MAX_DB_INT)
    if not can_manage_stock(user, product):
        raise DomainError(MarketplaceCode.STOCK_NOT_YOURS)
    if not product.track_stock:
        raise DomainError(MarketplaceCode.STOCK_UNTRACKED, field="quantity")

    with transaction.atomic():
        ProductStock.objects.get_or_create(product_id=product.pk)
        (stock,) = locking.lock(ProductStock.objects.filter(product_id=product.pk))
        old = stock.quantity
        if old != quantity:
            stock.quantity = quantity
            stock.save(update_fields=["quantity", "updated_at"])
            log(
                instance=product,
                action="marketplace.stock_changed",
                user=user,
                data={"old": old, "new": quantity},
            )
    product.__dict__.pop("current_stock", None)
    return stock


def take_stock(product, quantity):
    """Take `quantity` units of a product that tracks stock, for a sale outside the checkout (at a fair stall).

    Never below zero: one conditional UPDATE (`quantity = quantity - n WHERE quantity >= n`), so sales recorded at
    once by several people or hosts cannot oversell. Runs in the caller's transaction (the caller records what
    the units were taken for). Returns how many units were taken (0 when the product does not track stock);
    raises DomainError `out_of_stock` with what is left."""
    if not product.track_stock:
        return 0
    if not ProductStock.objects.move(product.pk, -quantity, only_if_enough=True):
        left = ProductStock.objects.filter(product_id=product.pk).values_list("quantity", flat=True).first() or 0
        if left:
            raise DomainError(
                MarketplaceCode.OUT_OF_STOCK, field="quantity", left=left, unit=product.unit, name=product.title
            )
        raise DomainError(MarketplaceCode.SOLD_OUT, field="quantity", name=product.title)
    product.__dict__.pop("current_stock", None)
    return quantity


def give_back_stock(product_id, quantity):
    """Return units that `take_stock` took (a voided or corrected sale). Runs in the caller's transaction."""
    if quantity > 0:
        ProductStock.objects.move(product_id, quantity)
