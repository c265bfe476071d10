"""place_order and friends, tested directly: stock, prices, rules, and the audit trail."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cms.errors import DomainError
from marketplace.checkout import services
from marketplace.checkout.models import Order, OrderEvent, PaymentMethod, VendorOrder
from tests.factories import place_order, stock

pytestmark = pytest.mark.django_db


def test_order_is_split_by_vendor_and_copies_what_was_sold(buyer, shop):
    order = place_order(buyer, (shop["tangelo"], 5), (shop["cake"], 2))
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.total == Decimal("5") * Decimal("52.00") + Decimal("60.00")
    parts = {part.vendor_name: part for part in order.vendor_orders.all()}
    assert set(parts) == {"常山胡柚合作社", "邵永丰食品"}
    assert parts["常山胡柚合作社"].subtotal == Decimal("260.00")
    line = order.lines.get(product=shop["tangelo"])
    assert (line.name, line.vendor_name, line.unit, line.unit_price, line.line_total) == (
        "常山胡柚",
        "常山胡柚合作社",
        "斤",
        Decimal("52.00"),
        Decimal("260.00"),
    )
    assert stock(shop["tangelo"]) == 5 and stock(shop["cake"]) == 1
    assert order.payment_reference.startswith("SHZ")
    assert order.payment_due_at > timezone.now() + timedelta(hours=24)
    assert OrderEvent.objects.filter(order=order, action="placed", user=buyer).exists()
    assert order.number.startswith("SH")


def test_later_product_edits_do_not_change_the_order(buyer, shop):
    order = place_order(buyer, (shop["cake"], 1))
    product = shop["cake"]
    product.title = "新名字"
    product.unit_price = Decimal("99.00")
    product.save_revision().publish()
    line = order.lines.get()
    line.refresh_from_db()
    assert (line.name, line.unit_price) == ("邵永丰麻饼", Decimal("30.00"))


@pytest.mark.parametrize(
    ("quantity", "code"),
    [(0, "invalid_quantity"), (-1, "invalid_quantity"), (1.5, "invalid_quantity"), (10**6, "invalid_quantity")],
)
def test_bad_quantities_change_nothing(buyer, shop, quantity, code):
    with pytest.raises(DomainError) as excinfo:
        place_order(buyer, (shop["tangelo"], quantity))
    assert excinfo.value.code == code
    assert stock(shop["tangelo"]) == 10 and not Order.objects.exists()


def test_more_than_stock_is_refused_and_nothing_is_held(buyer, shop):
    with pytest.raises(DomainError) as excinfo:
        place_order(buyer, (shop["tangelo"], 2), (shop["cake"], 4))
    assert excinfo.value.code == "out_of_stock"
    assert "3" in excinfo.value.message
    # The tangelo reserved first is given back by the rollback.
    assert stock(shop["tangelo"]) == 10 and stock(shop["cake"]) == 3
    assert not Order.objects.exists()


def test_below_minimum_and_canteen_only_and_empty(buyer, shop):
    for lines, code in [
        ([(shop["bulk"], 4)], "below_minimum"),
        ([(shop["rice"], 1)], "not_for_sale_to_buyer"),
        ([], "empty_cart"),
    ]:
        with pytest.raises(DomainError) as excinfo:
            place_order(buyer, *lines)
        assert excinfo.value.code == code
    assert not Order.objects.exists()


def test_a_dearer_price_is_refused_not_charged(buyer, shop):
    with pytest.raises(DomainError) as excinfo:
        place_order(buyer, (shop["cake"], 1, Decimal("25.00")))
    assert excinfo.value.code == "price_changed"
    order = place_order(buyer, (shop["cake"], 1, Decimal("30.00")))
    assert order.total == Decimal("30.00")


def test_unavailable_product(buyer, shop):
    shop["cake"].available = False
    shop["cake"].save_revision().publish()
    with pytest.raises(DomainError) as excinfo:
        place_order(buyer, (shop["cake"], 1))
    assert excinfo.value.code == "unavailable"


def test_idempotency_key_returns_the_first_order(buyer, shop):
    first = place_order(buyer, (shop["cake"], 1), idempotency_key="abc-1")
    again = place_order(buyer, (shop["cake"], 1), idempotency_key="abc-1")
    assert first.pk == again.pk
    assert Order.objects.count() == 1 and stock(shop["cake"]) == 2


def test_buyer_cancels_unpaid_order_and_stock_returns(buyer, shop, django_user_model):
    order = place_order(buyer, (shop["cake"], 3))
    assert stock(shop["cake"]) == 0
    stranger = django_user_model.objects.create_user("stranger", "s@example.cn", "pw")
    with pytest.raises(DomainError) as excinfo:
        services.cancel_order(order, user=stranger)
    assert excinfo.value.code == "forbidden"
    services.cancel_order(order, user=buyer)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and stock(shop["cake"]) == 3
    assert set(order.vendor_orders.values_list("status", flat=True)) == {VendorOrder.Status.CANCELLED}
    with pytest.raises(DomainError):
        services.cancel_order(order, user=buyer)
    assert stock(shop["cake"]) == 3


def test_expiry_releases_stock_once(buyer, shop):
    order = place_order(buyer, (shop["cake"], 2), method=PaymentMethod.BANK_TRANSFER)
    assert services.expire_unpaid_orders(now=timezone.now()) == []
    later = order.payment_due_at + timedelta(seconds=1)
    assert services.expire_unpaid_orders(now=later) == [order.number]
    assert services.expire_unpaid_orders(now=later) == []
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and stock(shop["cake"]) == 3


def test_bank_transfer_recorded_by_staff_marks_paid_and_keeps_stock(buyer, shop, django_user_model):
    staff = django_user_model.objects.create_superuser("finance", "f@example.cn", "pw")
    order = place_order(buyer, (shop["cake"], 2))
    with pytest.raises(DomainError) as excinfo:
        services.record_bank_transfer(
            order, amount="59.00", received_on=timezone.localdate(), bank_reference="X1", user=staff
        )
    assert excinfo.value.code == "amount_mismatch"
    services.record_bank_transfer(
        order, amount="60.00", received_on=timezone.localdate(), bank_reference="ICBC-778", user=staff
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.paid_at
    assert stock(shop["cake"]) == 1
    # Expiry never touches a paid order.
    assert services.expire_unpaid_orders(now=order.payment_due_at + timedelta(days=1)) == []
    assert stock(shop["cake"]) == 1


def test_shipping_and_partial_refund(buyer, shop, django_user_model):
    staff = django_user_model.objects.create_superuser("finance", "f@example.cn", "pw")
    order = place_order(buyer, (shop["tangelo"], 2), (shop["cake"], 2))
    services.record_bank_transfer(
        order, amount=order.total, received_on=timezone.localdate(), bank_reference="R", user=staff
    )
    coop_part = order.vendor_orders.get(vendor=shop["coop"])
    with pytest.raises(DomainError):
        services.mark_vendor_order_shipped(coop_part, carrier="", tracking_number="", user=staff)
    services.mark_vendor_order_shipped(coop_part, carrier="顺丰", tracking_number="SF123", user=staff)
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_SHIPPED
    cake_line = order.lines.get(product=shop["cake"])
    services.refund(order, user=staff, lines={cake_line.pk: 1}, reason="破损")
    order.refresh_from_db()
    assert order.refunded_total == Decimal("30.00") and order.status == Order.Status.PARTLY_SHIPPED
    assert stock(shop["cake"]) == 2
    with pytest.raises(DomainError):
        services.refund(order, user=staff, lines={cake_line.pk: 2})
    services.refund(order, user=staff)
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED and order.refunded_total == order.total


def test_fee_order_and_signals(buyer, django_user_model):
    from marketplace.checkout import signals
    from marketplace.checkout.models import OrderLine

    seen = []

    def on_paid(sender, order, **kwargs):
        seen.append(("paid", order.number))

    def on_closed(sender, order, reason, **kwargs):
        seen.append((reason, order.number))

    signals.order_paid.connect(on_paid)
    signals.order_closed.connect(on_closed)
    try:
        fee = services.Fee(
            kind=OrderLine.Kind.STALL_FEE, name="A01 标准展位", unit_price=Decimal("800.00"), reference="x:1"
        )
        order = services.place_fee_order(buyer=buyer, fees=[fee], payment_method=PaymentMethod.BANK_TRANSFER)
        assert order.total == Decimal("800.00") and not order.vendor_orders.exists()
        assert order.lines.get().reference == "x:1"
        staff = django_user_model.objects.create_superuser("finance", "f@example.cn", "pw")
        services.record_bank_transfer(
            order, amount="800.00", received_on=timezone.localdate(), bank_reference="B1", user=staff
        )
        other = services.place_fee_order(buyer=buyer, fees=[fee], payment_method=PaymentMethod.BANK_TRANSFER)
        services.cancel_order(other, user=buyer)
        with pytest.raises(DomainError):
            services.place_fee_order(
                buyer=buyer, fees=[services.Fee("stall_fee", "免费", Decimal("0"))], payment_method="bank_transfer"
            )
    finally:
        signals.order_paid.disconnect(on_paid)
        signals.order_closed.disconnect(on_closed)
    assert seen == [("paid", order.number), ("cancelled", other.number)]
