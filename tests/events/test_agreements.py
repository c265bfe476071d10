"""Purchase agreements (签约, #17): recording by each party and the organiser, the checks, the signed document kept
private, cancelling, ordering against a canteen unit's agreement with progress, and the 消费帮扶 share counting
those orders once."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from wagtail.models import PageLogEntry

from cms.errors import DomainError
from events.agreements import services as agreements
from events.agreements.models import AgreementOrder, PurchaseAgreement
from marketplace.canteen import services as canteen
from marketplace.checkout import services as checkout
from tests.factories.canteen import set_budget
from tests.factories.checkout import lines, pay_by_transfer

pytestmark = pytest.mark.django_db
D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def setup(fair, vendor_user, make_product, unit_a, organiser):
    vendor, member = vendor_user()
    huyou = make_product(vendor, "常山胡柚", "8.00", stock=1000)
    return {"fair": fair, "vendor": vendor, "member": member, "huyou": huyou, "unit": unit_a, "organiser": organiser}


def request_for(setup, *, unit=True, **changes):
    today = timezone.localdate()
    values = {
        "vendor": setup["vendor"],
        "buyer_unit": setup["unit"] if unit else None,
        "buyer_name": "" if unit else "衢州鲜果贸易有限公司",
        "lines": [
            agreements.LineRequest(product_id=setup["huyou"].pk, quantity="500", unit_price="8.00"),
            agreements.LineRequest(item_name="胡柚膏", quantity="20", unit="瓶", unit_price="45.50", amount="910.00"),
        ],
        "delivery_from": today,
        "delivery_to": today + timedelta(days=90),
        "vendor_contact_name": "李经理",
        "vendor_contact_phone": "0570-5012345",
        "buyer_contact_name": "王老师",
        "buyer_contact_phone": "+86 138-0000-0001",
    }
    values.update(changes)
    return agreements.AgreementRequest(**values)


def record(setup, user=None, acting_as=agreements.RecordedAs.ORGANISER, **changes):
    return agreements.record_agreement(
        fair=setup["fair"], user=user or setup["organiser"], request=request_for(setup, **changes), acting_as=acting_as
    )


def test_the_organiser_records_an_agreement_with_lines_and_total(setup):
    agreement = record(setup)
    assert agreement.total == D("4910.00")  # 500 × 8.00 + 20 × 45.50
    assert [(line.item_name, line.unit, line.amount) for line in agreement.lines.all()] == [
        ("常山胡柚", "斤", D("4000.00")),
        ("胡柚膏", "瓶", D("910.00")),
    ]
    assert agreement.buyer_name == "省直机关一食堂" and agreement.buyer_unit == setup["unit"]
    assert agreement.buyer_contact_phone == "13800000001"  # normalised
    assert agreement.recorded_as == "organiser" and agreement.status == "signed"
    entry = PageLogEntry.objects.get(action="events.agreement_recorded")
    assert entry.page_id == setup["fair"].pk and entry.data["amount"] == "4910.00"


def test_the_vendor_member_and_the_unit_buyer_record_for_themselves_only(setup, vendor_user, unit_b):
    assert record(setup, setup["member"], agreements.RecordedAs.VENDOR).recorded_as == "vendor"
    assert record(setup, setup["unit"].users["buyer"], agreements.RecordedAs.BUYER).recorded_as == "buyer"
    _other, stranger = vendor_user("江山蜂蜜", username="stranger")
    refusals = [
        (stranger, agreements.RecordedAs.VENDOR),
        (setup["unit"].users["finance"], agreements.RecordedAs.BUYER),  # not a buyer of the unit
        (unit_b.users["buyer"], agreements.RecordedAs.BUYER),
        (setup["member"], agreements.RecordedAs.ORGANISER),
    ]
    for user, acting_as in refusals:
        with pytest.raises(DomainError) as error:
            record(setup, user, acting_as)
        assert error.value.code == "forbidden"
    assert PurchaseAgreement.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"lines": []}, "invalid", "lines"),
        ({"vendor_contact_phone": "12345"}, "invalid_phone", "vendor_contact_phone"),
        ({"buyer_contact_name": "  "}, "invalid", "buyer_contact_name"),
        ({"delivery_to": timezone.localdate() - timedelta(days=1)}, "invalid_period", "delivery_to"),
        ({"lines": [agreements.LineRequest(item_name="米", quantity="0", unit_price="1")]}, "invalid", "quantity"),
        ({"lines": [agreements.LineRequest(item_name="米", quantity="2", unit_price="-1")]}, "invalid", "unit_price"),
        (
            {"lines": [agreements.LineRequest(item_name="米", quantity="2", unit_price="3", amount="7")]},
            "amount_mismatch",
            "amount",
        ),
        ({"lines": [agreements.LineRequest(quantity="2", unit_price="3")]}, "invalid", "item_name"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_stored(setup, changes, code, field):
    with pytest.raises(DomainError) as error:
        record(setup, **changes)
    assert (error.value.code, error.value.field) == (code, field)
    assert str(error.value.message)
    assert not PurchaseAgreement.objects.exists()


def test_another_vendors_product_and_an_unnamed_company_are_refused(setup, vendor_user, make_product):
    other, _user = vendor_user("江山蜂蜜", username="other")
    honey = make_product(other, "江山蜂蜜", "60.00")
    with pytest.raises(DomainError) as error:
        record(setup, lines=[agreements.LineRequest(product_id=honey.pk, quantity="1", unit_price="60")])
    assert error.value.code == "unknown_product"
    with pytest.raises(DomainError) as error:
        record(setup, unit=False, buyer_name="")
    assert error.value.field == "buyer_name"


def test_the_signed_document_is_private_and_checked(setup, vendor_user, django_user_model):
    agreement = record(setup, document=SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf"))
    assert agreement.document.name.startswith("private/fair-agreements/")
    url = agreement.document.url
    assert url.startswith("/private-media/")
    _other, stranger = vendor_user("江山蜂蜜", username="stranger")
    for user, status in (
        (setup["member"], 200),
        (setup["unit"].users["finance"], 200),
        (setup["organiser"], 200),
        (stranger, 404),
    ):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == status, user
    for name, content in (("合同.pdf", b"not a pdf"), ("合同.exe", PDF), ("合同.png", b"\x89PNG broken")):
        with pytest.raises(DomainError) as error:
            record(setup, document=SimpleUploadedFile(name, content))
        assert error.value.field == "document"


def test_cancel_goes_through_the_transition_table(setup, vendor_user):
    agreement = record(setup)
    _other, stranger = vendor_user("江山蜂蜜", username="stranger")
    with pytest.raises(DomainError) as error:
        agreements.cancel_agreement(agreement, user=stranger)
    assert error.value.code == "forbidden"
    agreements.cancel_agreement(agreement, user=setup["member"], reason="买方撤回")
    agreement.refresh_from_db()
    assert (agreement.status, agreement.cancel_reason, agreement.cancelled_by) == (
        "cancelled",
        "买方撤回",
        setup["member"],
    )
    with pytest.raises(DomainError) as error:
        agreements.cancel_agreement(agreement, user=setup["organiser"])
    assert error.value.code == "invalid_state"
    assert PageLogEntry.objects.filter(action="events.agreement_cancelled").count() == 1


def delivery(unit, days=5):
    return canteen.Delivery(address=unit.addresses.first(), date=timezone.localdate() + timedelta(days=days))


def test_orders_against_the_agreement_show_ordered_and_delivered_progress(setup, django_user_model):
    agreement = record(setup)  # 4910.00
    unit, buyer = setup["unit"], setup["unit"].users["buyer"]
    first = agreements.order_against(agreement, user=buyer, lines=lines((setup["huyou"], 100)), delivery=delivery(unit))
    second = agreements.order_against(agreement, user=buyer, lines=lines((setup["huyou"], 50)), delivery=delivery(unit))
    assert first.buyer_unit == unit and AgreementOrder.objects.filter(agreement=agreement).count() == 2
    figures = agreements.progress(agreement)
    assert (figures.ordered, figures.delivered, figures.orders) == (D("1200.00"), D("0.00"), 2)
    assert figures.percent == 24  # 1200 / 4910

    staff = django_user_model.objects.create_superuser("staff", "staff@example.com", "pw")
    pay_by_transfer(first, staff)
    part = first.vendor_orders.get()
    checkout.mark_vendor_order_shipped(part, carrier="sf", tracking_number="SF123", user=setup["member"])
    canteen.confirm_receipt(part, user=buyer, note="验收合格")
    checkout.cancel_order(second, user=buyer)
    figures = agreements.progress(agreement)
    assert (figures.ordered, figures.delivered, figures.orders) == (D("800.00"), D("800.00"), 1)
    assert (figures.percent, figures.delivered_percent) == (16, 16)
    assert PageLogEntry.objects.filter(action="events.agreement_ordered").count() == 2


def test_ordering_against_is_for_the_units_buyers_within_the_period_and_the_vendor(
    setup, unit_b, vendor_user, make_product
):
    agreement = record(setup)
    unit, buyer = setup["unit"], setup["unit"].users["buyer"]
    other, _user = vendor_user("江山蜂蜜", username="other")
    honey = make_product(other, "江山蜂蜜", "60.00")
    refusals = [
        ({"user": unit_b.users["buyer"]}, "forbidden"),
        ({"lines": lines((honey, 1))}, "unknown_product"),
        ({"delivery": delivery(unit, days=200)}, "invalid"),
        ({"lines": lines((setup["huyou"], 5000))}, "out_of_stock"),  # the checkout's own refusal, translated
    ]
    for changes, code in refusals:
        kwargs = {"user": buyer, "lines": lines((setup["huyou"], 1)), "delivery": delivery(unit)} | changes
        with pytest.raises(DomainError) as error:
            agreements.order_against(agreement, **kwargs)
        assert error.value.code == code, changes
    company = record(setup, unit=False)
    with pytest.raises(DomainError) as error:
        agreements.order_against(company, user=buyer, lines=lines((setup["huyou"], 1)), delivery=delivery(unit))
    assert error.value.code == "invalid_state"
    agreements.cancel_agreement(agreement, user=setup["organiser"])
    with pytest.raises(DomainError) as error:
        agreements.order_against(agreement, user=buyer, lines=lines((setup["huyou"], 1)), delivery=delivery(unit))
    assert error.value.code == "invalid_state"
    assert not AgreementOrder.objects.exists()


def test_the_share_counts_agreement_orders_once_like_other_unit_orders(setup, changshan):
    unit, buyer = setup["unit"], setup["unit"].users["buyer"]
    year = timezone.localdate().year
    set_budget(unit, year, "100000.00")
    before = canteen.compute_share(year, unit)
    agreement = record(setup)  # signing alone is no spend
    assert canteen.compute_share(year, unit).spend == before.spend
    agreements.order_against(agreement, user=buyer, lines=lines((setup["huyou"], 100)), delivery=delivery(unit))
    canteen.place_unit_order(user=buyer, unit=unit, lines=lines((setup["huyou"], 10)), delivery=delivery(unit))
    share = canteen.compute_share(year, unit)
    produce = share.spend - share.freight
    assert produce - (before.spend - before.freight) == D("880.00")  # 800 against the agreement + 80 ordinary
    assert share.mountain - before.mountain == D("880.00")  # 常山 is a mountain county
    everyone = canteen.compute_share(year)
    assert everyone.mountain == share.mountain


def test_visible_to_each_party_and_organisers(setup, unit_b, vendor_user):
    agreement = record(setup)
    company = record(setup, unit=False)
    _other, stranger = vendor_user("江山蜂蜜", username="stranger")
    assert set(agreements.visible_to(setup["member"])) == {agreement, company}
    assert set(agreements.visible_to(setup["unit"].users["finance"])) == {agreement}
    assert set(agreements.visible_to(setup["organiser"])) == {agreement, company}
    assert not agreements.visible_to(unit_b.users["buyer"]).exists()
    assert not agreements.visible_to(stranger).exists()


def test_signed_on_defaults_to_today_and_may_be_given(setup):
    assert record(setup).signed_on == timezone.localdate()
    assert record(setup, signed_on=datetime.date(2026, 5, 1)).signed_on == datetime.date(2026, 5, 1)
