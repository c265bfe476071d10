"""Sales at the stall: recording (two ways of naming the item), offline duplicates, stock through the stock
service, corrections and voids the same day, who may record, and the API (POST /api/fairs/<id>/sales/)."""

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.models import PageLogEntry

from cms.errors import DomainError
from events.fairs import stall_sales
from events.models import StallSale
from events.stalls import services
from tests.factories import stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def selling(make_fair, vendor_user, make_product):
    """A fair on today, a vendor with a confirmed (free) stall, a stock product and an untracked one."""
    today = timezone.localdate()
    fair = make_fair(price="0.00", start_date=today - timedelta(days=1), end_date=today + timedelta(days=1))
    vendor, user = vendor_user()
    application = services.apply(fair=fair, vendor=vendor, user=user, request=services.ApplicationRequest())
    booking = services.approve(application, stall=fair.stalls.get(code="A01"), user=user)
    assert booking.status == "confirmed"
    tracked = make_product(vendor, "常山胡柚", "8.00", stock=5, unit="斤")
    untracked = make_product(vendor, "胡柚膏", "38.00", track_stock=False)
    return fair, vendor, user, tracked, untracked


def record(fair, vendor, user, **fields):
    fields.setdefault("client_id", uuid.uuid4())
    fields.setdefault("payment", "wechat")
    return stall_sales.record_sale(fair=fair, vendor=vendor, user=user, request=stall_sales.SaleRequest(**fields))


def test_record_a_catalogue_product_moves_its_stock(selling):
    fair, vendor, user, tracked, _ = selling
    sale, created = record(fair, vendor, user, product_id=tracked.pk, quantity=3)
    assert created
    assert (sale.item_name, sale.unit, sale.unit_price, sale.amount) == (
        "常山胡柚",
        "斤",
        Decimal("8.00"),
        Decimal("24.00"),
    )
    assert sale.stall.code == "A01" and sale.booking.vendor_id == vendor.pk
    assert sale.mountain is True and sale.county.name == "常山县"
    assert stock(tracked) == 2 and sale.stock_taken == 3
    assert PageLogEntry.objects.filter(page=fair, action="events.sale_recorded").count() == 1


def test_a_typed_item_needs_a_price_and_moves_no_stock(selling):
    fair, vendor, user, *_ = selling
    with pytest.raises(DomainError) as error:
        record(fair, vendor, user, item_name="手工麻饼")
    assert error.value.code == "invalid"
    sale, _created = record(fair, vendor, user, item_name="手工麻饼", unit_price="12.5", quantity=2, payment="cash")
    assert sale.amount == Decimal("25.00") and sale.product is None and sale.stock_taken == 0


def test_never_below_zero_and_sold_out_is_clear(selling):
    fair, vendor, user, tracked, _ = selling
    with pytest.raises(DomainError) as error:
        record(fair, vendor, user, product_id=tracked.pk, quantity=6)
    assert error.value.code == "out_of_stock" and "5" in error.value.message
    assert stock(tracked) == 5 and not StallSale.objects.exists()
    record(fair, vendor, user, product_id=tracked.pk, quantity=5)
    with pytest.raises(DomainError) as error:
        record(fair, vendor, user, product_id=tracked.pk, quantity=1)
    assert error.value.code == "out_of_stock"
    assert "售罄" in error.value.message or "sold out" in error.value.message
    assert stock(tracked) == 0 and StallSale.objects.count() == 1


def test_a_sale_sent_twice_is_recorded_once(selling):
    fair, vendor, user, tracked, _ = selling
    client_id = uuid.uuid4()
    first, created = record(fair, vendor, user, client_id=client_id, product_id=tracked.pk, quantity=2)
    again, created_again = record(fair, vendor, user, client_id=str(client_id), product_id=tracked.pk, quantity=2)
    assert created and not created_again and again.pk == first.pk
    assert StallSale.objects.count() == 1 and stock(tracked) == 3


def test_offline_sale_keeps_its_time_and_only_fair_days(selling):
    fair, vendor, user, tracked, _ = selling
    earlier = timezone.now() - timedelta(hours=2)
    sale, _ = record(fair, vendor, user, product_id=tracked.pk, sold_at=earlier)
    assert sale.sold_at == earlier
    with pytest.raises(DomainError) as error:
        record(fair, vendor, user, product_id=tracked.pk, sold_at=timezone.now() - timedelta(days=5))
    assert error.value.code == "outside_window"


def test_only_members_with_a_confirmed_stall(selling, vendor_user, django_user_model):
    fair, vendor, user, tracked, _ = selling
    stranger = django_user_model.objects.create_user("stranger", "s@example.com", "pw")
    with pytest.raises(DomainError) as error:
        record(fair, vendor, stranger, product_id=tracked.pk)
    assert error.value.code == "not_vendor"
    other, other_user = vendor_user("开化龙顶茶业", username="other")
    with pytest.raises(DomainError) as error:
        record(fair, other, other_user, item_name="龙顶", unit_price="100")
    assert error.value.code == "no_stall"
    with pytest.raises(DomainError) as error:  # another vendor's product
        record(fair, vendor, user, product_id=tracked.pk + 999)
    assert error.value.code == "unknown_product"


def test_correct_and_void_the_same_day(selling, organiser):
    fair, vendor, user, tracked, _ = selling
    sale, _ = record(fair, vendor, user, product_id=tracked.pk, quantity=2)
    sale = stall_sales.correct_sale(sale, user=user, quantity=4, payment="alipay")
    assert (sale.quantity, sale.amount, sale.payment, stock(tracked)) == (4, Decimal("32.00"), "alipay", 1)
    sale = stall_sales.correct_sale(sale, user=user, quantity=1, unit_price="7.00")
    assert (sale.amount, stock(tracked)) == (Decimal("7.00"), 4)
    sale = stall_sales.void_sale(sale, user=user, reason="顾客退货")
    assert sale.status == "voided" and stock(tracked) == 5
    assert PageLogEntry.objects.filter(page=fair, action="events.sale_voided").count() == 1
    with pytest.raises(DomainError) as error:
        stall_sales.void_sale(sale, user=user)
    assert error.value.code == "invalid_state"


def test_not_the_next_day(selling):
    fair, vendor, user, tracked, _ = selling
    sale, _ = record(fair, vendor, user, product_id=tracked.pk)
    tomorrow = timezone.now() + timedelta(days=1)
    with pytest.raises(DomainError) as error:
        stall_sales.void_sale(sale, user=user, now=tomorrow)
    assert error.value.code == "invalid_state" and "当天" in error.value.message
    with pytest.raises(DomainError) as error:
        stall_sales.correct_sale(sale, user=user, quantity=2, now=tomorrow)
    assert error.value.code == "invalid_state"
    sale.refresh_from_db()
    assert (sale.status, sale.quantity, sale.corrected_at, stock(tracked)) == ("recorded", 1, None, 4)


def test_void_and_correct_go_through_the_transition_table(selling):
    fair, vendor, user, tracked, _ = selling
    S = StallSale.Stage
    table = StallSale.TRANSITIONS
    assert table.targets(S.RECORDED) == {S.CORRECTED, S.VOIDED} == table.targets(S.CORRECTED)
    assert table.is_final(S.VOIDED) and table.is_final(S.CLOSED)

    sale, _ = record(fair, vendor, user, product_id=tracked.pk, quantity=2)
    tomorrow = timezone.now() + timedelta(days=1)
    assert sale.stage() == S.RECORDED and sale.stage(tomorrow) == S.CLOSED
    assert sale.may(S.VOIDED) and not sale.may(S.VOIDED, tomorrow)
    sale = stall_sales.correct_sale(sale, user=user, quantity=3)
    assert sale.stage() == S.CORRECTED and sale.may(S.CORRECTED)
    sale = stall_sales.void_sale(sale, user=user)
    assert sale.stage() == S.VOIDED and not sale.may(S.CORRECTED) and stock(tracked) == 5
    for change in (
        lambda: stall_sales.void_sale(sale, user=user),
        lambda: stall_sales.correct_sale(sale, user=user, quantity=1),
    ):
        with pytest.raises(DomainError) as error:
            change()
        assert error.value.code == "invalid_state"
    sale.refresh_from_db()
    assert (sale.status, sale.quantity, stock(tracked)) == ("voided", 3, 5)
    assert PageLogEntry.objects.filter(page=fair, action="events.sale_voided").count() == 1


# -- the API ---------------------------------------------------------------------------------------------------


def post_sale(client, fair, **body):
    return client.post(f"/api/fairs/{fair.pk}/sales/", json.dumps(body), content_type="application/json")


def test_api_records_once_per_client_id(client, selling):
    fair, vendor, user, tracked, _ = selling
    client.force_login(user)
    body = {"client_id": str(uuid.uuid4()), "product": tracked.pk, "quantity": 2, "payment": "alipay"}
    first = post_sale(client, fair, **body)
    assert first.status_code == 201, first.content
    assert first.json()["amount"] == "16.00" and first.json()["stock_left"] == 3
    again = post_sale(client, fair, **body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert StallSale.objects.count() == 1 and stock(tracked) == 3


def test_api_refusals(client, selling):
    fair, vendor, user, tracked, _ = selling
    client.force_login(user)
    sold_out = post_sale(client, fair, client_id=str(uuid.uuid4()), product=tracked.pk, quantity=9, payment="cash")
    assert sold_out.status_code == 409 and sold_out.json()["code"] == "out_of_stock"
    bad = post_sale(client, fair, client_id="not-a-uuid", product=tracked.pk, payment="cash")
    assert bad.status_code == 400
    client.logout()
    assert post_sale(client, fair, client_id=str(uuid.uuid4()), payment="cash").status_code == 401


def test_api_void(client, selling):
    fair, vendor, user, tracked, _ = selling
    client.force_login(user)
    client_id = str(uuid.uuid4())
    post_sale(client, fair, client_id=client_id, product=tracked.pk, quantity=1, payment="card")
    response = client.post(
        f"/api/fairs/{fair.pk}/sales/{client_id}/void/", json.dumps({"reason": "录错"}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "voided"
    assert stock(tracked) == 5
    again = client.post(
        f"/api/fairs/{fair.pk}/sales/{client_id}/void/", json.dumps({"reason": "录错"}), content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"


def test_api_in_the_openapi_schema(client):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/fairs/{fair_id}/sales/"]["post"]
    assert operation["operationId"] == "fair_sale_record"
    assert "client_id" in json.dumps(schema["components"]["schemas"]["SaleIn"])
