"""Row locks on scarce state: one declared order, one helper, a timeout, and no network call while a lock is held.

Every service that locks rows (`SELECT … FOR UPDATE`) does it through `lock()` / `lock_one()`:

- `LOCK_ORDER` ranks the models. Within one transaction locks go down the list, never back up (coarse things —
  a unit, an application, an order — before the fine things inside them — parts, stalls, places); within one call
  rows are locked by ascending primary key. Two transactions that both follow the order cannot deadlock.
  A lock on a model listed before one already held raises `LockOrderError` where `LOCKING_STRICT` is on (DEBUG
  and tests) and logs a warning in production. Rows already held may be locked again in any order.
- On PostgreSQL the transaction gets `lock_timeout` (`LOCK_TIMEOUT_SECONDS`): a lock that cannot be had in time
  becomes `DomainError(CommonCode.BUSY)` (code "busy", HTTP 503) instead of a request that hangs.
- Network calls (Stripe, SMS, e-mail) call `assert_no_locks_held()` first: while this thread holds a lock taken
  here, it raises `LocksHeldError` where `LOCKING_STRICT` is on and logs a warning in production. Such calls
  belong after commit (`transaction.on_commit`).

Locks are remembered per thread, for the outermost atomic block inside any test case's own and any `batch()`:
a test's services, and each service a batch job calls, see their locks end with their block as in production.
A lock taken in a savepoint that is rolled back is forgotten, as PostgreSQL releases it. Stock is not locked
here: it changes by conditional UPDATE (`quantity = quantity - n WHERE quantity >= n`), after everything else; one
UPDATE for several products takes their rows in ascending id order through `in_order_sql`.
"""

import contextlib
import logging
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connections, router, transaction
from django.db.transaction import TransactionManagementError

from cms.errors import CommonCode, DomainError

logger = logging.getLogger("cms.locking")

# Model labels, from the first to lock to the last. Derived from what the services do: a person (account deletion)
# before what they own; a purchase agreement before the unit order placed against it; an order (the webhook's
# event first) before its refunds (the webhook settles one, then its after-sale request), its after-sale requests
# (whose refund is recorded under them), its vendor parts, their lines and its payments, and before what the order
# pays for (stall bookings, fair places); a fair before its stalls; a time slot before a ticket type before the
# registrations in them. A review is locked alone.
LOCK_ORDER = [
    "auth.User",
    "cms.SmsCode",
    "marketplace.VendorApplication",
    "events.PurchaseAgreement",
    "canteen.BuyerUnit",
    "canteen.CanteenAddress",
    "checkout.DeliveryAddress",
    "checkout.CartItem",
    "events.FairPage",
    "events.FairResultsPublication",
    "events.StallApplication",
    "checkout.StripeEvent",
    "checkout.Order",
    "checkout.Refund",
    "checkout.AfterSaleRequest",
    "checkout.VendorOrder",
    "checkout.OrderLine",
    "checkout.Payment",
    "marketplace.Review",
    "events.Stall",
    "events.StallBooking",
    "events.TimeSlot",
    "events.TicketType",
    "events.Registration",
    "events.StallSale",
    "marketplace.ProductStock",
]
RANK = {label: rank for rank, label in enumerate(LOCK_ORDER)}

LOCK_TIMEOUT_SQLSTATE = "55P03"  # PostgreSQL lock_not_available


class LockOrderError(RuntimeError):
    """A programming error: a lock taken against LOCK_ORDER."""


class LocksHeldError(RuntimeError):
    """A programming error: a network call while this thread holds row locks."""


def is_strict():
    return getattr(settings, "LOCKING_STRICT", settings.DEBUG)


def lock_timeout_seconds():
    return getattr(settings, "LOCK_TIMEOUT_SECONDS", 10)


class _Held:
    """The locks taken in one transaction (the outermost atomic block that is not a test case's)."""

    def __init__(self, connection):
        blocks = connection.atomic_blocks
        # The block just inside the innermost test case or batch block (wherever that batch is itself entered).
        wrappers = [i for i, block in enumerate(blocks) if _is_wrapper(block)]
        self.index = min(wrappers[-1] + 1 if wrappers else 0, len(blocks) - 1)
        self.block = blocks[self.index]
        self.savepoint_id = connection.savepoint_ids[self.index - 1] if self.index else None
        # (marker, rank, label, pks): the marker is an on_commit callback, dropped by Django when the savepoint
        # the lock was taken in rolls back, and with every callback when the transaction ends.
        self.entries = []

    def is_current(self, connection):
        blocks = connection.atomic_blocks
        if len(blocks) <= self.index or blocks[self.index] is not self.block:
            return False
        return not self.index or connection.savepoint_ids[self.index - 1] == self.savepoint_id

    def live_entries(self, connection):
        waiting = {id(entry[1]) for entry in connection.run_on_commit}
        self.entries = [entry for entry in self.entries if id(entry[0]) in waiting]
        return self.entries


_local = threading.local()


def _is_wrapper(block):
    return block._from_testcase or getattr(block, "_locking_batch", False)


@contextlib.contextmanager
def batch(using=None):
    """One transaction around many service calls, for a single-writer batch job (load_demo): the lock order is
    checked call by call. The database still holds every lock until the batch commits, so never use it where
    users write at the same time."""
    atomic = transaction.atomic(using=using)
    atomic._locking_batch = True
    with atomic:
        yield


def _held(connection, *, create=False):
    """This thread's record of the locks held in `connection`'s current transaction, or None."""
    records = _local.__dict__.setdefault("records", {})
    record = records.get(connection.alias)
    if record is not None and not (connection.in_atomic_block and record.is_current(connection)):
        del records[connection.alias]
        record = None
    if record is None and create:
        record = records[connection.alias] = _Held(connection)
    return record


def held_labels(using=None):
    """The labels of the models this thread holds row locks on (taken here), in the order taken."""
    aliases = [using] if using else list(getattr(_local, "records", {}))
    labels = []
    for alias in aliases:
        connection = connections[alias]
        record = _held(connection) if connection.in_atomic_block else None
        for _marker, _rank, label, _pks in record.live_entries(connection) if record else ():
            if label not in labels:
                labels.append(label)
    return labels


def assert_no_locks_held(what="a network call"):
    """Call before anything that waits on the network. Raises LocksHeldError (strict) or logs a warning."""
    labels = held_labels()
    if not labels:
        return
    message = f"{what} while holding row locks on {', '.join(labels)}: do it after commit (transaction.on_commit)"
    if is_strict():
        raise LocksHeldError(message)
    logger.warning(message)


def _out_of_order(label, held_label):
    message = f"lock on {label} taken after {held_label}; cms.locking.LOCK_ORDER has {label} first"
    if is_strict():
        raise LockOrderError(message)
    logger.warning(message)


def _is_lock_timeout(error):
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == LOCK_TIMEOUT_SQLSTATE or getattr(cause, "pgcode", None) == (
        LOCK_TIMEOUT_SQLSTATE
    )


def lock(rows, pks=None):
    """Lock rows of one model and return them, by ascending primary key.

    `rows` is a model or a queryset of it (filters and select_related are kept; only the model's own rows are
    locked). `pks` narrows it to those primary keys; None locks every row of the queryset. A lock not had within
    LOCK_TIMEOUT_SECONDS raises `DomainError(CommonCode.BUSY)`.
    Must run inside `transaction.atomic()`.
    """
    queryset = rows._default_manager.all() if isinstance(rows, type) else rows
    model = queryset.model
    label = model._meta.label
    rank = RANK.get(label)
    if rank is None:
        raise ImproperlyConfigured(f"{label} is not in cms.locking.LOCK_ORDER: add it where it belongs")
    if pks is not None:
        pks = sorted({model._meta.pk.to_python(pk) for pk in pks if pk is not None})
        if not pks:
            return []
        queryset = queryset.filter(pk__in=pks)
    alias = queryset.db if queryset._db else router.db_for_write(model)
    connection = connections[alias]
    if not connection.in_atomic_block:
        raise TransactionManagementError("cms.locking.lock() needs a transaction (transaction.atomic)")
    record = _held(connection, create=True)
    entries = record.live_entries(connection)
    above = [entry for entry in entries if entry[1] > rank]
    if above:
        held_rows = {pk for _marker, _rank, held_label, held_pks in entries if held_label == label for pk in held_pks}
        if pks is None or not set(pks) <= held_rows:
            _out_of_order(label, max(above, key=lambda entry: entry[1])[2])
    if connection.vendor == "postgresql" and not entries:
        with connection.cursor() as cursor:
            # SET LOCAL ends with the transaction (or the savepoint it was set in, which also forgets the entries).
            cursor.execute(f"SET LOCAL lock_timeout = '{int(lock_timeout_seconds() * 1000)}ms'")
    try:
        found = list(queryset.using(alias).select_for_update(of=("self",)).order_by("pk"))
    except OperationalError as exc:
        if _is_lock_timeout(exc):
            logger.warning("Lock on %s %s not had within %ss", label, pks or "rows", lock_timeout_seconds())
            raise DomainError(CommonCode.BUSY) from exc
        raise

    def marker():
        """Kept in the transaction's on_commit list while the lock is held (see _Held)."""

    transaction.on_commit(marker, using=alias)
    record.entries.append((marker, rank, label, [row.pk for row in found]))
    return found


def lock_one(rows, pk):
    """Lock one row (see `lock`) and return it; raises the model's DoesNotExist when there is no such row."""
    found = lock(rows, [pk])
    if not found:
        model = rows if isinstance(rows, type) else rows.model
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    return found[0]


def in_order_sql(table, column, array_placeholder="%s"):
    """PostgreSQL: a SELECT that locks the rows of `table` whose `column` is in the array parameter, by ascending
    `column`, for a CTE of one statement that then updates them all (the stock of an order's products). An UPDATE
    of several rows takes them in whatever order its plan visits them, so two such statements could deadlock;
    joined to this, each takes its rows in one order. Not recorded in LOCK_ORDER's bookkeeping: it is for the
    model listed last (stock), whose rows are taken after everything else."""
    return f"SELECT {column} FROM {table} WHERE {column} = ANY({array_placeholder}) ORDER BY {column} FOR UPDATE"
