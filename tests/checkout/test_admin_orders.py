"""Orders in the Wagtail admin: vendors see and ship only their own parts; staff see, filter, export and act."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook

from marketplace.checkout import services
from marketplace.checkout.models import Order, OrderEvent, PaymentMethod, Refund, VendorOrder
from marketplace.checkout.services import Address
from tests.factories import ADDRESS, make_user, pay_by_transfer, place_order, stock
from tests.factories.checkout import (
    STAFF_ORDERS_URL,
    VENDOR_ORDERS_URL,
    in_english,
    paid_mixed_order,
    part_of,
    two_vendor_shop,
)

pytestmark = pytest.mark.django_db

VENDOR_URL = VENDOR_ORDERS_URL
STAFF_URL = STAFF_ORDERS_URL


def staff_user(username, *codenames):
    user = in_english(make_user(username))
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", *codenames], content_type__app_label__in=["wagtailadmin", "checkout"]
        )
    )
    return user


def messages_of(response):
    return [str(m.message) for m in response.context["messages"]]


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response):
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def shop(make_vendor, make_product, changshan, kecheng):
    return two_vendor_shop(make_vendor, make_product, changshan, kecheng)


@pytest.fixture
def mixed_order(shop):
    """One paid order with lines from both vendors."""
    return paid_mixed_order(shop)


# --- vendors: isolation ---------------------------------------------------------------------------------


def test_vendor_listing_shows_only_own_part_and_lines(client, shop, mixed_order):
    client.force_login(shop["a_user"])
    response = client.get(VENDOR_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert mixed_order.number in html
    assert "常山胡柚" in html and "胡柚膏" in html
    assert "柯城椪柑" not in html  # vendor B's line of the same order
    assert ADDRESS.recipient in html and ADDRESS.phone in html and ADDRESS.street in html  # paid: address to ship to
    assert "¥136.00" in html  # A's subtotal 2 × 39 + 58
    assert [part.vendor_id for part in response.context["object_list"]] == [shop["a"].pk]

    client.force_login(shop["b_user"])
    html = client.get(VENDOR_URL).content.decode()
    assert "柯城椪柑" in html and "常山胡柚" not in html


def test_vendor_detail_of_another_vendors_part_is_404(client, shop, mixed_order):
    a_part, b_part = part_of(mixed_order, shop["a"]), part_of(mixed_order, shop["b"])
    client.force_login(shop["a_user"])
    own = client.get(f"{VENDOR_URL}{a_part.pk}/")
    assert own.status_code == 200
    assert "胡柚膏" in own.content.decode() and "柯城椪柑" not in own.content.decode()
    assert client.get(f"{VENDOR_URL}{b_part.pk}/").status_code == 404
    assert client.get(f"{VENDOR_URL}999999/").status_code == 404


def test_vendor_cannot_ship_another_vendors_part(client, shop, mixed_order):
    b_part = part_of(mixed_order, shop["b"])
    client.force_login(shop["a_user"])
    response = client.post(f"{VENDOR_URL}{b_part.pk}/ship/", {"carrier": "sf", "tracking_number": "SF-EVIL"})
    assert response.status_code == 404
    b_part.refresh_from_db()
    assert (b_part.status, b_part.carrier, b_part.tracking_number) == (VendorOrder.Status.TO_SHIP, "", "")
    mixed_order.refresh_from_db()
    assert mixed_order.status == Order.Status.PAID
    assert not OrderEvent.objects.filter(order=mixed_order, action="vendor_shipped").exists()


def test_vendor_export_contains_only_own_lines(client, shop, mixed_order):
    other = pay_by_transfer(place_order(shop["buyer"], (shop["b_orange"], 1)), shop["admin"])
    client.force_login(shop["a_user"])

    rows = csv_rows(client.get(VENDOR_URL, {"export": "csv"}))
    assert sorted(row["Item"] for row in rows) == ["常山胡柚", "胡柚膏"]
    assert {row["Order number"] for row in rows} == {mixed_order.number}
    assert other.number not in {row["Order number"] for row in rows}
    tangelo = next(row for row in rows if row["Item"] == "常山胡柚")
    assert (tangelo["Quantity"], tangelo["Unit price"], tangelo["Line total"]) == ("2", "39.00", "78.00")
    assert (tangelo["Recipient"], tangelo["Phone"]) == (ADDRESS.recipient, ADDRESS.phone)

    rows = xlsx_rows(client.get(VENDOR_URL, {"export": "xlsx"}))
    assert sorted(row["Item"] for row in rows) == ["常山胡柚", "胡柚膏"]
    assert {row["Vendor"] for row in rows} == {"常山胡柚合作社"}
    assert sum(Decimal(str(row["Line total"])) for row in rows) == Decimal("136.00")


def test_vendor_listing_filters_by_status(client, shop, mixed_order):
    unpaid = place_order(shop["buyer"], (shop["a_paste"], 2))
    services.mark_vendor_order_shipped(
        part_of(mixed_order, shop["a"]), carrier="顺丰", tracking_number="SF1", user=shop["a_user"]
    )
    client.force_login(shop["a_user"])
    numbers = lambda response: {part.order.number for part in response.context["object_list"]}  # noqa: E731
    assert numbers(client.get(VENDOR_URL)) == {mixed_order.number, unpaid.number}
    assert numbers(client.get(VENDOR_URL, {"status": "shipped"})) == {mixed_order.number}
    assert numbers(client.get(VENDOR_URL, {"status": "pending"})) == {unpaid.number}
    assert numbers(client.get(VENDOR_URL, {"status": "to_ship"})) == set()
    # An unpaid part does not show the buyer's address yet.
    html = client.get(f"{VENDOR_URL}{part_of(unpaid, shop['a']).pk}/").content.decode()
    assert ADDRESS.street not in html
    # The results fragment Wagtail's filters load by AJAX.
    assert client.get(VENDOR_URL + "results/", {"status": "shipped"}).status_code == 200


# --- vendors: shipping --------------------------------------------------------------------------------


def test_ship_flow_updates_order_and_emails_buyer(client, shop, mixed_order, django_capture_on_commit_callbacks):
    a_part, b_part = part_of(mixed_order, shop["a"]), part_of(mixed_order, shop["b"])
    client.force_login(shop["a_user"])
    detail = client.get(f"{VENDOR_URL}{a_part.pk}/").content.decode()
    assert 'id="ship-form"' in detail

    # Blank tracking number: the form says so and nothing changes.
    response = client.post(f"{VENDOR_URL}{a_part.pk}/ship/", {"carrier": "sf", "tracking_number": ""})
    assert response.status_code == 200
    a_part.refresh_from_db()
    assert a_part.status == VendorOrder.Status.TO_SHIP

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{VENDOR_URL}{a_part.pk}/ship/", {"carrier": "sf", "tracking_number": "SF1001"})
    assert response.status_code == 302
    a_part.refresh_from_db()
    assert (a_part.status, a_part.carrier, a_part.tracking_number) == (VendorOrder.Status.SHIPPED, "sf", "SF1001")
    mixed_order.refresh_from_db()
    assert mixed_order.status == Order.Status.PARTLY_SHIPPED
    assert [m.to for m in mail.outbox] == [["buyer@example.cn"]]
    assert "SF1001" in mail.outbox[0].body

    # Shipping twice is refused with the service's message.
    response = client.post(f"{VENDOR_URL}{a_part.pk}/ship/", {"carrier": "sf", "tracking_number": "SF1002"})
    assert any("cannot be shipped" in m for m in messages_of(response))
    a_part.refresh_from_db()
    assert a_part.tracking_number == "SF1001"

    client.force_login(shop["b_user"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{VENDOR_URL}{b_part.pk}/ship/", {"carrier": "zto", "tracking_number": "ZT77"})
    mixed_order.refresh_from_db()
    assert mixed_order.status == Order.Status.SHIPPED
    assert len(mail.outbox) == 2


def test_unpaid_part_cannot_be_shipped(client, shop):
    order = place_order(shop["buyer"], (shop["a_paste"], 1))
    part = part_of(order, shop["a"])
    client.force_login(shop["a_user"])
    assert 'id="ship-form"' not in client.get(f"{VENDOR_URL}{part.pk}/").content.decode()
    response = client.post(f"{VENDOR_URL}{part.pk}/ship/", {"carrier": "sf", "tracking_number": "SF9"})
    assert any("cannot be shipped" in m for m in messages_of(response))
    part.refresh_from_db()
    assert part.status == VendorOrder.Status.PENDING


# --- access ---------------------------------------------------------------------------------------------


def test_no_access_for_buyers_and_plain_admin_users(client, shop, mixed_order):
    a_part = part_of(mixed_order, shop["a"])
    client.force_login(shop["buyer"])  # no admin access at all: Wagtail sends them to its login page
    for url in (VENDOR_URL, f"{VENDOR_URL}{a_part.pk}/", STAFF_URL, f"{STAFF_URL}{mixed_order.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url

    editor = staff_user("editor")  # admin access, neither vendor nor order staff: back to the dashboard
    client.force_login(editor)
    for url in (VENDOR_URL, f"{VENDOR_URL}{a_part.pk}/", STAFF_URL, f"{STAFF_URL}{mixed_order.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/", url
    response = client.post(f"{VENDOR_URL}{a_part.pk}/ship/", {"carrier": "x", "tracking_number": "y"})
    assert response["Location"] == "/admin/"
    a_part.refresh_from_db()
    assert a_part.status == VendorOrder.Status.TO_SHIP
    menu = client.get("/admin/").content.decode()
    assert STAFF_URL not in menu and VENDOR_URL not in menu


def test_vendors_cannot_open_staff_pages(client, shop, mixed_order):
    client.force_login(shop["a_user"])
    assert client.get(STAFF_URL)["Location"] == "/admin/"
    assert client.get(f"{STAFF_URL}{mixed_order.pk}/")["Location"] == "/admin/"
    response = client.post(f"{STAFF_URL}{mixed_order.pk}/refund/", {"full": "1"})
    assert response["Location"] == "/admin/"
    mixed_order.refresh_from_db()
    assert mixed_order.status == Order.Status.PAID and not Refund.objects.exists()


def test_menu_items(client, shop):
    client.force_login(shop["a_user"])
    html = client.get("/admin/").content.decode()
    assert VENDOR_URL in html and STAFF_URL not in html
    client.force_login(staff_user("viewer", "view_order"))
    html = client.get("/admin/").content.decode()
    assert STAFF_URL in html and VENDOR_URL not in html


def test_view_permission_alone_cannot_change(client, shop):
    order = place_order(shop["buyer"], (shop["a_paste"], 1))
    client.force_login(staff_user("viewer", "view_order"))
    html = client.get(f"{STAFF_URL}{order.pk}/").content.decode()
    assert order.number in html and 'id="bank-transfer-form"' not in html
    response = client.post(
        f"{STAFF_URL}{order.pk}/bank-transfer/",
        {"amount": "58.00", "received_on": "2025-05-01", "bank_reference": "R1"},
    )
    assert response["Location"] == "/admin/"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT

    clerk = staff_user("clerk", "view_order", "change_order")
    client.force_login(clerk)
    assert 'id="bank-transfer-form"' in client.get(f"{STAFF_URL}{order.pk}/").content.decode()


# --- staff: listing ---------------------------------------------------------------------------------------


def test_staff_filters_and_search(client, shop, mixed_order, stripe_settings):
    canteen = place_order(shop["buyer"], (shop["a_paste"], 2))
    online = place_order(shop["buyer"], (shop["b_orange"], 1), method=PaymentMethod.ALIPAY)
    old = place_order(shop["buyer"], (shop["b_orange"], 2))
    Order.objects.filter(pk=old.pk).update(placed_at=timezone.now() - timedelta(days=40))
    client.force_login(staff_user("viewer", "view_order"))

    def numbers(**params):
        response = client.get(STAFF_URL, params)
        assert response.status_code == 200
        return {order.number for order in response.context["object_list"]}

    everything = {mixed_order.number, canteen.number, online.number, old.number}
    assert numbers() == everything
    assert numbers(status="paid") == {mixed_order.number}
    assert numbers(status="pending_payment") == {canteen.number, online.number, old.number}
    assert numbers(vendor=shop["a"].pk) == {mixed_order.number, canteen.number}
    assert numbers(vendor=shop["b"].pk) == {mixed_order.number, online.number, old.number}
    assert numbers(payment_method="alipay") == {online.number}
    today = timezone.localdate()
    assert numbers(placed_from=(today - timedelta(days=1)).isoformat()) == everything - {old.number}
    assert numbers(placed_to=(today - timedelta(days=30)).isoformat()) == {old.number}
    assert numbers(q=canteen.number) == {canteen.number}
    assert numbers(q=canteen.number[-4:].lower()) == {canteen.number}
    assert numbers(q=canteen.payment_reference) == {canteen.number}
    assert numbers(q=f"BANK-{mixed_order.pk}") == {mixed_order.number}  # the bank's reference of the transfer
    assert numbers(q="NOTHING-LIKE-THIS") == set()
    assert client.get(STAFF_URL + "results/", {"status": "paid"}).status_code == 200


def test_staff_export_follows_filters(client, shop, mixed_order, stripe_settings):
    online = place_order(shop["buyer"], (shop["b_orange"], 1), method=PaymentMethod.ALIPAY)
    client.force_login(staff_user("viewer", "view_order"))
    rows = csv_rows(client.get(STAFF_URL, {"export": "csv"}))
    assert len(rows) == 4 and {row["Order number"] for row in rows} == {mixed_order.number, online.number}

    rows = csv_rows(client.get(STAFF_URL, {"export": "csv", "status": "paid"}))
    assert sorted(row["Item"] for row in rows) == ["常山胡柚", "柯城椪柑", "胡柚膏"]
    assert {row["Order total"] for row in rows} == {"211.00"}

    rows = xlsx_rows(client.get(STAFF_URL, {"export": "xlsx", "vendor": shop["b"].pk}))
    assert {(row["Order number"], row["Item"]) for row in rows} == {
        (mixed_order.number, "柯城椪柑"),
        (online.number, "柯城椪柑"),
    }
    assert {row["Payment method"] for row in rows} == {"Bank transfer (对公转账)", "Alipay"}


def test_export_neutralises_formulas(client, shop):
    evil = Address('=HYPERLINK("http://x")', "+8613900139000", "浙江省", "宁波市", "鄞州区", "@SUM(1)")
    order = pay_by_transfer(place_order(shop["buyer"], (shop["a_paste"], 1), address=evil), shop["admin"])
    client.force_login(shop["a_user"])
    [row] = csv_rows(client.get(VENDOR_URL, {"export": "csv"}))
    assert row["Order number"] == order.number
    assert row["Recipient"].startswith("'=") and row["Phone"].startswith("'+")
    [row] = xlsx_rows(client.get(VENDOR_URL, {"export": "xlsx"}))
    assert row["Recipient"] == '\'=HYPERLINK("http://x")'


# --- staff: detail and actions ------------------------------------------------------------------------------


def test_staff_detail_shows_parts_payments_and_history(client, shop, mixed_order):
    services.mark_vendor_order_shipped(
        part_of(mixed_order, shop["a"]), carrier="顺丰", tracking_number="SF55", user=shop["a_user"]
    )
    client.force_login(shop["admin"])
    response = client.get(f"{STAFF_URL}{mixed_order.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("常山胡柚合作社", "柯城橘子农场", "柯城椪柑", "SF55", f"BANK-{mixed_order.pk}", ADDRESS.recipient):
        assert text in html, text
    actions = [row["event"].action for row in response.context["events"]]
    assert actions[:3] == ["placed", "bank_transfer_recorded", "paid"] and "vendor_shipped" in actions
    assert 'id="refund-form"' in html and 'id="cancel-form"' not in html


def test_bank_transfer_wrong_amount_then_right_amount(client, shop):
    order = place_order(shop["buyer"], (shop["a_paste"], 2))
    client.force_login(shop["admin"])
    url = f"{STAFF_URL}{order.pk}/bank-transfer/"
    response = client.post(url, {"amount": "100.00", "received_on": "2025-05-01", "bank_reference": "ICBC-1"})
    assert response.status_code == 200
    assert any("does not match the order total" in m for m in messages_of(response))
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT and not order.payments.exists()

    response = client.post(url, {"amount": "not money", "received_on": "2025-05-01", "bank_reference": "ICBC-1"})
    assert response.status_code == 200 and response.context["bank_transfer_form"].errors
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT

    response = client.post(url, {"amount": "116.00", "received_on": "2025-05-01", "bank_reference": "ICBC-2"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    payment = order.payments.get()
    assert (payment.amount, payment.bank_reference, str(payment.received_on)) == (
        Decimal("116.00"),
        "ICBC-2",
        "2025-05-01",
    )
    assert payment.recorded_by == shop["admin"]
    assert set(order.vendor_orders.values_list("status", flat=True)) == {VendorOrder.Status.TO_SHIP}


def test_refund_per_line_returns_stock(client, shop, mixed_order):
    client.force_login(shop["admin"])
    lines = {line.name: line for line in mixed_order.lines.all()}
    tangelo, orange = lines["常山胡柚"], lines["柯城椪柑"]
    assert stock(shop["a_tangelo"]) == 48 and stock(shop["b_orange"]) == 77
    url = f"{STAFF_URL}{mixed_order.pk}/refund/"

    response = client.post(url, {f"line_{tangelo.pk}": "3", "reason": "too many"})  # only 2 bought
    assert response.status_code == 200 and response.context["refund_form"].errors
    assert stock(shop["a_tangelo"]) == 48 and not Refund.objects.exists()

    response = client.post(url, {f"line_{tangelo.pk}": "1", f"line_{orange.pk}": "2", "reason": "破损"})
    assert response.status_code == 302
    assert stock(shop["a_tangelo"]) == 49 and stock(shop["b_orange"]) == 79 and stock(shop["a_paste"]) == 19
    mixed_order.refresh_from_db()
    assert mixed_order.refunded_total == Decimal("89.00")  # 39 + 2 × 25
    assert mixed_order.status == Order.Status.PAID
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason, refund.created_by) == (Decimal("89.00"), "破损", shop["admin"])

    response = client.post(url, {"reason": "nothing chosen"})
    assert any("Choose what to refund" in m for m in messages_of(response))
    assert Refund.objects.count() == 1

    response = client.post(url, {"full": "1", "reason": "buyer gave up"})
    assert response.status_code == 302
    mixed_order.refresh_from_db()
    assert mixed_order.status == Order.Status.REFUNDED and mixed_order.refunded_total == mixed_order.total
    assert stock(shop["a_tangelo"]) == 50 and stock(shop["b_orange"]) == 80 and stock(shop["a_paste"]) == 20


def test_staff_cancels_unpaid_order(client, shop):
    order = place_order(shop["buyer"], (shop["a_paste"], 4))
    assert stock(shop["a_paste"]) == 16
    client.force_login(shop["admin"])
    response = client.post(f"{STAFF_URL}{order.pk}/cancel/", {"reason": "duplicate order"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and stock(shop["a_paste"]) == 20
    assert order.events.get(action="cancelled").note == "duplicate order"

    response = client.post(f"{STAFF_URL}{order.pk}/cancel/", {"reason": "again"})
    assert any("can no longer be cancelled" in m for m in messages_of(response))
    assert stock(shop["a_paste"]) == 20


def test_staff_cannot_cancel_paid_order(client, shop, mixed_order):
    client.force_login(shop["admin"])
    response = client.post(f"{STAFF_URL}{mixed_order.pk}/cancel/", {"reason": "oops"})
    assert any("ask for a refund" in m for m in messages_of(response))
    mixed_order.refresh_from_db()
    assert mixed_order.status == Order.Status.PAID


def test_mark_completed(client, shop, mixed_order):
    client.force_login(shop["admin"])
    url = f"{STAFF_URL}{mixed_order.pk}/complete/"
    response = client.post(url)
    assert any("Only a shipped order" in m for m in messages_of(response))
    for vendor in (shop["a"], shop["b"]):
        services.mark_vendor_order_shipped(
            part_of(mixed_order, vendor), carrier="顺丰", tracking_number="SF", user=None
        )
    assert 'id="complete-form"' in client.get(f"{STAFF_URL}{mixed_order.pk}/").content.decode()
    assert client.post(url).status_code == 302
    mixed_order.refresh_from_db()
    assert mixed_order.status == Order.Status.COMPLETED
    assert set(mixed_order.vendor_orders.values_list("status", flat=True)) == {VendorOrder.Status.DELIVERED}
