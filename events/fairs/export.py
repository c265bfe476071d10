"""The results report as an Excel workbook (openpyxl): a summary sheet, then one sheet per breakdown and the
sales themselves. Amounts are numbers in CNY with two places so a spreadsheet can add them up (shown with thousands
separators, as are counts); names of fairs, vendors, counties, categories and products in the request's language
(English names on the English site where they are filled); text is never run as a formula."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from events.fairs.models import StallSale
from marketplace.checkout.exports import _safe_text

MONEY = "#,##0.00"
COUNT = "#,##0"


def _cell(sheet, row, column, value, bold=False):
    from openpyxl.styles import Font

    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime.datetime) else value.isoformat()
    if value is not None and not isinstance(value, (int, Decimal, bool)):
        value = _safe_text(force_str(value))
    cell = sheet.cell(row=row, column=column, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"
    if isinstance(value, Decimal):
        cell.number_format = MONEY
    elif isinstance(value, int) and not isinstance(value, bool):
        cell.number_format = COUNT
    if bold:
        cell.font = Font(bold=True)
    return cell


def _sheet(workbook, title, header, rows):
    sheet = workbook.create_sheet(force_str(title)[:31])
    for column, label in enumerate(header, 1):
        _cell(sheet, 1, column, label, bold=True)
        sheet.column_dimensions[chr(64 + column)].width = 26 if column == 1 else 16
    for index, values in enumerate(rows, 2):
        for column, value in enumerate(values, 1):
            _cell(sheet, index, column, value)
    return sheet


def _breakdowns(workbook, sales):
    header = [_("Group"), _("Sales"), _("Quantity"), _("Amount (CNY)")]
    for key, title in (
        ("vendor", _("By vendor")),
        ("county", _("By county")),
        ("mountain", _("Mountain counties")),
        ("category", _("By category")),
        ("payment", _("By payment")),
        ("day", _("By day")),
    ):
        _sheet(workbook, title, header, [[r.label, r.count, r.quantity, r.amount] for r in sales[key]])


def fair_workbook(results):
    from openpyxl import Workbook

    fair = results["fair"]
    visitors, sales, stalls = results["visitors"], results["sales"], results["stalls"]
    workbook = Workbook()
    summary = workbook.active
    summary.title = force_str(_("Summary"))[:31]
    rows = [
        (_("Fair"), fair.display_name),
        (_("Days"), f"{fair.start_date:%Y-%m-%d} – {fair.end_date:%Y-%m-%d}"),
        (_("Visitors registered"), visitors["registered"]),
        (_("Visitors checked in"), visitors["checked_in"]),
        (_("On-site sales"), sales["total"]),
        (_("Number of sales"), sales["count"]),
        (_("Voided sales"), len(results["voided"])),
        (_("Stalls used"), stalls["used"]),
        (_("Stalls"), stalls["stalls"]),
        (_("Exhibitors"), stalls["exhibitors"]),
        (_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    for index, (label, value) in enumerate(rows, 1):
        _cell(summary, index, 1, label, bold=True)
        _cell(summary, index, 2, value)
    summary.column_dimensions["A"].width = 26
    summary.column_dimensions["B"].width = 40
    _sheet(
        workbook,
        _("Visitors by day"),
        [_("Day"), _("People registered"), _("People checked in")],
        [[r["day"], r["registered"], r["checked_in"]] for r in visitors["by_day"]],
    )
    _sheet(
        workbook,
        _("Check-ins by hour"),
        [_("Hour"), _("People checked in")],
        [[timezone.localtime(r["hour"]).strftime("%Y-%m-%d %H:00"), r["checked_in"]] for r in visitors["by_hour"]],
    )
    _breakdowns(workbook, sales)
    labels = dict(StallSale.Payment.choices)
    all_sales = (
        StallSale.objects.filter(fair=fair)
        .select_related("vendor", "stall", "county", "product")
        .order_by("sold_at", "pk")
    )
    _sheet(
        workbook,
        _("Sales"),
        [
            _("Sold at"),
            _("Vendor"),
            _("Stall"),
            _("Item"),
            _("Quantity"),
            _("Unit price"),
            _("Amount (CNY)"),
            _("Payment"),
            _("County"),
            _("Status"),
        ],
        [
            [
                timezone.localtime(s.sold_at),
                s.vendor.display_name,
                s.stall.code,
                s.display_item,
                s.quantity,
                s.unit_price,
                s.amount,
                labels.get(s.payment, s.payment),
                s.county.display_name if s.county else "",
                s.get_status_display(),
            ]
            for s in all_sales
        ],
    )
    return workbook


def series_workbook(results):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = force_str(_("Fairs"))[:31]
    header = [
        _("Fair"),
        _("First day"),
        _("On-site sales"),
        _("Mountain-county produce"),
        _("Number of sales"),
        _("Visitors registered"),
        _("Visitors checked in"),
        _("Stalls used"),
    ]
    for column, label in enumerate(header, 1):
        _cell(sheet, 1, column, label, bold=True)
        sheet.column_dimensions[chr(64 + column)].width = 30 if column == 1 else 16
    rows = [
        [
            r["fair"].display_name,
            r["fair"].start_date,
            r["sales_amount"],
            r["mountain_amount"],
            r["sales_count"],
            r["registered"],
            r["checked_in"],
            r["stalls_used"],
        ]
        for r in results["fairs"]
    ]
    t = results["totals"]
    rows.append(
        [
            _("Total"),
            "",
            t["sales_amount"],
            t["mountain_amount"],
            t["sales_count"],
            t["registered"],
            t["checked_in"],
            t["stalls_used"],
        ]
    )
    for index, values in enumerate(rows, 2):
        for column, value in enumerate(values, 1):
            _cell(sheet, index, column, value, bold=index == len(rows) + 1)
    _breakdowns(workbook, results["sales"])
    return workbook
