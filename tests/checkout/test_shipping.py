"""Shipping fees (运费模板) and delivery confirmation (确认收货), tested on the services directly."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from cms.errors import DomainError
from cms.sms import outbox as sms_outbox
from marketplace.checkout import services, shipping
from marketplace.checkout.models import Order, OrderEvent, PaymentMethod, ShippingRegion, ShippingRule, VendorOrder
from marketplace.checkout.services import Address, LineRequest
from tests.factories import ADDRESS, place_order, stock
from tests.factories.checkout import part_of

pytestmark = pytest.mark.django_db

HANGZHOU = ADDRESS
URUMQI = Address("李四", "13900139000", "新疆维吾尔自治区", "乌鲁木齐市", "天山区", "解放北路 2 号")
LHASA = Address("王五", "13700137000", "西藏自治区", "拉萨市", "城关区", "北京中路 3 号")


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.cn", "pw")


@pytest.fixture
def shop(make_vendor, make_product, changshan, kecheng):
    coop = make_vendor("常山胡柚合作社", changshan, contact_email="coop@example.cn")
    shao = make_vendor("邵永丰食品", kecheng)
    rule = ShippingRule.objects.create(
        vendor=coop,
        charge_by=ShippingRule.ChargeBy.COUNT,
        first_units=Decimal("1"),
        first_fee=Decimal("10.00"),
        additional_units=Decimal("1"),
        additional_fee=Decimal("5.00"),
        free_above=Decimal("200.00"),
        excluded_provinces=["西藏自治区"],
    )
    ShippingRegion.objects.create(
        rule=rule, provinces=["新疆维吾尔自治区"], first_fee=Decimal("25.00"), additional_fee=Decimal("15.00")
    )
    ShippingRule.objects.create(vendor=shao, charge_by=ShippingRule.ChargeBy.FLAT, first_fee=Decimal("8.00"))
    return {
        "coop": coop,
        "shao": shao,
        "rule": rule,
        "tangelo": make_product(coop, "常山胡柚", "30.00", stock=50),
        "jar": make_product(coop, "胡柚膏", "40.00", stock=50, category="processed"),
        "cake": make_product(shao, "邵永丰麻饼", "20.00", stock=50, category="snacks"),
    }


def place(buyer, *lines, address=HANGZHOU, method=PaymentMethod.BANK_TRANSFER):
    return place_order(buyer, *lines, method=method, address=address)


def pay(order, staff):
    services.record_bank_transfer(
        order, amount=order.total, received_on=timezone.localdate(), bank_reference=f"B{order.pk}", user=staff
    )
    order.refresh_from_db()
    return order


# -- fees ------------------------------------------------------------------------------------------------


def test_fee_by_count_first_and_additional_items(buyer, shop):
    order = place(buyer, (shop["tangelo"], 3))  # 90.00: 10 + 2 × 5
    assert part_of(order, shop["coop"]).shipping_fee == Decimal("20.00")
    assert order.total == Decimal("110.00")


def test_region_fees_replace_the_rules_own(buyer, shop):
    order = place(buyer, (shop["tangelo"], 2), address=URUMQI)  # 25 + 15
    assert part_of(order, shop["coop"]).shipping_fee == Decimal("40.00")


def test_province_as_typed_finds_its_region():
    assert shipping.canonical_province("新疆") == "新疆维吾尔自治区"
    assert shipping.canonical_province(" 浙江 ") == "浙江省"
    assert shipping.canonical_province("浙江省") == "浙江省"


def test_fee_by_weight(buyer, shop, make_product):
    shop["rule"].charge_by = ShippingRule.ChargeBy.WEIGHT
    shop["rule"].first_fee, shop["rule"].additional_fee = Decimal("8.00"), Decimal("4.00")
    shop["rule"].save()
    # 5 斤 = 2.5 kg: first kg 8, then 1.5 kg → 2 steps of 4.
    order = place(buyer, (shop["tangelo"], 5))
    assert part_of(order, shop["coop"]).shipping_fee == Decimal("16.00")
    heavy = make_product(shop["coop"], "胡柚礼盒", "50.00", stock=10, unit="盒", shipping_weight=Decimal("3"))
    order = place(buyer, (heavy, 1))  # 3 kg: 8 + 2 × 4
    assert part_of(order, shop["coop"]).shipping_fee == Decimal("16.00")


def test_flat_fee_and_one_fee_per_vendor_part(buyer, shop):
    order = place(buyer, (shop["tangelo"], 1), (shop["cake"], 4))
    assert part_of(order, shop["shao"]).shipping_fee == Decimal("8.00")
    assert part_of(order, shop["coop"]).shipping_fee == Decimal("10.00")
    assert order.total == Decimal("30.00") + Decimal("80.00") + Decimal("18.00")
    assert OrderEvent.objects.get(order=order, action="placed").data["shipping"] == "18.00"


def test_free_shipping_threshold_counts_the_parts_goods(buyer, shop):
    order = place(buyer, (shop["tangelo"], 5), (shop["jar"], 2))  # 150 + 80 ≥ 200
    assert part_of(order, shop["coop"]).shipping_fee == Decimal("0.00")
    order = place(buyer, (shop["tangelo"], 6))  # 180 < 200
    assert part_of(order, shop["coop"]).shipping_fee == Decimal("35.00")


def test_product_free_shipping_and_surcharge_override(buyer, shop, make_product):
    free = make_product(shop["coop"], "胡柚干", "15.00", stock=10, shipping="free")
    order = place(buyer, (free, 3))
    assert part_of(order, shop["coop"]).shipping_fee == Decimal("0.00")
    order = place(buyer, (free, 1), (shop["tangelo"], 1))  # only the tangelo is charged: first item
    assert part_of(order, shop["coop"]).shipping_fee == Decimal("10.00")
    cold = make_product(
        shop["coop"], "冰鲜胡柚汁", "120.00", stock=10, shipping="surcharge", shipping_surcharge=Decimal("6.00")
    )
    # 240 is above the threshold, but the cold-chain surcharge is per unit and always charged.
    order = place(buyer, (cold, 2))
    assert part_of(order, shop["coop"]).shipping_fee == Decimal("12.00")


def test_a_vendor_without_rules_ships_free(buyer, shop, make_vendor, make_product, changshan):
    farm = make_vendor("江山蜂蜜", changshan)
    honey = make_product(farm, "蜂蜜", "60.00", stock=10)
    order = place(buyer, (honey, 2), address=LHASA)
    assert part_of(order, farm).shipping_fee == Decimal("0.00") and order.total == Decimal("120.00")


def test_a_region_not_delivered_to_is_refused_and_nothing_changes(buyer, shop):
    with pytest.raises(DomainError) as refused:
        place(buyer, (shop["tangelo"], 2), (shop["cake"], 1), address=LHASA)
    assert refused.value.code == "not_delivered" and refused.value.field == "address"
    assert "常山胡柚合作社" in refused.value.message and "西藏自治区" in refused.value.message
    assert not Order.objects.exists()
    assert stock(shop["tangelo"]) == 50 and stock(shop["cake"]) == 50


def test_the_refusal_is_translated(buyer, shop):
    from django.utils import translation

    with translation.override("en"), pytest.raises(DomainError) as refused:
        place(buyer, (shop["tangelo"], 1), address=LHASA)
    assert "does not deliver to 西藏自治区" in refused.value.message
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        place(buyer, (shop["tangelo"], 1), address=LHASA)
    assert "不配送" in refused.value.message


def test_quote_without_address_charges_nothing(shop):
    quotes = shipping.quote([(shop["coop"], [(shop["tangelo"], 3, Decimal("90.00"))])], None)
    assert quotes[0].fee == 0 and quotes[0].delivers


def test_quote_says_how_much_more_ships_free(shop):
    [quote] = shipping.quote([(shop["coop"], [(shop["tangelo"], 3, Decimal("90.00"))])], HANGZHOU)
    assert quote.fee == Decimal("20.00") and quote.short_of_free == Decimal("110.00")


def test_stripe_amount_includes_shipping(buyer, shop):
    order = place(buyer, (shop["tangelo"], 3), method=PaymentMethod.BANK_TRANSFER)
    assert order.amount_fen == 11000  # 90 + 20 shipping, in fen


# -- canteen delivery terms ---------------------------------------------------------------------------------


def make_unit(name):
    from tests.fixtures.canteen import make_unit_with_members

    return make_unit_with_members(name, threshold="100000.00")


def test_canteen_orders_use_the_canteen_delivery_terms(shop):
    from marketplace.canteen import services as canteen

    rule = shop["rule"]
    rule.canteen_free_area, rule.canteen_fee = "衢州市", Decimal("50.00")
    rule.save()
    unit = make_unit("省机关事务管理局")
    address = unit.addresses.get()  # 杭州市: outside the free area
    delivery = canteen.Delivery(address=address, date=timezone.localdate() + timedelta(days=3))
    order = canteen.place_unit_order(
        user=unit.users["buyer"], unit=unit, lines=[LineRequest(shop["tangelo"].pk, 3)], delivery=delivery
    )
    assert part_of(order, shop["coop"]).shipping_fee == Decimal("50.00")
    assert order.total == Decimal("140.00")
    rule.canteen_free_area = "杭州市、衢州市"
    rule.save()
    order = canteen.place_unit_order(
        user=unit.users["buyer"], unit=unit, lines=[LineRequest(shop["tangelo"].pk, 3)], delivery=delivery
    )
    assert part_of(order, shop["coop"]).shipping_fee == Decimal("0.00")


# -- refunds ------------------------------------------------------------------------------------------------


def test_refunding_a_whole_part_includes_its_shipping(buyer, staff, shop):
    order = pay(place(buyer, (shop["tangelo"], 3), (shop["cake"], 1)), staff)  # coop 90 + 20, shao 20 + 8
    tangelo = order.lines.get(product=shop["tangelo"])
    services.refund(order, user=staff, lines={tangelo.pk: 3})
    order.refresh_from_db()
    part = part_of(order, shop["coop"])
    assert order.refunded_total == Decimal("110.00")
    assert part.shipping_refunded == Decimal("20.00") and part.status == VendorOrder.Status.CANCELLED
    assert part_of(order, shop["shao"]).shipping_refunded == 0


def test_line_refunds_keep_the_shipping_unless_staff_choose(buyer, staff, shop):
    order = pay(place(buyer, (shop["tangelo"], 3)), staff)  # 90 + 20
    line = order.lines.get()
    services.refund(order, user=staff, lines={line.pk: 1})
    order.refresh_from_db()
    assert order.refunded_total == Decimal("30.00") and part_of(order, shop["coop"]).shipping_refunded == 0
    services.refund(order, user=staff, lines={line.pk: 1}, refund_shipping=True)
    order.refresh_from_db()
    assert order.refunded_total == Decimal("80.00") and part_of(order, shop["coop"]).shipping_refunded == 20
    # The last item: the part is whole now, its shipping was already given back; never more than was paid.
    services.refund(order, user=staff, lines={line.pk: 1})
    order.refresh_from_db()
    assert order.refunded_total == order.total == Decimal("110.00")
    assert order.status == Order.Status.REFUNDED


def test_a_full_refund_gives_back_everything_paid(buyer, staff, shop):
    order = pay(place(buyer, (shop["tangelo"], 3), (shop["cake"], 1)), staff)
    services.refund(order, user=staff)
    order.refresh_from_db()
    assert order.refunded_total == order.total == Decimal("138.00")
    assert {p.shipping_refunded for p in order.vendor_orders.all()} == {Decimal("20.00"), Decimal("8.00")}


# -- confirming receipt (确认收货) ------------------------------------------------------------------------------


def ship(order, vendor, staff, when=None):
    part = services.mark_vendor_order_shipped(
        part_of(order, vendor), carrier="顺丰速运", tracking_number="SF1", user=staff
    )
    if when is not None:
        VendorOrder.objects.filter(pk=part.pk).update(shipped_at=when)
    return part


def test_buyer_confirms_each_part_and_the_order_completes(buyer, staff, shop, django_capture_on_commit_callbacks):
    order = pay(place(buyer, (shop["tangelo"], 1), (shop["cake"], 1)), staff)
    with pytest.raises(DomainError) as refused:
        services.confirm_delivery(part_of(order, shop["coop"]), user=buyer)
    assert refused.value.code == "not_shipped"
    ship(order, shop["coop"], staff)
    ship(order, shop["shao"], staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        part = services.confirm_delivery(part_of(order, shop["coop"]), user=buyer)
    assert part.status == VendorOrder.Status.DELIVERED and part.received_by == buyer and part.received_at
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    assert OrderEvent.objects.filter(order=order, action="delivery_confirmed", user=buyer).exists()
    # The vendor hears of it.
    assert any("coop@example.cn" in m.to for m in mail.outbox)
    with pytest.raises(DomainError) as again:
        services.confirm_delivery(part_of(order, shop["coop"]), user=buyer)
    assert again.value.code == "invalid_state"
    services.confirm_delivery(part_of(order, shop["shao"]), user=buyer)
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert OrderEvent.objects.filter(order=order, action="completed").exists()


def test_someone_else_cannot_confirm(buyer, staff, shop, django_user_model):
    order = pay(place(buyer, (shop["tangelo"], 1)), staff)
    ship(order, shop["coop"], staff)
    stranger = django_user_model.objects.create_user("stranger", "s@example.cn", "pw")
    with pytest.raises(DomainError) as refused:
        services.confirm_delivery(part_of(order, shop["coop"]), user=stranger)
    assert refused.value.code == "forbidden"
    assert part_of(order, shop["coop"]).status == VendorOrder.Status.SHIPPED


def test_a_refunded_part_and_a_confirmed_one_complete_the_order(buyer, staff, shop):
    order = pay(place(buyer, (shop["tangelo"], 1), (shop["cake"], 1)), staff)
    ship(order, shop["coop"], staff)
    services.refund(order, user=staff, lines={order.lines.get(product=shop["cake"]).pk: 1})
    services.confirm_delivery(part_of(order, shop["coop"]), user=buyer)
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED


def test_unconfirmed_parts_are_confirmed_automatically_after_the_days(buyer, staff, shop, settings):
    settings.ORDER_AUTO_CONFIRM_DAYS = 10
    now = timezone.now()
    order = pay(place(buyer, (shop["tangelo"], 1), (shop["cake"], 1)), staff)
    ship(order, shop["coop"], staff, when=now - timedelta(days=11))
    ship(order, shop["shao"], staff, when=now - timedelta(days=9))
    assert services.auto_confirm_deliveries(now) == [(order.number, "常山胡柚合作社")]
    coop = part_of(order, shop["coop"])
    assert coop.status == VendorOrder.Status.DELIVERED and coop.received_by is None
    assert OrderEvent.objects.filter(order=order, action="auto_confirmed", user=None).exists()
    assert services.auto_confirm_deliveries(now) == []  # once
    assert services.auto_confirm_deliveries(now + timedelta(days=2)) == [(order.number, "邵永丰食品")]
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED


def test_the_expiry_command_auto_confirms(buyer, staff, shop):
    from io import StringIO

    from django.core.management import call_command

    order = pay(place(buyer, (shop["tangelo"], 1)), staff)
    ship(order, shop["coop"], staff, when=timezone.now() - timedelta(days=30))
    out = StringIO()
    call_command("expire_orders", stdout=out)
    assert order.number in out.getvalue()
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED


def test_canteen_parts_keep_their_inspection(shop, staff):
    from marketplace.canteen import services as canteen

    unit = make_unit("区教育局食堂")
    order = canteen.place_unit_order(
        user=unit.users["buyer"],
        unit=unit,
        lines=[LineRequest(shop["tangelo"].pk, 1)],
        delivery=canteen.Delivery(address=unit.addresses.get(), date=timezone.localdate() + timedelta(days=3)),
    )
    order = pay(order, staff)
    part = ship(order, shop["coop"], staff, when=timezone.now() - timedelta(days=30))
    with pytest.raises(DomainError) as refused:
        services.confirm_delivery(part, user=unit.users["buyer"])
    assert refused.value.code in ("use_inspection", "forbidden")
    assert services.auto_confirm_deliveries() == []
    assert part_of(order, shop["coop"]).status == VendorOrder.Status.SHIPPED


def test_vendor_hears_by_sms_when_it_has_only_a_phone(buyer, staff, shop, django_capture_on_commit_callbacks):
    order = pay(place(buyer, (shop["cake"], 1)), staff)
    shop["shao"].contact_phone = "13600136000"
    shop["shao"].save()
    ship(order, shop["shao"], staff)
    sms_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_delivery(part_of(order, shop["shao"]), user=buyer)
    assert any(m.template == "vendor_delivery_confirmed" for m in sms_outbox)


def test_canteen_delivery_fee_is_in_the_statement_and_the_share_but_not_produce(shop, staff):
    from marketplace.canteen import services as canteen

    rule = shop["rule"]
    rule.canteen_free_area, rule.canteen_fee = "衢州市", Decimal("50.00")
    rule.save()
    unit = make_unit("市机关食堂")
    order = canteen.place_unit_order(
        user=unit.users["buyer"],
        unit=unit,
        lines=[LineRequest(shop["tangelo"].pk, 3)],
        delivery=canteen.Delivery(address=unit.addresses.get(), date=timezone.localdate() + timedelta(days=3)),
    )
    order = pay(order, staff)
    placed = timezone.localtime(order.placed_at)
    statement = canteen.statement(unit, placed.year, placed.month)
    [row] = statement["rows"]
    assert row["amount"] == Decimal("140.00") and row["shipping"] == Decimal("50.00")
    share = canteen.compute_share(placed.year, unit)
    assert share.spend == Decimal("140.00") and share.freight == Decimal("50.00")
    assert share.mountain + share.other == Decimal("90.00")
    assert sum(c["amount"] for c in share.counties) == Decimal("90.00")  # freight belongs to no county
    month = share.months[placed.month - 1]
    assert month["freight"] == Decimal("50.00") and month["spend"] == Decimal("140.00")
    # Refunding the whole part takes its delivery fee off the share too.
    services.refund(order, user=staff)
    assert canteen.compute_share(placed.year, unit).freight == 0


@pytest.mark.parametrize("address", [HANGZHOU, URUMQI], ids=["rule", "region"])
def test_the_cart_prices_lines_and_shipping_exactly_as_the_order_is_placed(buyer, shop, make_product, address):
    """The cart and checkout pages and place_order price with the same functions (services.products_for_order,
    price_for, line_total, shipping.quote): what the page shows is, to the fen, what the order costs."""
    from marketplace.checkout.cart import Cart

    odd = make_product(shop["coop"], "胡柚片", "3.33", stock=500, tiers=[(10, "2.97"), (30, "2.71")])
    heavy = make_product(shop["shao"], "麻饼礼盒", "19.99", stock=500, shipping="surcharge", shipping_surcharge="1.5")
    cart = Cart(user=buyer)
    cart.add(odd, 13)
    cart.add(shop["tangelo"], 3)
    cart.add(heavy, 7)
    cart.quote_shipping(address)
    shown = {
        "total": cart.grand_total,
        "lines": {line.product_id: (line.unit_price, line.line_total) for line in cart.lines},
        "parts": {group.vendor.pk: (group.subtotal, group.shipping.fee) for group in cart.groups},
    }
    assert all(fee > 0 for _subtotal, fee in shown["parts"].values())
    assert shown["lines"][odd.pk] == (Decimal("2.97"), Decimal("38.61"))

    order = services.place_order(
        buyer=buyer, lines=cart.line_requests(), payment_method=PaymentMethod.BANK_TRANSFER, address=address
    )

    assert order.total == shown["total"]
    assert {line.product_id: (line.unit_price, line.line_total) for line in order.lines.all()} == shown["lines"]
    assert {part.vendor_id: (part.subtotal, part.shipping_fee) for part in order.vendor_orders.all()} == shown["parts"]
