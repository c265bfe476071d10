"""Unit orders: delivery rules, approval (not one's own), rejection releasing stock, reorder, receipt, invoices."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cms.errors import DomainError
from marketplace.canteen import services
from marketplace.canteen.models import BuyerUnit
from marketplace.canteen.services import Delivery
from marketplace.checkout.models import Order, OrderEvent, VendorOrder
from marketplace.checkout.services import LineRequest
from marketplace.models import audiences_for, is_canteen_buyer
from tests.factories import make_user, place_unit_order, stock

pytestmark = pytest.mark.django_db


def in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def delivery(unit, days=3, **kw):
    return Delivery(address=unit.addresses.first(), date=in_days(days), **kw)


def place(unit, goods, qty=10, product="huyou", days=3, **kw):
    return place_unit_order(
        unit, (goods[product], qty), days=days, window="09:00-11:00", purchase_order_number="PO-1", **kw
    )


def test_members_of_verified_units_are_canteen_buyers(unit_a, goods):
    assert is_canteen_buyer(unit_a.users["buyer"])
    assert not is_canteen_buyer(make_user("private", email=""))
    assert "canteens" in audiences_for(unit_a.users["finance"])


def test_small_unit_order_goes_to_vendors_with_snapshot(unit_a, goods):
    order = place(unit_a, goods, qty=10)  # 500.00 < 2000 threshold
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.buyer_unit == unit_a
    assert order.purchase_order_number == "PO-1"
    assert order.delivery_window == "09:00-11:00"
    assert order.canteen_name == "一食堂"
    assert order.invoice_snapshot["title"] == unit_a.name
    assert order.payment_method == "bank_transfer"
    # Later edits of the unit's profile leave the order's invoice details alone.
    unit_a.invoice_title = "新抬头"
    unit_a.save()
    order.refresh_from_db()
    assert order.invoice_snapshot["title"] != "新抬头"


def test_canteen_only_product_at_tier_price(unit_a, goods):
    order = place(unit_a, goods, product="canteen_only", qty=50)
    assert order.total == Decimal("1750.00")


@pytest.mark.parametrize("days", [0, -1, 1])
def test_delivery_date_in_past_or_within_lead_time_is_refused(unit_a, goods, days):
    with pytest.raises(DomainError) as refused:
        place(unit_a, goods, days=days)  # the 常山 vendor needs 2 days
    assert refused.value.field == "delivery_date"
    assert not Order.objects.exists()
    assert stock(goods["huyou"]) == 100


def test_below_minimum_is_refused(unit_a, goods):
    with pytest.raises(DomainError) as refused:
        place(unit_a, goods, qty=2)
    assert refused.value.code == "below_minimum"
    assert not Order.objects.exists()


def test_only_buyers_of_verified_units_order(unit_a, unit_b, goods):
    with pytest.raises(DomainError):
        services.place_unit_order(
            user=unit_a.users["finance"],
            unit=unit_a,
            lines=[LineRequest(goods["huyou"].pk, 10)],
            delivery=delivery(unit_a),
        )
    with pytest.raises(DomainError):  # a buyer of B using A's unit
        services.place_unit_order(
            user=unit_b.users["buyer"],
            unit=unit_a,
            lines=[LineRequest(goods["huyou"].pk, 10)],
            delivery=delivery(unit_a),
        )
    with pytest.raises(DomainError):  # B's address on A's order
        services.place_unit_order(
            user=unit_a.users["buyer"],
            unit=unit_a,
            lines=[LineRequest(goods["huyou"].pk, 10)],
            delivery=delivery(unit_b),
        )
    BuyerUnit.objects.filter(pk=unit_a.pk).update(status="pending")
    unit_a.refresh_from_db()
    with pytest.raises(DomainError):
        services.place_unit_order(
            user=unit_a.users["buyer"],
            unit=unit_a,
            lines=[LineRequest(goods["huyou"].pk, 10)],
            delivery=delivery(unit_a),
        )
    assert not Order.objects.exists()


def test_big_order_waits_for_approval_holding_stock_then_approved(unit_a, goods):
    order = place(unit_a, goods, qty=50)  # 2500.00 > 2000
    assert order.status == Order.Status.AWAITING_APPROVAL
    assert stock(goods["huyou"]) == 50
    with pytest.raises(DomainError) as own:
        # the buyer is made an approver too: still may not approve their own order
        unit_a.members.create(user=unit_a.users["buyer"], role="approver")
        services.approve_order(order, user=unit_a.users["buyer"])
    assert own.value.code == "forbidden"
    with pytest.raises(DomainError):
        services.approve_order(order, user=unit_a.users["finance"])
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_APPROVAL
    services.approve_order(order, user=unit_a.users["approver"])
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.approved_by == unit_a.users["approver"]
    assert OrderEvent.objects.filter(order=order, action="approved").exists()
    with pytest.raises(DomainError) as again:
        services.approve_order(order, user=unit_a.users["approver"])
    assert again.value.code == "invalid_state"


def test_other_units_approver_cannot_approve(unit_a, unit_b, goods):
    order = place(unit_a, goods, qty=50)
    with pytest.raises(DomainError):
        services.approve_order(order, user=unit_b.users["approver"])
    with pytest.raises(DomainError):
        services.reject_order(order, user=unit_b.users["approver"])
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_APPROVAL


def test_rejection_releases_stock(unit_a, goods):
    order = place(unit_a, goods, qty=50)
    services.reject_order(order, user=unit_a.users["approver"], reason="too much")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert stock(goods["huyou"]) == 100
    assert OrderEvent.objects.filter(order=order, action="rejected", note="too much").exists()


def test_order_left_waiting_too_long_expires(unit_a, goods):
    from marketplace.checkout.services import expire_unpaid_orders

    order = place(unit_a, goods, qty=50)
    assert expire_unpaid_orders(timezone.now() + datetime.timedelta(hours=73)) == [order.number]
    assert stock(goods["huyou"]) == 100


def test_reorder_places_the_same_lines_again(unit_a, goods):
    first = place(unit_a, goods, qty=10)
    again = services.reorder(first, user=unit_a.users["buyer"], delivery_date=in_days(4))
    assert again.pk != first.pk
    assert [(ln.product_id, ln.quantity) for ln in again.lines.all()] == [(goods["huyou"].pk, 10)]
    assert again.canteen_name == first.canteen_name
    assert again.requested_delivery_date == in_days(4)


def pay(order, staff):
    from marketplace.checkout.services import record_bank_transfer

    record_bank_transfer(order, amount=order.total, received_on=timezone.localdate(), bank_reference="B1", user=staff)


def ship(part, staff):
    from marketplace.checkout.services import mark_vendor_order_shipped

    return mark_vendor_order_shipped(part, carrier="顺丰", tracking_number=f"SF{part.pk}", user=staff)


def test_receipt_per_vendor_part_completes_order(unit_a, goods, django_user_model):
    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw")
    order = services.place_unit_order(
        user=unit_a.users["buyer"],
        unit=unit_a,
        lines=[LineRequest(goods["huyou"].pk, 10), LineRequest(goods["xihu"].pk, 5)],
        delivery=delivery(unit_a),
    )
    pay(order, staff)
    first, second = order.vendor_orders.order_by("pk")
    ship(first, staff)
    ship(second, staff)
    services.confirm_receipt(first, user=unit_a.users["finance"], note="少了2斤")
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    first.refresh_from_db()
    assert first.status == VendorOrder.Status.DELIVERED and first.inspection_note == "少了2斤"
    with pytest.raises(DomainError):
        services.confirm_receipt(first, user=unit_a.users["buyer"])
    services.confirm_receipt(second, user=unit_a.users["buyer"])
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED


def test_receipt_by_another_unit_is_refused(unit_a, unit_b, goods, django_user_model):
    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw")
    order = place(unit_a, goods)
    pay(order, staff)
    ship(order.vendor_orders.get(), staff)
    with pytest.raises(DomainError):
        services.confirm_receipt(order.vendor_orders.get(), user=unit_b.users["buyer"])
    assert order.vendor_orders.get().received_at is None


@pytest.mark.parametrize("state", ["awaiting_approval", "pending_payment", "to_ship", "cancelled"])
def test_receipt_of_a_part_not_shipped_is_refused_and_stores_nothing(unit_a, goods, django_user_model, state):
    """验收 only for parts the vendor has shipped: refused with a translated error, no photo, no event."""
    from django.utils import translation
    from wagtail.images import get_image_model

    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw")
    order = place(unit_a, goods, qty=50 if state == "awaiting_approval" else 10)
    if state == "to_ship":
        pay(order, staff)
    elif state == "cancelled":
        from marketplace.checkout.services import cancel_order

        cancel_order(order, user=unit_a.users["buyer"], reason="test")
    part = order.vendor_orders.get()
    assert part.status == {"awaiting_approval": "pending", "pending_payment": "pending"}.get(state, state)
    events_before = OrderEvent.objects.filter(order=order).count()
    images_before = get_image_model().objects.count()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wagtail.images.tests.utils import get_test_image_file

    stored = []  # a refused receipt stores no photo: the service checks before it saves
    for language, words in (("zh-hans", "尚未发货"), ("en", "has not shipped")):
        with translation.override(language), pytest.raises(DomainError) as refused:
            upload = get_test_image_file()
            photo = SimpleUploadedFile("receipt.png", upload.file.getvalue(), content_type="image/png")
            services.confirm_receipt(part, user=unit_a.users["buyer"], note="少了", photo=photo)
        assert refused.value.code == "not_shipped"
        assert words in refused.value.message
    part.refresh_from_db()
    assert part.received_at is None and part.inspection_note == "" and part.inspection_photo_id is None
    assert part.status != VendorOrder.Status.DELIVERED
    assert stored == [] and get_image_model().objects.count() == images_before
    assert OrderEvent.objects.filter(order=order).count() == events_before


def test_receipt_after_shipping_stores_the_photo(unit_a, goods, django_user_model):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wagtail.images.tests.utils import get_test_image_file

    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw")
    order = place(unit_a, goods)
    pay(order, staff)
    part = ship(order.vendor_orders.get(), staff)
    photo = services.confirm_receipt(
        part,
        user=unit_a.users["approver"],
        note="2箱破损",
        photo=SimpleUploadedFile("receipt.png", get_test_image_file().file.getvalue(), content_type="image/png"),
    ).inspection_photo
    part.refresh_from_db()
    assert part.status == VendorOrder.Status.DELIVERED and part.inspection_photo == photo
    assert photo.file.name.startswith("private/receipts/")  # private: only the unit, the vendor and staff
    assert part.inspection_note == "2箱破损" and part.received_by == unit_a.users["approver"]


def test_invoice_requested_then_issued_by_vendor(unit_a, goods, django_user_model):
    from marketplace.models import VendorMember

    order = place(unit_a, goods)
    part = order.vendor_orders.get()
    services.request_invoice(part, user=unit_a.users["finance"])
    part.refresh_from_db()
    assert part.invoice_state == "requested"
    stranger = make_user("stranger", email="")
    with pytest.raises(DomainError):
        services.record_invoice(part, user=stranger, number="No.1", date=timezone.localdate())
    vendor_user = make_user("vendor-user", email="")
    VendorMember.objects.create(vendor=part.vendor, user=vendor_user)
    with pytest.raises(DomainError):
        services.record_invoice(part, user=vendor_user, number="", date=timezone.localdate())
    services.record_invoice(part, user=vendor_user, number="No.12345678", date=datetime.date(2026, 1, 5))
    part.refresh_from_db()
    assert (part.invoice_state, part.invoice_number) == ("issued", "No.12345678")


def test_unit_profile_validation():
    from django.core.exceptions import ValidationError

    from tests.factories import make_uscc

    unit = BuyerUnit(
        name="X", uscc="91330100MA2XXXXXX1", contact_name="a", contact_phone="1", invoice_title="X", taxpayer_id="1"
    )
    with pytest.raises(ValidationError) as bad_code:
        unit.full_clean()
    assert "uscc" in bad_code.value.message_dict
    unit.uscc = make_uscc()
    unit.invoice_type = "special"
    with pytest.raises(ValidationError) as no_bank:
        unit.full_clean()
    assert "invoice_bank" in no_bank.value.message_dict
    unit.invoice_address, unit.invoice_phone, unit.invoice_bank, unit.invoice_account = "杭州", "0571", "工行", "1202"
    unit.full_clean()


def test_apply_and_verify_unit(django_user_model):
    from wagtail.models import ModelLogEntry

    from tests.factories import make_uscc

    applicant = make_user("applicant", email="")
    data = {
        "name": "某单位",
        "uscc": "123",
        "contact_name": "a",
        "contact_phone": "1",
        "invoice_title": "某单位",
        "taxpayer_id": "1",
    }
    with pytest.raises(DomainError) as refused:
        services.apply_for_unit(user=applicant, data=data)
    assert refused.value.field == "uscc"
    assert not BuyerUnit.objects.exists()
    data["uscc"] = make_uscc()
    unit = services.apply_for_unit(user=applicant, data=data)
    assert unit.status == "pending" and not is_canteen_buyer(applicant)
    with pytest.raises(DomainError):
        services.verify_unit(unit, user=applicant)
    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw")
    services.verify_unit(unit, user=staff)
    unit.refresh_from_db()
    assert unit.is_verified
    assert ModelLogEntry.objects.filter(object_id=str(unit.pk), action="canteen.unit_verified").exists()
