"""Two staff members approving the same escalated after-sale request at the same moment, each in its own thread
and database connection on PostgreSQL: one refund, recorded once, and the other is told the request moved on.
(SQLite serialises writers anyway; these run in the PostgreSQL run of `make test`.)"""

import threading

import pytest
from django.db import connection

from cms.errors import CommonCode, DomainError
from marketplace.checkout import after_sale, stripe_client
from marketplace.checkout.models import AfterSaleRequest, Order, Payment, Refund
from tests.factories import make_user, make_vendor_user, pay_by_transfer, place_order, ship

pytestmark = [pytest.mark.postgresql_database, pytest.mark.django_db(transaction=True)]


def escalated_request(shop):
    buyer = make_user("buyer", email="buyer@example.cn")
    staff = [make_user(f"boss{i}", is_superuser=True, is_staff=True) for i in range(2)]
    vendor = make_vendor_user(shop["coop"], "coop-member")
    order = ship(pay_by_transfer(place_order(buyer, (shop["tangelo"], 2)), staff[0]), staff[0])
    part = order.vendor_orders.get()
    request = after_sale.create_request(
        part, user=buyer, kind="refund", reason="quality", quantities={order.lines.get().pk: 1}
    )
    request = after_sale.escalate(after_sale.refuse(request, user=vendor, reason="no"), user=buyer)
    return order, request, staff


def at_once(calls):
    """Run the calls in threads released together; returns each one's result or DomainError code."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except DomainError as error:
            results[i] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_staff_approving_at_once_give_one_refund(shop):
    order, request, staff = escalated_request(shop)

    results = at_once([lambda user=user: after_sale.decide(request, user=user, approve=True) for user in staff])

    assert sorted(r if isinstance(r, str) else "ok" for r in results) == ["invalid_state", "ok"]
    request.refresh_from_db()
    order.refresh_from_db()
    assert request.status == AfterSaleRequest.Status.REFUNDED
    assert Refund.objects.filter(payment__order=order).count() == 1
    assert order.refunded_total == request.refunded_amount == request.amount
    assert order.lines.get().refunded_quantity == 1


def test_a_stripe_refund_completed_by_two_retries_at_once_is_asked_with_one_key(shop, monkeypatch):
    from marketplace.checkout import services

    order, request, staff = escalated_request(shop)
    Payment.objects.filter(order=order).update(stripe_payment_intent="pi_race")
    keys = []

    def stripe_down(payment, amount, *, key, metadata=None):
        raise DomainError(CommonCode.INVALID_DETAIL, detail="down")

    monkeypatch.setattr(stripe_client, "create_refund", stripe_down)
    after_sale.decide(request, user=staff[0], approve=True)
    refund = Refund.objects.get(after_sale=request)
    assert refund.status == Refund.Status.PENDING

    def stripe_up(payment, amount, *, key, metadata=None):
        keys.append(key)
        return "re_race_1"  # Stripe answers a repeated idempotency key with the same refund

    monkeypatch.setattr(stripe_client, "create_refund", stripe_up)
    at_once([services.retry_pending_refunds, services.retry_pending_refunds])

    refund.refresh_from_db()
    request.refresh_from_db()
    assert set(keys) == {refund.idempotency_key}
    assert refund.status == Refund.Status.SUCCEEDED and refund.stripe_refund == "re_race_1"
    assert request.status == AfterSaleRequest.Status.REFUNDED
    assert Order.objects.get(pk=order.pk).refunded_total == request.amount


def test_the_refund_webhook_and_a_retry_racing_on_one_pending_refund_settle_it_once(shop, monkeypatch):
    """The webhook locks order → refund → after-sale request, the retry refund → request (cms.locking's order):
    neither deadlocks nor times out, and the refund and its request are settled once."""
    from types import SimpleNamespace

    from django.db import transaction

    from marketplace.checkout import services, stripe_gateway
    from marketplace.checkout.models import OrderEvent

    order, request, staff = escalated_request(shop)
    Payment.objects.filter(order=order).update(stripe_payment_intent="pi_race_webhook")

    def stripe_down(payment, amount, *, key, metadata=None):
        raise DomainError(CommonCode.INVALID_DETAIL, detail="down")

    monkeypatch.setattr(stripe_client, "create_refund", stripe_down)
    after_sale.decide(request, user=staff[0], approve=True)
    refund = Refund.objects.get(after_sale=request)
    monkeypatch.setattr(stripe_client, "create_refund", lambda payment, amount, *, key, metadata=None: "re_race_2")
    metadata = {"shanhai_refund": str(refund.pk)}
    answer = SimpleNamespace(id="re_race_2", amount=int(refund.amount * 100), metadata=metadata)
    charge = SimpleNamespace(refunds=SimpleNamespace(data=[answer]))
    payment = Payment.objects.get(order=order)

    def webhook():
        with transaction.atomic():
            return stripe_gateway._record_stripe_refunds(payment, charge)

    results = at_once([webhook, services.retry_pending_refunds])

    assert results[0] == "refunds recorded: 0" and results[1] in (0, 1)
    refund.refresh_from_db()
    request.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.stripe_refund == "re_race_2"
    assert request.status == AfterSaleRequest.Status.REFUNDED
    assert Refund.objects.filter(payment__order=order).count() == 1
    assert Order.objects.get(pk=order.pk).refunded_total == request.amount
    assert OrderEvent.objects.filter(order=order, action="after_sale_refunded").count() == 1
