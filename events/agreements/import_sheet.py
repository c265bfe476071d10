"""Purchase agreements from an Excel sheet (openpyxl), for organisers who collected them on paper at the fair.

One agreement line a row, in the columns of `COLUMNS` (the template sheet has them); rows with the same agreement
number form one agreement, a row without a number is an agreement of its own. Every row is checked before anything
is stored: each bad row is reported by its line number with the reason, and then nothing is imported. The good
sheet is imported in one transaction through events.agreements.services.record_agreement (as the organiser)."""

import dataclasses
import datetime
import io

from django.db import transaction
from django.db.models import Q
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.errors import DomainError
from events.agreements import services as agreements
from events.errors import EventsCode
from events.stalls.services import _audit
from marketplace.canteen.models import BuyerUnit
from marketplace.models import ProductPage, VendorPage

MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
COLUMNS = [
    ("number", gettext_lazy("Agreement no.")),
    ("buyer", gettext_lazy("Buyer (canteen unit or company)")),
    ("vendor", gettext_lazy("Vendor")),
    ("item", gettext_lazy("Product or item")),
    ("quantity", gettext_lazy("Quantity")),
    ("unit", gettext_lazy("Unit")),
    ("unit_price", gettext_lazy("Unit price (CNY)")),
    ("amount", gettext_lazy("Amount (CNY)")),
    ("signed_on", gettext_lazy("Signed on")),
    ("delivery_from", gettext_lazy("Delivery from")),
    ("delivery_to", gettext_lazy("Delivery until")),
    ("buyer_contact_name", gettext_lazy("Buyer's contact")),
    ("buyer_contact_phone", gettext_lazy("Buyer's contact phone")),
    ("vendor_contact_name", gettext_lazy("Vendor's contact")),
    ("vendor_contact_phone", gettext_lazy("Vendor's contact phone")),
]
KEYS = [key for key, _label in COLUMNS]
# Fields every row of one agreement must repeat alike.
AGREEMENT_FIELDS = (
    "buyer",
    "vendor",
    "signed_on",
    "delivery_from",
    "delivery_to",
    "buyer_contact_name",
    "buyer_contact_phone",
    "vendor_contact_name",
    "vendor_contact_phone",
)


@dataclasses.dataclass
class RowError:
    line: int
    message: str


@dataclasses.dataclass
class ImportResult:
    agreements: list
    errors: list

    @property
    def ok(self):
        return not self.errors


class _Refused(Exception):
    """Rolls the import back when a row fails while being stored (after every row passed its checks)."""


def template_workbook():
    """The sheet to fill in: the header row on the first sheet, an example and notes on the second."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = force_str(_("Agreements"))[:31]
    for column, (_key, label) in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=1, column=column, value=force_str(label))
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 18
    help_sheet = workbook.create_sheet(force_str(_("How to fill in"))[:31])
    notes = [
        _("One agreement line a row, from the second row of the first sheet, in these columns."),
        _("Rows with the same agreement number are one agreement; a row without a number is an agreement alone."),
        _("Buyer: a verified canteen unit's name or credit code links the unit; any other name is a company."),
        _("Vendor: the vendor's name as on the site. Product: one of its products' names, or any item text."),
        _("Dates as 2026-05-01. Amount may stay empty; if given it must be quantity × unit price."),
        _("Contact phones: a mobile number or a landline with its area code."),
        _("Nothing is imported while any row has a problem; each problem is shown with its line number."),
    ]
    for row, note in enumerate(notes, 1):
        help_sheet.cell(row=row, column=1, value=force_str(note))
    help_sheet.column_dimensions["A"].width = 100
    example = [
        "HZ-001",
        "杭州市级机关食堂",
        "常山胡柚合作社",
        "常山胡柚",
        "500",
        "斤",
        "8.00",
        "4000.00",
        "2026-05-01",
        "2026-05-10",
        "2026-08-31",
        "王老师",
        "13800000000",
        "李经理",
        "0570-5012345",
    ]
    help_sheet.cell(row=len(notes) + 2, column=1, value=force_str(_("Example row:")))
    for column, ((_key, label), value) in enumerate(zip(COLUMNS, example, strict=True), 1):
        help_sheet.cell(row=len(notes) + 3, column=column, value=force_str(label)).font = Font(bold=True)
        help_sheet.cell(row=len(notes) + 4, column=column, value=value)
    return workbook


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _date(value, label):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    if not text:
        return None
    try:
        return datetime.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise DomainError(EventsCode.IMPORT_DATE_INVALID, column=label) from None


def _read_rows(upload):
    from openpyxl import load_workbook

    if upload.size > MAX_BYTES:
        raise DomainError(EventsCode.IMPORT_FILE_TOO_LARGE)
    try:
        upload.seek(0)
        workbook = load_workbook(io.BytesIO(upload.read()), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise DomainError(EventsCode.IMPORT_NOT_EXCEL) from None
    sheet = workbook.worksheets[0]
    rows = []
    for line, values in enumerate(sheet.iter_rows(min_row=2, max_col=len(COLUMNS), values_only=True), 2):
        values = list(values) + [None] * (len(COLUMNS) - len(values))
        if all(_text(v) == "" for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise DomainError(EventsCode.IMPORT_TOO_MANY_ROWS, max=MAX_ROWS)
        rows.append((line, dict(zip(KEYS, values, strict=True))))
    workbook.close()
    return rows


def _buyer(text):
    unit = (
        BuyerUnit.objects.filter(status=BuyerUnit.Status.VERIFIED)
        .filter(Q(name=text) | Q(uscc=text.upper()))
        .order_by("pk")
        .first()
    )
    return unit


def _vendor(text):
    return VendorPage.objects.filter(Q(title=text) | Q(name_en__iexact=text)).order_by("pk").first()


def _request(row, labels):
    """The AgreementRequest of one row (a single line), or DomainError with the first reason."""
    buyer_text = _text(row["buyer"])
    if not buyer_text:
        raise DomainError(EventsCode.AGREEMENT_BUYER_REQUIRED)
    vendor_text = _text(row["vendor"])
    vendor = _vendor(vendor_text) if vendor_text else None
    if vendor is None:
        if vendor_text:
            raise DomainError(EventsCode.IMPORT_UNKNOWN_VENDOR, name=vendor_text)
        raise DomainError(EventsCode.AGREEMENT_VENDOR_REQUIRED)
    unit = _buyer(buyer_text)
    item = _text(row["item"])
    product = ProductPage.objects.filter(vendor=vendor, title=item).order_by("pk").first() if item else None
    return agreements.AgreementRequest(
        vendor=vendor,
        buyer_unit=unit,
        buyer_name="" if unit else buyer_text,
        lines=[
            agreements.LineRequest(
                product_id=product.pk if product else None,
                item_name=item,
                quantity=_text(row["quantity"]),
                unit=_text(row["unit"]),
                unit_price=_text(row["unit_price"]),
                amount=_text(row["amount"]),
            )
        ],
        signed_on=_date(row["signed_on"], labels["signed_on"]),
        delivery_from=_date(row["delivery_from"], labels["delivery_from"]),
        delivery_to=_date(row["delivery_to"], labels["delivery_to"]),
        buyer_contact_name=_text(row["buyer_contact_name"]),
        buyer_contact_phone=_text(row["buyer_contact_phone"]),
        vendor_contact_name=_text(row["vendor_contact_name"]),
        vendor_contact_phone=_text(row["vendor_contact_phone"]),
    )


def import_agreements(*, fair, user, upload):
    """Check every row of the sheet, then record its agreements in one transaction, or nothing."""
    if not agreements.is_organiser(user):
        raise DomainError(EventsCode.IMPORT_ORGANISERS_ONLY)
    labels = {key: force_str(label) for key, label in COLUMNS}
    rows = _read_rows(upload)
    if not rows:
        return ImportResult([], [RowError(0, _("The sheet has no rows under its header."))])
    errors, groups, first_of = [], {}, {}
    for line, row in rows:
        try:
            request = _request(row, labels)
            # The checks of the service itself, without storing anything.
            agreements._checked(fair, request)
            agreements._lines(request.vendor, request.lines)
        except DomainError as error:
            errors.append(RowError(line, error.message))
            continue
        number = _text(row["number"])
        key = number or f"#{line}"
        if key in groups:
            first_line, first_row = first_of[key]
            differs = [labels[f] for f in AGREEMENT_FIELDS if _text(row[f]) != _text(first_row[f])]
            if differs:
                errors.append(
                    RowError(
                        line,
                        _("Agreement %(number)s: %(columns)s differ from line %(line)s.")
                        % {"number": number, "columns": "、".join(differs), "line": first_line},
                    )
                )
                continue
            groups[key].lines.extend(request.lines)
        else:
            groups[key] = request
            first_of[key] = (line, row)
    if errors:
        return ImportResult([], errors)
    created = []
    try:
        with transaction.atomic():
            for key, request in groups.items():
                try:
                    created.append(
                        agreements.record_agreement(
                            fair=fair, user=user, request=request, acting_as=agreements.RecordedAs.ORGANISER
                        )
                    )
                except DomainError as error:
                    errors.append(RowError(first_of[key][0], error.message))
            if errors:
                raise _Refused
            _audit(fair, "events.agreements_imported", user, agreements=len(created), rows=len(rows))
    except _Refused:
        return ImportResult([], errors)
    return ImportResult(created, [])
