"""The expiry job: `manage.py expire_orders` and `expire_orders_task` cancel overdue unpaid orders only."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus

from marketplace.checkout import services
from marketplace.checkout.models import Order, PaymentMethod, VendorOrder
from marketplace.checkout.tasks import expire_orders_task
from tests.factories import place_order, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(make_vendor, make_product, changshan, django_user_model):
    vendor = make_vendor("常山胡柚合作社", changshan)
    return {
        "tangelo": make_product(vendor, "常山胡柚", "39.00", stock=20),
        "paste": make_product(vendor, "胡柚膏", "58.00", stock=10, category="processed"),
        "buyer": django_user_model.objects.create_user("buyer", "buyer@example.cn", "pw"),
        "staff": django_user_model.objects.create_superuser("finance", "finance@example.cn", "pw"),
    }


def place(shop, product, quantity, method=PaymentMethod.BANK_TRANSFER):
    return place_order(shop["buyer"], (product, quantity), method=method)


def overdue(order, by=timedelta(minutes=1)):
    Order.objects.filter(pk=order.pk).update(payment_due_at=timezone.now() - by)
    return order


@pytest.fixture
def orders(shop, stripe_settings):
    """An overdue bank transfer, an overdue online payment, one still within its window, and a paid overdue one."""
    late_transfer = overdue(place(shop, shop["tangelo"], 3))
    late_alipay = overdue(place(shop, shop["paste"], 2, method=PaymentMethod.ALIPAY))
    in_time = place(shop, shop["tangelo"], 1)
    paid = place(shop, shop["paste"], 4)
    services.record_bank_transfer(
        paid, amount=paid.total, received_on=timezone.localdate(), bank_reference="R1", user=shop["staff"]
    )
    overdue(paid, by=timedelta(days=5))
    assert stock(shop["tangelo"]) == 16 and stock(shop["paste"]) == 4
    return {"late_transfer": late_transfer, "late_alipay": late_alipay, "in_time": in_time, "paid": paid}


def status_of(order):
    order.refresh_from_db()
    return order.status


def assert_expired_correctly(shop, orders):
    assert status_of(orders["late_transfer"]) == Order.Status.CANCELLED
    assert status_of(orders["late_alipay"]) == Order.Status.CANCELLED
    assert status_of(orders["in_time"]) == Order.Status.PENDING_PAYMENT
    assert status_of(orders["paid"]) == Order.Status.PAID
    # Stock of the two expired orders is back; the waiting and the paid orders keep theirs.
    assert stock(shop["tangelo"]) == 19 and stock(shop["paste"]) == 6
    for key in ("late_transfer", "late_alipay"):
        order = orders[key]
        assert order.events.filter(action="expired").count() == 1
        assert set(order.vendor_orders.values_list("status", flat=True)) == {VendorOrder.Status.CANCELLED}
        assert sum(order.lines.values_list("reserved_quantity", flat=True)) == 0
    assert set(orders["paid"].vendor_orders.values_list("status", flat=True)) == {VendorOrder.Status.TO_SHIP}


def test_command_cancels_overdue_unpaid_orders_and_prints_them(shop, orders):
    out = io.StringIO()
    call_command("expire_orders", stdout=out)
    output = out.getvalue()
    assert orders["late_transfer"].number in output and orders["late_alipay"].number in output
    assert orders["in_time"].number not in output and orders["paid"].number not in output
    assert "2 unpaid order(s) expired." in output
    assert_expired_correctly(shop, orders)

    again = io.StringIO()
    call_command("expire_orders", stdout=again)
    assert "No unpaid orders past their payment window." in again.getvalue()
    assert stock(shop["tangelo"]) == 19 and stock(shop["paste"]) == 6  # released once only


def test_task_cancels_overdue_unpaid_orders(shop, orders):
    result = expire_orders_task.enqueue()  # the test settings run tasks inline
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert sorted(result.return_value) == sorted([orders["late_transfer"].number, orders["late_alipay"].number])
    assert_expired_correctly(shop, orders)
    assert expire_orders_task.enqueue().return_value == []


def test_command_can_hand_the_job_to_the_worker(shop, orders):
    out = io.StringIO()
    call_command("expire_orders", "--enqueue", stdout=out)
    assert "Enqueued expire_orders_task" in out.getvalue()
    assert_expired_correctly(shop, orders)  # the inline backend ran it at once


def test_expiry_emails_each_buyer_once_after_commit(shop, orders, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command("expire_orders", stdout=io.StringIO())
    assert mail.outbox == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == sorted(
        f"订单已取消 / Order cancelled: {orders[key].number}" for key in ("late_transfer", "late_alipay")
    )
    assert all(message.to == ["buyer@example.cn"] for message in mail.outbox)
