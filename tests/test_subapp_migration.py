"""The migration path of issue #15: checkout and canteen became apps of their own (labels "checkout", "canteen"),
keeping their `marketplace_` tables. A database made by the code before the split (today's heads below) moves
with a plain `migrate`: every row, foreign key, content-type id and permission grant survives under the new labels.

The test migrates its database back to the pre-split nodes with Django's MigrationExecutor (as
django-test-migrations does), writes rows with the historical models there, migrates forward to the latest nodes
and reads them with today's models. It always leaves the database at the latest nodes. On in-memory SQLite the
database migrated back is saved once per migration set (tests/support/db_template.py, next to the migrated one)
and later runs start from that copy; the forward migration runs every time. It is database sensitive
(tests/conftest.py) so it runs on PostgreSQL too.
"""

import contextlib
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState

from marketplace.canteen.models import BuyerUnit
from marketplace.checkout.models import Order, OrderLine
from marketplace.models import Review
from tests.support import db_template

pytestmark = pytest.mark.django_db(transaction=True)

# The heads on main before the split.
BEFORE_SPLIT = [
    ("marketplace", "0019_moderators_moderate_reviews"),
    ("events", "0012_purchase_agreements"),
    ("cms", "0009_private_image_renditions"),
]
MOVED = {
    "checkout": [
        "deliveryaddress",
        "cartitem",
        "order",
        "vendororder",
        "orderline",
        "payment",
        "refund",
        "aftersalerequest",
        "aftersaleline",
        "aftersalephoto",
        "orderevent",
        "stripeevent",
        "shippingrule",
        "shippingregion",
    ],
    "canteen": ["buyerunit", "unitmember", "canteenaddress", "annualbudget"],
}


@contextlib.contextmanager
def models_rendered_afresh():
    """Django keeps a migration state's rendered models up to date operation by operation, re-rendering every model
    related to the one changed. The split moves 18 models in some 100 state-only operations, and most models relate
    to those, so that way cost ≈ 100 CPU-s each way. Here a changed state forgets its rendered models instead and
    renders them all afresh (≈ 0.1 s; Django does the same in ProjectState.clear_delayed_apps_cache) when an
    operation needs them: the same states and the same database operations. `manage.py migrate` itself took the
    usual way when it made the run's migrated database."""

    def forget_rendered_models(state, *args, **kwargs):
        state.__dict__.pop("apps", None)

    with (
        mock.patch.object(ProjectState, "reload_model", forget_rendered_models),
        mock.patch.object(ProjectState, "reload_models", forget_rendered_models),
    ):
        yield


def migrate(targets):
    """Migrate the test database to `targets` (a fresh executor: it reads what is applied now); a no-op is cheap."""
    executor = MigrationExecutor(connection)
    if executor.migration_plan(targets):
        with models_rendered_afresh():
            executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor


def latest_nodes():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def migrate_back():
    """The database at the pre-split nodes; on in-memory SQLite from the saved copy of a migrated database
    migrated back (made the first time)."""
    targets = [("checkout", None), ("canteen", None), *BEFORE_SPLIT]
    if not db_template.can_restore(connection):
        return migrate(targets)
    db_template.restore_or_build(connection, "pre-split", lambda _path: migrate(targets), extra=repr(targets))
    return migrate(targets)  # nothing left to do: reads what is applied


@pytest.fixture
def at_the_split():
    """The database at the pre-split nodes (checkout and canteen unapplied), and the historical apps there."""
    executor = migrate_back()
    try:
        yield executor.loader.project_state(BEFORE_SPLIT).apps
    finally:
        migrate(latest_nodes())


def test_an_existing_database_moves_to_the_new_apps_with_its_rows_keys_and_grants(
    at_the_split, make_vendor, make_product, changshan
):
    old = at_the_split
    # Vendor and product pages are not part of the split: their tables are the same on both sides.
    vendor = make_vendor("常山胡柚合作社", changshan)
    product = make_product(vendor, "常山胡柚", "58.00", stock=10)

    old_user = old.get_model("auth", "User")
    buyer = old_user.objects.create(username="canteen-buyer")
    clerk = old_user.objects.create(username="clerk", is_staff=True)
    unit = old.get_model("marketplace", "BuyerUnit").objects.create(
        name="衢州市机关事务管理局食堂",
        uscc="11330800002585887R",
        status="verified",
        contact_name="王师傅",
        contact_phone="13900000001",
        invoice_title="衢州市机关事务管理局",
        taxpayer_id="11330800002585887R",
    )
    member = unit.members.create(user=buyer, role="buyer")
    budget = unit.budgets.create(year=2026, food_budget=Decimal("500000.00"))
    order = old.get_model("marketplace", "Order").objects.create(
        buyer=buyer,
        buyer_unit=unit,
        status="paid",
        payment_method="bank_transfer",
        total=Decimal("116.00"),
    )
    part = order.vendor_orders.create(vendor_id=vendor.pk, vendor_name=vendor.title, subtotal=Decimal("116.00"))
    line = order.lines.create(
        vendor_order=part,
        product_id=product.pk,
        name="常山胡柚",
        unit_price=Decimal("58.00"),
        quantity=2,
        line_total=Decimal("116.00"),
    )
    payment = order.payments.create(method="bank_transfer", status="succeeded", amount=Decimal("116.00"))
    review = old.get_model("marketplace", "Review").objects.create(
        line=line, product_id=product.pk, vendor_id=vendor.pk, author=buyer, author_masked="王**", rating=5
    )

    # Grants on the old content types: a group's permission, and a user's own.
    old_content_type = old.get_model("contenttypes", "ContentType")
    old_permission = old.get_model("auth", "Permission")
    order_type, _ = old_content_type.objects.get_or_create(app_label="marketplace", model="order")
    unit_type, _ = old_content_type.objects.get_or_create(app_label="marketplace", model="buyerunit")
    view_order, _ = old_permission.objects.get_or_create(
        content_type=order_type, codename="view_order", defaults={"name": "Can view order"}
    )
    verify_unit, _ = old_permission.objects.get_or_create(
        content_type=unit_type, codename="verify_buyerunit", defaults={"name": "Can verify buyer units"}
    )
    clerks = old.get_model("auth", "Group").objects.create(name="Order clerks")
    clerks.permissions.add(view_order)
    clerk.groups.add(clerks)
    clerk.user_permissions.add(verify_unit)
    old_type_ids = dict(old_content_type.objects.filter(app_label="marketplace").values_list("model", "pk"))

    migrate(latest_nodes())

    # The rows and their foreign keys, read with today's models.
    assert (Order._meta.app_label, BuyerUnit._meta.app_label) == ("checkout", "canteen")
    moved_order = Order.objects.get(pk=order.pk)
    assert moved_order.buyer_unit_id == unit.pk
    assert moved_order.buyer_id == buyer.pk
    assert moved_order.total == Decimal("116.00")
    assert list(moved_order.vendor_orders.values_list("pk", "vendor_id")) == [(part.pk, vendor.pk)]
    moved_line = moved_order.lines.get()
    assert (moved_line.pk, moved_line.vendor_order_id, moved_line.product_id) == (line.pk, part.pk, product.pk)
    assert list(moved_order.payments.values_list("pk", "amount")) == [(payment.pk, Decimal("116.00"))]
    moved_unit = BuyerUnit.objects.get(pk=unit.pk)
    assert list(moved_unit.members.values_list("pk", "user_id", "role")) == [(member.pk, buyer.pk, "buyer")]
    assert list(moved_unit.budgets.values_list("pk", "year")) == [(budget.pk, 2026)]
    # A model that stayed in marketplace keeps its key to a moved one.
    assert Review.objects.get(pk=review.pk).line == OrderLine.objects.get(pk=line.pk)

    # The content types moved with their ids: nothing that points at them (grants, log entries) changes.
    for app_label, models in MOVED.items():
        for model in models:
            if model in old_type_ids:
                assert ContentType.objects.get(app_label=app_label, model=model).pk == old_type_ids[model]
    assert not ContentType.objects.filter(app_label="marketplace", model__in=MOVED["checkout"] + MOVED["canteen"])
    assert ContentType.objects.get_for_model(Order).pk == order_type.pk
    assert ContentType.objects.get_for_model(BuyerUnit).pk == unit_type.pk

    # The grants hold under the new labels.
    moved_clerk = get_user_model().objects.get(pk=clerk.pk)
    assert moved_clerk.has_perm("checkout.view_order")
    assert moved_clerk.has_perm("canteen.verify_buyerunit")
    assert not moved_clerk.has_perm("marketplace.view_order")
