"""The transition tables of orders and vendor parts: every order status change goes through Order.TRANSITIONS
(checkout._set_status), and a change it does not allow is a DomainError invalid_state, with nothing logged."""

import pytest

from cms.errors import DomainError
from marketplace.checkout import services as checkout
from marketplace.checkout.models import Order, OrderEvent, VendorOrder

OS = Order.Status
P = VendorOrder.Status


def test_the_order_table_holds_the_rules():
    table = Order.TRANSITIONS
    assert table.allows(OS.AWAITING_APPROVAL, OS.PENDING_PAYMENT) and table.allows(OS.PENDING_PAYMENT, OS.PAID)
    assert not table.allows(OS.AWAITING_APPROVAL, OS.PAID)  # a canteen order is approved before it is paid
    assert not table.allows(OS.CANCELLED, OS.PAID)  # a late payment is flagged, never applied
    assert table.allows(OS.COMPLETED, OS.REFUNDED) and not table.allows(OS.REFUNDED, OS.COMPLETED)
    assert table.is_final(OS.CANCELLED) and table.is_final(OS.REFUNDED)
    assert not VendorOrder.TRANSITIONS.allows(P.PENDING, P.SHIPPED)  # nothing ships unpaid
    assert VendorOrder.TRANSITIONS.allows(P.SHIPPED, P.DELIVERED)


@pytest.mark.parametrize(
    "source, target",
    [
        (OS.CANCELLED, OS.PAID),
        (OS.REFUNDED, OS.SHIPPED),
        (OS.PENDING_PAYMENT, OS.SHIPPED),
        (OS.COMPLETED, OS.CANCELLED),
    ],
)
def test_a_change_the_table_does_not_allow_is_refused(source, target):
    order = Order(number="SH-TEST", status=source)
    with pytest.raises(DomainError) as err:
        checkout._set_status(order, target)
    assert err.value.code == "invalid_state" and order.status == source


@pytest.mark.django_db
def test_a_refused_change_logs_nothing(django_user_model):
    buyer = django_user_model.objects.create_user("buyer", "b@example.com", "pw")
    order = Order.objects.create(buyer=buyer, status=OS.CANCELLED, total=1)
    with pytest.raises(DomainError):
        checkout._set_status(order, OS.PAID, user=buyer)
    assert not OrderEvent.objects.filter(order=order).exists()
    order.refresh_from_db()
    assert order.status == OS.CANCELLED
