"""Stock: live data that a vendor changes at once, without moderation (prices go through moderation)."""

from decimal import Decimal, InvalidOperation

from django.db import connections, transaction
from wagtail.log_actions import log

from cms import locking
from cms.errors import DomainError
from cms.validators import MAX_DB_INT
from marketplace.errors import MarketplaceCode

from ..models import ProductPage, ProductStock, VendorMember
from ..signals import stock_moved

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


def reserve(lines):
    """Take the units of an order's lines from stock, all or none: [(product, quantity)] of products that track
    stock, each product once. Runs in the caller's transaction (a refusal leaves it to roll back).

    One round trip whatever the number of lines: one conditional UPDATE (`quantity = quantity - n WHERE quantity
    >= n`) for every line, RETURNING what is left. On PostgreSQL the statement also reads the rows as they were
    when it began, so a refusal usually needs no second query (a reading of enough is from before another order
    took them: then the row is read again), and with several lines it takes the rows in ascending product id
    (cms.locking.in_order_sql), so orders with the same products in another order cannot deadlock. The
    `stock_never_negative` constraint stays the backstop. A refusal names the first refused line by product id:
    DomainError `out_of_stock` with what is left, or `sold_out`."""
    if not lines:
        return
    wanted = {product.pk: (product, quantity) for product, quantity in sorted(lines, key=lambda line: line[0].pk)}
    connection = connections[ProductStock.objects.db]
    table = connection.ops.quote_name(ProductStock._meta.db_table)
    params = [value for pk, (_product, quantity) in wanted.items() for value in (pk, quantity)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(*_reserve_postgresql(table, list(wanted), params))
            rows = cursor.fetchall()
        else:
            values = ", ".join(["(%s, %s)"] * len(wanted))
            cursor.execute(
                f'UPDATE {table} SET "quantity" = {table}."quantity" - w."column2" FROM (VALUES {values}) AS w '
                f'WHERE {table}."product_id" = w."column1" AND {table}."quantity" >= w."column2" '
                'RETURNING "product_id", "quantity"',
                params,
            )
            taken = dict(cursor.fetchall())
            rows = [(pk, taken.get(pk), None) for pk in wanted]
    left = {pk: quantity for pk, quantity, _before in rows if quantity is not None}
    refused = sorted((pk, before) for pk, quantity, before in rows if quantity is None)
    if refused:
        pk, before = refused[0]
        product, quantity = wanted[pk]
        if before is None or before >= quantity:
            before = ProductStock.objects.filter(product_id=pk).values_list("quantity", flat=True).first()
        if before:
            raise DomainError(MarketplaceCode.OUT_OF_STOCK, left=before, unit=product.unit, name=product.title)
        raise DomainError(MarketplaceCode.SOLD_OUT, name=product.title)
    # The page cache learns the new stock states after commit, without reading the rows again.
    stock_moved.send(
        sender=ProductStock,
        product_ids=list(left),
        known={pk: (left[pk], True, wanted[pk][0].min_order_quantity) for pk in left},
    )


def _reserve_postgresql(table, product_ids, params):
    """reserve()'s statement on PostgreSQL: (sql, params) answering (product id, left after, there before) a line."""
    values = ", ".join(["(%s::integer, %s::integer)"] * len(product_ids))
    locked, in_order = "", ""
    if len(product_ids) > 1:
        in_id_order = locking.in_order_sql(table, '"product_id"')
        locked = f", locked AS ({in_id_order})"
        in_order = ' AND s."product_id" IN (SELECT "product_id" FROM locked)'
        params = [*params, product_ids]
    sql = (
        f'WITH wanted ("product_id", "n") AS (VALUES {values}){locked}, '
        f'taken AS (UPDATE {table} AS s SET "quantity" = s."quantity" - w."n" FROM wanted AS w '
        f'WHERE s."product_id" = w."product_id" AND s."quantity" >= w."n"{in_order} '
        'RETURNING s."product_id", s."quantity") '
        'SELECT w."product_id", taken."quantity", s."quantity" FROM wanted AS w '
        'LEFT JOIN taken ON taken."product_id" = w."product_id" '
        f'LEFT JOIN {table} AS s ON s."product_id" = w."product_id"'
    )
    return sql, params
