"""Purchase agreements in the admin (#17): the organiser's list, recording and changing one through the form,
cancelling, the template sheet, and the Excel import — a good sheet, and a sheet with bad rows where each is
reported by its line and nothing is imported."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.models import PageLogEntry

from events.agreements import import_sheet as agreement_import
from events.agreements import services as agreements
from events.agreements.models import PurchaseAgreement

pytestmark = pytest.mark.django_db
D = Decimal
HEADER = [str(label) for _key, label in agreement_import.COLUMNS]


@pytest.fixture
def parties(fair, vendor_user, make_product, unit_a, organiser):
    vendor, member = vendor_user()
    make_product(vendor, "常山胡柚", "8.00")
    return {"fair": fair, "vendor": vendor, "member": member, "unit": unit_a, "organiser": organiser}


ROW = {
    "number": "",
    "buyer": "省直机关一食堂",
    "vendor": "常山胡柚合作社",
    "item": "常山胡柚",
    "quantity": 500,
    "unit": "斤",
    "unit_price": "8.00",
    "amount": "4000.00",
    "signed_on": "2026-05-01",
    "delivery_from": "2026-05-10",
    "delivery_to": "2026-08-31",
    "buyer_contact_name": "王老师",
    "buyer_contact_phone": "13800000001",
    "vendor_contact_name": "李经理",
    "vendor_contact_phone": "0570-5012345",
}


def row(number="", **changes):
    """A sheet row in the template's columns; `delivery=(from, to)` sets the period."""
    if "delivery" in changes:
        changes["delivery_from"], changes["delivery_to"] = changes.pop("delivery")
    if "price" in changes:
        changes["unit_price"] = changes.pop("price")
    if "buyer_phone" in changes:
        changes["buyer_contact_phone"] = changes.pop("buyer_phone")
    values = ROW | {"number": number} | changes
    return [values[key] for key in agreement_import.KEYS]


def sheet(*rows):
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.append(HEADER)
    for values in rows:
        worksheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("签约.xlsx", buffer.getvalue())


def test_a_good_sheet_is_imported_rows_with_one_number_forming_one_agreement(parties):
    upload = sheet(
        row("HZ-1"),
        row("HZ-1", item="胡柚膏", quantity=20, unit="瓶", price="45.50", amount=""),
        row("", buyer="衢州鲜果贸易有限公司", quantity="1,000", amount="8000"),
    )
    result = agreement_import.import_agreements(fair=parties["fair"], user=parties["organiser"], upload=upload)
    assert result.ok, result.errors
    canteen, company = result.agreements
    assert (canteen.buyer_unit, canteen.total, canteen.lines.count()) == (parties["unit"], D("4910.00"), 2)
    assert canteen.lines.first().product.title == "常山胡柚"
    assert str(canteen.delivery_from) == "2026-05-10" and str(canteen.signed_on) == "2026-05-01"
    assert (company.buyer_unit, company.buyer_name, company.total) == (None, "衢州鲜果贸易有限公司", D("8000.00"))
    assert PageLogEntry.objects.filter(action="events.agreements_imported").count() == 1


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(parties):
    upload = sheet(
        row("A"),  # line 2: good
        row(vendor="无此商家"),  # line 3
        row(quantity="很多"),  # line 4
        row(amount="999.00"),  # line 5: not 500 × 8.00
        row(buyer_phone="12345"),  # line 6
        row(delivery=("2026-09-01", "2026-08-01")),  # line 7
        row("A", buyer="衢州鲜果贸易有限公司"),  # line 8: the same number, another buyer
        row(delivery=("明天", "2026-08-01")),  # line 9
    )
    result = agreement_import.import_agreements(fair=parties["fair"], user=parties["organiser"], upload=upload)
    assert not result.ok and result.agreements == []
    lines = {error.line: error.message for error in result.errors}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9]
    assert "无此商家" in lines[3]
    assert "999.00" in lines[5]
    assert "2" in lines[8]  # names the first line of agreement A
    assert not PurchaseAgreement.objects.exists()


def test_not_a_workbook_and_not_an_organiser_are_refused(parties):
    from cms.errors import DomainError

    with pytest.raises(DomainError):
        agreement_import.import_agreements(
            fair=parties["fair"], user=parties["organiser"], upload=SimpleUploadedFile("x.xlsx", b"not a sheet")
        )
    with pytest.raises(DomainError) as error:
        agreement_import.import_agreements(fair=parties["fair"], user=parties["member"], upload=sheet(row()))
    assert error.value.code == "forbidden"


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_import_page_shows_each_bad_line_and_the_template_downloads(parties):
    from openpyxl import load_workbook

    client = admin_client(parties["organiser"])
    fair = parties["fair"]
    template = client.get(reverse("events_agreement_template", args=[fair.pk]))
    assert template.status_code == 200
    first_sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert [c.value for c in first_sheet[1]] == HEADER and first_sheet.max_row == 1
    url = reverse("events_agreement_import", args=[fair.pk])
    response = client.post(url, {"sheet": sheet(row(), row(quantity=0))})
    assert response.status_code == 400
    assert b'data-line="3"' in response.content and b'data-line="2"' not in response.content
    assert not PurchaseAgreement.objects.exists()
    response = client.post(url, {"sheet": sheet(row(), row(buyer="衢州鲜果贸易有限公司"))})
    assert response.status_code == 302
    assert PurchaseAgreement.objects.count() == 2


def test_the_organiser_records_changes_and_cancels_in_the_admin(parties):
    client = admin_client(parties["organiser"])
    fair = parties["fair"]
    data = {
        "vendor": parties["vendor"].pk,
        "buyer_unit": parties["unit"].pk,
        "signed_on": "2026-05-01",
        "delivery_from": "2026-05-10",
        "delivery_to": "2026-08-31",
        "vendor_contact_name": "李经理",
        "vendor_contact_phone": "0570-5012345",
        "buyer_contact_name": "王老师",
        "buyer_contact_phone": "13800000001",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item_name": "胡柚膏",
        "lines-0-quantity": "20",
        "lines-0-unit": "瓶",
        "lines-0-unit_price": "45.50",
    }
    response = client.post(reverse("events_agreement_add", args=[fair.pk]), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    agreement = PurchaseAgreement.objects.get()
    assert (agreement.total, agreement.recorded_as) == (D("910.00"), "organiser")
    bad = client.post(reverse("events_agreement_add", args=[fair.pk]), data | {"buyer_contact_phone": "123"})
    assert bad.status_code == 200 and PurchaseAgreement.objects.count() == 1
    edit_url = reverse("events_agreement_edit", args=[fair.pk, agreement.pk])
    assert client.get(edit_url).status_code == 200
    response = client.post(edit_url, data | {"lines-0-quantity": "40"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.total == D("1820.00")
    listing = client.get(reverse("events_fair_agreements", args=[fair.pk]))
    assert listing.status_code == 200 and "胡柚膏".encode() in listing.content
    client.post(reverse("events_fair_agreements", args=[fair.pk]), {"cancel": agreement.pk, "reason": "买方撤回"})
    agreement.refresh_from_db()
    assert agreement.status == "cancelled"


def test_only_organisers_reach_the_admin_pages(parties):
    fair = parties["fair"]
    client = admin_client(parties["member"])
    for name in (
        "events_fair_agreements",
        "events_agreement_add",
        "events_agreement_import",
        "events_agreement_template",
    ):
        assert client.get(reverse(name, args=[fair.pk])).status_code in (302, 403)
    assert agreements.is_organiser(parties["organiser"])
