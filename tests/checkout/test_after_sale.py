"""After-sale requests (售后) and cancelling one vendor part, tested on the services directly."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from cms.errors import CommonCode, DomainError
from marketplace.checkout import after_sale, services, stripe_client
from marketplace.checkout.models import (
    AfterSaleRequest,
    Order,
    OrderEvent,
    Payment,
    Refund,
    ShippingRule,
    VendorOrder,
)
from tests.factories import make_user, make_vendor_user, pay_by_transfer, place_order, png_upload, ship, stock

pytestmark = pytest.mark.django_db
Status = AfterSaleRequest.Status


@pytest.fixture
def people(shop):
    return {
        "buyer": make_user("buyer", email="buyer@example.cn"),
        "staff": make_user("boss", is_superuser=True, is_staff=True),
        "coop": make_vendor_user(shop["coop"], "coop-member", email="coop@example.cn"),
        "shao": make_vendor_user(shop["shao"], "shao-member"),
    }


@pytest.fixture
def paid(shop, people):
    """A paid order (bank transfer): 3 tangelos (58.00) from the co-op (shipping 10.00), 2 cakes from 邵永丰 (free)."""
    ShippingRule.objects.create(vendor=shop["coop"], charge_by=ShippingRule.ChargeBy.FLAT, first_fee=Decimal("10"))
    order = place_order(people["buyer"], (shop["tangelo"], 3), (shop["cake"], 2))
    return pay_by_transfer(order, people["staff"])


@pytest.fixture
def shipped(paid, people):
    return ship(paid, people["staff"])


def coop_part(order):
    return order.vendor_orders.get(vendor_name="常山胡柚合作社")


def line_of(order, product):
    return order.lines.get(product=product)


def ask(order, people, shop, *, quantity=1, kind=AfterSaleRequest.Kind.REFUND_ONLY, **kwargs):
    part = coop_part(order)
    return after_sale.create_request(
        part,
        user=people["buyer"],
        kind=kind,
        reason=AfterSaleRequest.Reason.QUALITY,
        quantities={line_of(order, shop["tangelo"]).pk: quantity},
        note="两个坏果",
        **kwargs,
    )


def actions(order):
    return list(
        OrderEvent.objects.filter(order=order, action__startswith="after_sale").values_list("action", flat=True)
    )


# -- cancelling one part before shipping ----------------------------------------------------------------------


def test_buyer_cancels_one_unshipped_part_and_gets_its_lines_and_shipping_back(paid, people, shop):
    before = stock(shop["tangelo"])
    part = services.cancel_vendor_part(coop_part(paid), user=people["buyer"])

    paid.refresh_from_db()
    assert part.status == VendorOrder.Status.CANCELLED
    assert stock(shop["tangelo"]) == before + 3
    assert paid.refunded_total == Decimal("184.00")  # 3 × 58.00 + 10.00 shipping
    assert paid.status == Order.Status.PAID
    refund = Refund.objects.get(payment__order=paid)
    assert refund.amount == Decimal("184.00") and refund.status == Refund.Status.SUCCEEDED  # owed by transfer
    assert OrderEvent.objects.filter(order=paid, action="part_cancelled").exists()

    services.cancel_vendor_part(paid.vendor_orders.get(vendor_name="邵永丰食品"), user=people["buyer"])
    paid.refresh_from_db()
    assert paid.status == Order.Status.REFUNDED and paid.refunded_total == paid.total


def test_a_shipped_part_or_someone_elses_cannot_be_cancelled(shipped, paid, people):
    with pytest.raises(DomainError) as shipped_error:
        services.cancel_vendor_part(coop_part(shipped), user=people["buyer"])
    assert shipped_error.value.code == "invalid_state"
    with pytest.raises(DomainError) as other:
        services.cancel_vendor_part(coop_part(shipped), user=people["shao"])
    assert other.value.code == "forbidden"
    assert not Refund.objects.exists()


# -- asking --------------------------------------------------------------------------------------------------


def test_a_request_after_shipping_holds_its_units_and_tells_the_vendor(
    shipped, people, shop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(shipped, people, shop, quantity=2, photos=[png_upload("a.png"), png_upload("b.png")])

    assert request.status == Status.REQUESTED and request.amount == Decimal("116.00")
    assert not request.includes_shipping
    assert request.photos.count() == 2
    assert all(p.image.file.name.startswith("private/") for p in request.photos.all())
    assert any("coop@example.cn" in m.to for m in mail.outbox)
    assert actions(shipped) == ["after_sale_requested"]
    part = coop_part(shipped)
    assert after_sale.available_quantities(part)[line_of(shipped, shop["tangelo"]).pk] == 1
    with pytest.raises(DomainError) as error:
        ask(shipped, people, shop, quantity=2)
    assert error.value.code == "invalid_quantity" and "最多还可申请 1" in error.value.message


def test_asking_for_every_unit_left_of_a_part_includes_its_shipping(shipped, people, shop):
    assert ask(shipped, people, shop, quantity=3).amount == Decimal("184.00")


def test_requests_are_refused_before_shipping_and_after_the_window(paid, people, shop, settings):
    with pytest.raises(DomainError) as early:
        ask(paid, people, shop)
    assert early.value.code == "after_sale_window_closed" and "请直接取消该部分订单" in early.value.message

    ship(paid, people["staff"])
    services.confirm_delivery(coop_part(paid), user=people["buyer"])
    settings.ORDER_AFTER_SALE_DAYS = 7
    ask(paid, people, shop, now=timezone.now() + timedelta(days=6))  # within the window
    with pytest.raises(DomainError) as late:
        ask(paid, people, shop, now=timezone.now() + timedelta(days=8))
    assert late.value.code == "after_sale_window_closed"
    assert AfterSaleRequest.objects.count() == 1


@pytest.mark.parametrize(
    "quantities, code",
    [({}, "invalid_quantity"), ({"tangelo": 4}, "invalid_quantity"), ({"tangelo": -1}, "invalid_quantity")],
)
def test_bad_quantities_are_refused_and_nothing_is_stored(shipped, people, shop, quantities, code):
    wanted = {line_of(shipped, shop[name]).pk: n for name, n in quantities.items()}
    with pytest.raises(DomainError) as error:
        after_sale.create_request(
            coop_part(shipped), user=people["buyer"], kind="refund", reason="quality", quantities=wanted
        )
    assert error.value.code == code
    assert not AfterSaleRequest.objects.exists()


def test_a_line_of_another_vendor_is_not_part_of_the_request(shipped, people, shop):
    with pytest.raises(DomainError) as error:
        after_sale.create_request(
            coop_part(shipped),
            user=people["buyer"],
            kind="refund",
            reason="quality",
            quantities={line_of(shipped, shop["cake"]).pk: 1},
        )
    assert error.value.code == "not_found"


def test_a_file_that_is_not_an_image_is_refused_with_its_name(shipped, people, shop):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("invoice.png", b"not an image at all", content_type="image/png")
    with pytest.raises(DomainError) as error:
        ask(shipped, people, shop, photos=[fake])
    assert error.value.code == "invalid_photo" and "invoice.png" in error.value.message
    with pytest.raises(DomainError) as too_many:
        ask(shipped, people, shop, photos=[png_upload(f"{i}.png") for i in range(4)])
    assert too_many.value.code == "too_many_photos"
    assert not AfterSaleRequest.objects.exists()


def test_only_the_buyer_may_ask(shipped, people, shop):
    with pytest.raises(DomainError) as error:
        after_sale.create_request(
            coop_part(shipped),
            user=people["coop"],
            kind="refund",
            reason="quality",
            quantities={line_of(shipped, shop["tangelo"]).pk: 1},
        )
    assert error.value.code == "forbidden"


# -- answers ---------------------------------------------------------------------------------------------------


def test_vendor_accepts_a_refund_only_request_and_the_money_goes_back_once(shipped, people, shop):
    request = ask(shipped, people, shop, quantity=2)
    before = stock(shop["tangelo"])

    request = after_sale.accept(request, user=people["coop"])

    shipped.refresh_from_db()
    assert request.status == Status.REFUNDED and request.refunded_amount == Decimal("116.00")
    assert shipped.refunded_total == Decimal("116.00")
    assert stock(shop["tangelo"]) == before + 2
    assert line_of(shipped, shop["tangelo"]).refunded_quantity == 2
    assert Refund.objects.get(after_sale=request).amount == Decimal("116.00")
    assert actions(shipped) == ["after_sale_requested", "after_sale_accepted", "after_sale_refunded"]
    with pytest.raises(DomainError) as again:
        after_sale.accept(request, user=people["coop"])
    assert again.value.code == "invalid_state"
    assert Refund.objects.count() == 1


def test_a_return_goes_back_with_its_tracking_number_then_the_vendor_confirms(shipped, people, shop):
    request = ask(shipped, people, shop, kind=AfterSaleRequest.Kind.RETURN)
    with pytest.raises(DomainError) as no_address:
        after_sale.accept(request, user=people["coop"])
    assert no_address.value.field == "return_address"

    request = after_sale.accept(request, user=people["coop"], return_address="浙江省衢州市常山县 合作社仓库")
    assert request.status == Status.ACCEPTED
    with pytest.raises(DomainError) as early:
        after_sale.confirm_return(request, user=people["coop"])
    assert early.value.code == "invalid_state"
    with pytest.raises(DomainError) as unknown:
        after_sale.ship_return(request, user=people["buyer"], carrier="信鸽", tracking_number="1")
    assert unknown.value.code == "unknown_carrier"

    request = after_sale.ship_return(request, user=people["buyer"], carrier="顺丰", tracking_number="SF99")
    assert request.status == Status.RETURN_SHIPPED and request.return_carrier == "sf"
    request = after_sale.confirm_return(request, user=people["coop"])
    assert request.status == Status.REFUNDED and request.refunded_amount == Decimal("58.00")


def test_refused_escalated_and_approved_by_staff(shipped, people, shop, django_capture_on_commit_callbacks):
    request = ask(shipped, people, shop)
    with pytest.raises(DomainError) as no_reason:
        after_sale.refuse(request, user=people["coop"], reason=" ")
    assert no_reason.value.field == "reason"
    with pytest.raises(DomainError) as other_vendor:
        after_sale.refuse(request, user=people["shao"], reason="不是我的")
    assert other_vendor.value.code == "forbidden"
    with pytest.raises(DomainError) as too_soon:
        after_sale.escalate(request, user=people["buyer"])
    assert too_soon.value.code == "invalid_state"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = after_sale.refuse(request, user=people["coop"], reason="果子是好的")
    assert request.status == Status.REFUSED and request.vendor_note == "果子是好的"
    assert any("buyer@example.cn" in m.to for m in mail.outbox)
    request = after_sale.escalate(request, user=people["buyer"])
    assert request.status == Status.ESCALATED
    with pytest.raises(DomainError) as not_staff:
        after_sale.decide(request, user=people["coop"], approve=True)
    assert not_staff.value.code == "forbidden"

    request = after_sale.decide(request, user=people["staff"], approve=True, note="照片可见坏果")
    assert request.status == Status.REFUNDED and request.staff_note == "照片可见坏果"
    with pytest.raises(DomainError) as twice:
        after_sale.decide(request, user=people["staff"], approve=True)
    assert twice.value.code == "invalid_state"
    assert Refund.objects.filter(after_sale=request).count() == 1


def test_staff_reject_with_a_note_and_the_request_closes(shipped, people, shop):
    request = ask(shipped, people, shop)
    request = after_sale.refuse(request, user=people["coop"], reason="no")
    request = after_sale.escalate(request, user=people["buyer"])
    with pytest.raises(DomainError) as no_note:
        after_sale.decide(request, user=people["staff"], approve=False)
    assert no_note.value.field == "note"
    request = after_sale.decide(request, user=people["staff"], approve=False, note="照片看不出问题")
    assert request.status == Status.CLOSED
    assert not Refund.objects.exists()
    assert after_sale.available_quantities(coop_part(shipped))[line_of(shipped, shop["tangelo"]).pk] == 3


def test_the_buyer_withdraws_an_open_request_but_not_a_closed_one(shipped, people, shop):
    request = after_sale.withdraw(ask(shipped, people, shop), user=people["buyer"])
    assert request.status == Status.WITHDRAWN
    with pytest.raises(DomainError) as again:
        after_sale.withdraw(request, user=people["buyer"])
    assert again.value.code == "invalid_state"


def test_unanswered_requests_go_to_staff_after_the_vendor_hours(shipped, people, shop, settings):
    settings.ORDER_AFTER_SALE_VENDOR_HOURS = 48
    request = ask(shipped, people, shop)
    assert after_sale.escalate_unanswered(timezone.now() + timedelta(hours=47)) == []
    assert after_sale.escalate_unanswered(timezone.now() + timedelta(hours=49)) == [request.pk]
    request.refresh_from_db()
    assert request.status == Status.ESCALATED
    assert "after_sale_auto_escalated" in actions(shipped)


def test_the_database_refuses_a_refund_above_the_requests_amount(shipped, people, shop):
    request = ask(shipped, people, shop)
    with pytest.raises(IntegrityError), transaction.atomic():
        AfterSaleRequest.objects.filter(pk=request.pk).update(refunded_amount=request.amount + 1)


# -- the Stripe call happens outside the locks, once ---------------------------------------------------------


@pytest.fixture
def paid_online(shipped):
    """The shipped order as if paid online: its payment carries a PaymentIntent id."""
    Payment.objects.filter(order=shipped).update(stripe_payment_intent="pi_test_after_sale")
    return shipped


def test_a_stripe_refund_is_pending_until_stripe_answers_and_a_retry_completes_it(
    paid_online, people, shop, monkeypatch
):
    calls = []

    def refused(payment, amount, *, key, metadata=None):
        calls.append(key)
        raise DomainError(CommonCode.INVALID_DETAIL, detail="card network down")

    monkeypatch.setattr(stripe_client, "create_refund", refused)
    request = after_sale.accept(ask(paid_online, people, shop), user=people["coop"])
    refund = Refund.objects.get(after_sale=request)
    assert request.status == Status.REFUNDING and refund.status == Refund.Status.PENDING
    assert refund.last_error == "card network down"

    def accepted(payment, amount, *, key, metadata=None):
        calls.append(key)
        assert metadata == {"shanhai_refund": str(refund.pk)}
        return "re_after_sale_1"

    monkeypatch.setattr(stripe_client, "create_refund", accepted)
    assert services.retry_pending_refunds() == 1
    assert services.retry_pending_refunds() == 0
    refund.refresh_from_db()
    request.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.stripe_refund == "re_after_sale_1"
    assert request.status == Status.REFUNDED
    assert calls == [refund.idempotency_key, refund.idempotency_key]  # the same key: Stripe makes one refund


def test_stripe_is_not_called_inside_a_service_transaction(paid_online, people, shop, monkeypatch):
    from django.db import connection

    baseline = len(connection.savepoint_ids)  # the test's own transaction
    depths = []

    def create_refund(payment, amount, *, key, metadata=None):
        depths.append(len(connection.savepoint_ids))
        return f"re_outside_{len(depths)}"

    monkeypatch.setattr(stripe_client, "create_refund", create_refund)
    request = after_sale.refuse(ask(paid_online, people, shop), user=people["coop"], reason="no")
    request = after_sale.escalate(request, user=people["buyer"])
    after_sale.decide(request, user=people["staff"], approve=True)
    services.refund(paid_online, user=people["staff"])

    assert depths == [baseline, baseline]  # no service transaction (and so no row lock) around either call
    assert not Refund.objects.filter(status=Refund.Status.PENDING).exists()


def test_the_refund_webhook_completes_our_pending_refund_instead_of_counting_it_again(
    paid_online, people, shop, monkeypatch
):
    from types import SimpleNamespace

    from marketplace.checkout import stripe_gateway

    def lost_answer(payment, amount, *, key, metadata=None):
        raise DomainError(CommonCode.INVALID_DETAIL, detail="timeout")  # Stripe made it, but we never heard back

    monkeypatch.setattr(stripe_client, "create_refund", lost_answer)
    request = after_sale.accept(ask(paid_online, people, shop), user=people["coop"])
    refund = Refund.objects.get(after_sale=request)
    stripe_refund = SimpleNamespace(id="re_from_webhook", amount=5800, metadata={"shanhai_refund": str(refund.pk)})
    charge = SimpleNamespace(refunds=SimpleNamespace(data=[stripe_refund]))

    with transaction.atomic():
        result = stripe_gateway._record_stripe_refunds(Payment.objects.get(order=paid_online), charge)

    assert result == "refunds recorded: 0"
    refund.refresh_from_db()
    request.refresh_from_db()
    paid_online.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.stripe_refund == "re_from_webhook"
    assert request.status == Status.REFUNDED
    assert paid_online.refunded_total == Decimal("58.00")
    assert Refund.objects.count() == 1


def test_one_refund_webhook_settles_two_pending_after_sale_refunds_locking_refunds_first(
    paid_online, people, shop, monkeypatch
):
    """Both refunds are locked before either request is settled (cms.locking: refunds before after-sale requests,
    checked here as in production)."""
    from types import SimpleNamespace

    from cms import locking
    from marketplace.checkout import stripe_gateway

    def lost_answer(payment, amount, *, key, metadata=None):
        raise DomainError(CommonCode.INVALID_DETAIL, detail="timeout")

    monkeypatch.setattr(stripe_client, "create_refund", lost_answer)
    tangelos = after_sale.accept(ask(paid_online, people, shop), user=people["coop"])
    cake_part = paid_online.vendor_orders.get(vendor_name="邵永丰食品")
    cakes = after_sale.create_request(
        cake_part,
        user=people["buyer"],
        kind=AfterSaleRequest.Kind.REFUND_ONLY,
        reason=AfterSaleRequest.Reason.QUALITY,
        quantities={line_of(paid_online, shop["cake"]).pk: 1},
    )
    cakes = after_sale.accept(cakes, user=people["shao"])
    refunds = [Refund.objects.get(after_sale=tangelos), Refund.objects.get(after_sale=cakes)]
    charge = SimpleNamespace(
        refunds=SimpleNamespace(
            data=[
                SimpleNamespace(id=f"re_{n}", amount=int(r.amount * 100), metadata={"shanhai_refund": str(r.pk)})
                for n, r in enumerate(refunds)
            ]
        )
    )
    with transaction.atomic():
        result = stripe_gateway._record_stripe_refunds(Payment.objects.get(order=paid_online), charge)
        # The second refund locked after the first request was settled would have raised LockOrderError.
        held = locking.held_labels()

    assert result == "refunds recorded: 0"
    assert held == ["checkout.Order", "checkout.Refund", "checkout.AfterSaleRequest"]
    for refund in refunds:
        refund.refresh_from_db()
        assert refund.status == Refund.Status.SUCCEEDED
    assert set(AfterSaleRequest.objects.values_list("status", flat=True)) == {Status.REFUNDED}


def test_cancelling_the_last_unshipped_part_makes_a_partly_shipped_order_shipped(paid, people, shop):
    services.mark_vendor_order_shipped(coop_part(paid), carrier="sf", tracking_number="SF1", user=people["staff"])
    paid.refresh_from_db()
    assert paid.status == Order.Status.PARTLY_SHIPPED

    services.cancel_vendor_part(paid.vendor_orders.get(vendor_name="邵永丰食品"), user=people["buyer"])

    paid.refresh_from_db()
    assert paid.status == Order.Status.SHIPPED
    assert paid.refunded_total == Decimal("60.00")  # 2 × 30.00 cakes, free shipping
