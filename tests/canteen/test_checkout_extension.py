"""canteen plugs into checkout through checkout.extensions (CanteenOrders, registered in CanteenConfig.ready());
checkout never imports canteen. What canteen adds shows for a unit's people and orders only, and checkout works
without it."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse

from cms.notify import user_recipient
from marketplace.canteen.extension import CanteenOrders
from marketplace.canteen.models import UnitMember
from marketplace.checkout import extensions
from marketplace.checkout.models import CartItem
from marketplace.checkout.notifications import order_path
from tests.factories import make_user, make_vendor_user, place_order, place_unit_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def canteen():
    (extension,) = [e for e in extensions.registered() if isinstance(e, CanteenOrders)]
    return extension


@pytest.fixture
def without_canteen(canteen):
    extensions.unregister(canteen)
    yield
    extensions.register(canteen)


@pytest.fixture
def public_buyer():
    return make_user("public-buyer", email="public@example.com")


def with_cart(client, user, product, quantity=10):
    CartItem.objects.create(user=user, product=product, quantity=quantity, unit_price_seen=product.price_for(quantity))
    client.force_login(user)
    return client


def test_canteen_registers_itself_once():
    apps.get_app_config("canteen").ready()  # ready() may run again (tests, reloads): still one
    assert [type(extension) for extension in extensions.registered()] == [CanteenOrders]


def test_a_unit_buyer_is_offered_the_unit_and_a_public_buyer_is_not(client, unit_a, goods, public_buyer):
    buyer = unit_a.users["buyer"]
    (choice,) = extensions.order_for_choices(buyer)
    assert (choice.value, choice.name, choice.url) == (
        str(unit_a.pk),
        unit_a.name,
        reverse("canteen_checkout", kwargs={"pk": unit_a.pk}),
    )
    assert extensions.order_for_choices(public_buyer) == []

    unit_page = with_cart(client, buyer, goods["huyou"]).get(reverse("checkout"))
    assert unit_page.templates[0].name == "marketplace/checkout/order_for.html"
    assert unit_a.name in unit_page.content.decode()
    public_page = with_cart(client, public_buyer, goods["xihu"]).get(reverse("checkout"))
    assert public_page.templates[0].name == "marketplace/checkout/checkout.html"
    assert 'name="order_for"' not in public_page.content.decode()


def test_the_account_page_shows_units_to_members_only(client, unit_a, public_buyer):
    client.force_login(unit_a.users["finance"])
    member = client.get(reverse("account"))
    (section,) = member.context["account_sections"]
    assert "account-units" in section and unit_a.name in section and section in member.content.decode()
    client.force_login(public_buyer)
    public = client.get(reverse("account"))
    assert public.context["account_sections"] == [] and "account-units" not in public.content.decode()


def test_a_unit_order_is_seen_on_the_units_order_page(unit_a, goods, public_buyer):
    unit_order = place_unit_order(unit_a, (goods["huyou"], 10))
    public_order = place_order(public_buyer, (goods["xihu"], 1))
    assert order_path(unit_order) == reverse("canteen_order", args=[unit_order.number])
    assert order_path(public_order) == reverse("order_detail", args=[public_order.number])


def test_approval_notices_go_to_the_units_active_approvers_only_for_unit_orders(unit_a, goods, public_buyer):
    buyer = unit_a.users["buyer"]
    # The buyer approving too is not asked about their own order; a deactivated approver is not asked at all.
    UnitMember.objects.create(unit=unit_a, user=buyer, role=UnitMember.Role.APPROVER)
    gone = make_user("a-gone-approver", email="gone@example.com", is_active=False)
    UnitMember.objects.create(unit=unit_a, user=gone, role=UnitMember.Role.APPROVER)
    unit_order = place_unit_order(unit_a, (goods["huyou"], 50))
    public_order = place_order(public_buyer, (goods["xihu"], 1))

    assert extensions.notice_recipients(unit_order, "approval_requested") == [user_recipient(unit_a.users["approver"])]
    for kind in ("placed", "awaiting_approval", "paid", "vendor_new_order"):
        assert extensions.notice_recipients(unit_order, kind) == []
    assert extensions.notice_recipients(public_order, "approval_requested") == []


def test_the_invoice_form_is_on_a_unit_orders_part_only(client, unit_a, goods, public_buyer):
    unit_part = place_unit_order(unit_a, (goods["xihu"], 10)).vendor_orders.get()
    public_part = place_order(public_buyer, (goods["xihu"], 1)).vendor_orders.get()
    client.force_login(make_vendor_user(unit_part.vendor, "xihu-seller"))
    unit_page = client.get(reverse("vendor_orders:detail", args=[unit_part.pk]))
    assert 'id="invoice-form"' in unit_page.content.decode()
    public_page = client.get(reverse("vendor_orders:detail", args=[public_part.pk]))
    assert public_page.status_code == 200
    assert "invoice_form" not in public_page.context and 'id="invoice-form"' not in public_page.content.decode()
    refused = client.post(
        reverse("vendor_orders:invoice", args=[public_part.pk]), {"number": "1", "date": "2026-03-02"}
    )
    assert refused.status_code in (302, 403)  # Wagtail's admin answers a refusal with a redirect and a message
    public_part.refresh_from_db()
    assert (public_part.invoice_state, public_part.invoice_number) == ("", "")


def vendor_part_page(client, part):
    client.force_login(make_vendor_user(part.vendor, f"seller-{part.pk}"))
    response = client.get(reverse("vendor_orders:detail", args=[part.pk]))
    assert response.status_code == 200
    return response.content.decode()


def summary(page):
    return page.split('id="vendor-order-summary"')[1].split("</section>")[0]


def test_the_unit_facts_and_the_invoice_section_come_from_canteens_templates(client, unit_a, goods, public_buyer):
    unit_order = place_unit_order(unit_a, (goods["xihu"], 10), purchase_order_number="PO-7")
    unit_page = vendor_part_page(client, unit_order.vendor_orders.get())
    unit_summary = summary(unit_page)
    assert unit_order.invoice_snapshot["unit"] in unit_summary and "PO-7" in unit_summary
    assert unit_order.canteen_name in unit_summary and unit_order.invoice_snapshot["taxpayer_id"] in unit_summary
    assert 'id="vendor-order-invoice"' in unit_page and 'id="invoice-form"' in unit_page
    # A public order's part: none of canteen's three facts (unit, delivery, invoice), though canteen is registered.
    public_page = vendor_part_page(client, place_order(public_buyer, (goods["xihu"], 1)).vendor_orders.get())
    assert summary(public_page).count("<dt>") == unit_summary.count("<dt>") - 3
    assert 'id="vendor-order-invoice"' not in public_page


def test_a_bound_invoice_form_is_shown_again_in_canteens_section(client, unit_a, goods):
    part = place_unit_order(unit_a, (goods["xihu"], 10)).vendor_orders.get()
    vendor_part_page(client, part)
    response = client.post(reverse("vendor_orders:invoice", args=[part.pk]), {"number": "", "date": "2026-03-02"})
    assert response.status_code == 200
    section = response.content.decode().split('id="vendor-order-invoice"')[1].split("</section>")[0]
    assert 'id="invoice-form"' in section and "w-field__errors" in section and 'value="2026-03-02"' in section


def test_checkouts_vendor_part_template_holds_no_canteen_markup():
    source = Path(get_template("marketplace/admin/orders/vendor_detail.html").origin.name).read_text()
    for word in ("canteen", "invoice", "buyer_unit", "inspection", "approved"):
        assert word not in source.lower(), word


def test_the_one_foreign_key_and_the_delivery_terms_are_all_checkout_knows_of_canteen():
    """Checkout's models keep one string foreign key into canteen and the canteen delivery terms (README, "Where
    things live", says why): a new one fails here until that section is updated."""
    keys, canteen_fields = set(), set()
    for model in apps.get_app_config("checkout").get_models():
        for field in model._meta.get_fields():
            if field.auto_created:
                continue  # canteen's keys into checkout, seen from checkout's side
            if field.is_relation and field.related_model._meta.app_label == "canteen":
                keys.add(f"{model.__name__}.{field.name}")
            if "canteen" in field.name:
                canteen_fields.add(f"{model.__name__}.{field.name}")
    assert keys == {"Order.buyer_unit"}
    assert canteen_fields == {"Order.canteen_name", "ShippingRule.canteen_free_area", "ShippingRule.canteen_fee"}
    # …and no other string reference to canteen in checkout's code (the foreign key's is the one).
    checkout = Path(settings.BASE_DIR) / "marketplace" / "checkout"
    mentions = [
        f"{path.relative_to(checkout)}:{number}"
        for path in checkout.rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if '"canteen.' in line or "'canteen." in line or 'get_model("canteen"' in line
    ]
    assert len(mentions) == 1 and mentions[0].startswith("models.py:"), mentions


def test_checkout_works_without_canteen(client, unit_a, goods, without_canteen):
    buyer = unit_a.users["buyer"]
    order = place_unit_order(unit_a, (goods["huyou"], 50))
    assert order_path(order) == reverse("order_detail", args=[order.number])
    assert extensions.notice_recipients(order, "approval_requested") == []
    # The unit's buyer checks out as anyone else, and the account page has no unit section.
    page = with_cart(client, buyer, goods["xihu"]).get(reverse("checkout"))
    assert page.templates[0].name == "marketplace/checkout/checkout.html"
    account = client.get(reverse("account"))
    assert account.context["account_sections"] == [] and "account-units" not in account.content.decode()
    # The vendor's page of the unit order's part: checkout's own, nothing of the unit, no invoice form.
    page = vendor_part_page(client, order.vendor_orders.get())
    assert 'id="vendor-order-summary"' in page and 'id="vendor-order-lines"' in page
    assert 'id="vendor-order-invoice"' not in page and unit_a.name not in summary(page) and "<dt>" in summary(page)
    assert order.canteen_name not in summary(page)
