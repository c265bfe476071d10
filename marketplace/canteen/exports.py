"""The 消费帮扶 share as an Excel workbook for filing: a summary sheet, the months, the counties (and the units,
for staff). Amounts are numbers in CNY with two places, shares are fractions shown as percentages, so a
spreadsheet can add them up; text is never run as a formula."""

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..checkout.exports import safe_text

MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00%"
SHARE_FORMAT = "0.0%"


def _cell(sheet, row, column, value, number_format=None, bold=False):
    from openpyxl.styles import Font

    if isinstance(value, str) or (value is not None and not isinstance(value, (int, Decimal))):
        value = safe_text(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"  # never a formula
    if number_format and isinstance(value, (int, Decimal)):
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def _table(sheet, header, rows, formats):
    for column, label in enumerate(header, 1):
        _cell(sheet, 1, column, force_str(label), bold=True)
    for index, values in enumerate(rows, 2):
        for column, (value, number_format) in enumerate(zip(values, formats, strict=True), 1):
            _cell(sheet, index, column, value, number_format)
    for column in range(1, len(header) + 1):
        sheet.column_dimensions[chr(64 + column)].width = 22 if column == 1 else 18


def summary_rows(share, unit_name):
    """(label, value, number format) of the summary sheet, in order; None where no budget is recorded."""
    return [
        (_("Unit"), unit_name, None),
        (_("Year"), share.year, None),
        (_("Spend on the platform"), share.spend, MONEY_FORMAT),
        (_("Of which mountain-county produce"), share.mountain, MONEY_FORMAT),
        (_("Other"), share.other, MONEY_FORMAT),
        (_("Shipping (not produce)"), share.freight, MONEY_FORMAT),
        (_("Mountain-county share of the spend"), share.mountain_share_of_spend, PERCENT_FORMAT),
        (_("Canteen food budget"), share.budget, MONEY_FORMAT),
        (_("Target share"), share.target_share, SHARE_FORMAT),
        (_("Target"), share.target_amount, MONEY_FORMAT),
        (_("Share of the budget"), share.share_of_budget, PERCENT_FORMAT),
        (_("Progress to the target"), share.progress, PERCENT_FORMAT),
        (_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M"), None),
    ]


def share_workbook(share, *, unit_name, per_unit=None):
    """The workbook (xlsx bytes) of `share` (canteen.services.Share); `per_unit` [(unit, Share)] adds a sheet."""
    from openpyxl import Workbook

    workbook = Workbook()
    summary = workbook.active
    summary.title = force_str(_("Summary"))[:31]
    for row, (label, value, number_format) in enumerate(summary_rows(share, unit_name), 1):
        _cell(summary, row, 1, force_str(label), bold=True)
        _cell(summary, row, 2, value, number_format)
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 24

    months = workbook.create_sheet(force_str(_("By month"))[:31])
    month_rows = [(m["month"], m["spend"], m["mountain"], m["other"], m["freight"]) for m in share.months]
    month_rows.append(
        (force_str(pgettext("sum row", "Total")), share.spend, share.mountain, share.other, share.freight)
    )
    _table(
        months,
        [_("Month"), _("Spend"), _("Mountain-county produce"), _("Other"), _("Shipping (not produce)")],
        month_rows,
        [None, MONEY_FORMAT, MONEY_FORMAT, MONEY_FORMAT, MONEY_FORMAT],
    )

    counties = workbook.create_sheet(force_str(_("By county"))[:31])
    _table(
        counties,
        [_("County"), _("Spend"), _("Mountain-county produce")],
        [(row["name"], row["amount"], row["mountain"]) for row in share.counties],
        [None, MONEY_FORMAT, MONEY_FORMAT],
    )

    if per_unit is not None:
        units = workbook.create_sheet(force_str(_("By unit"))[:31])
        _table(
            units,
            [_("Unit"), _("Spend"), _("Mountain-county produce"), _("Progress to the target")],
            [(unit.name, s.spend, s.mountain, s.progress) for unit, s in per_unit],
            [None, MONEY_FORMAT, MONEY_FORMAT, PERCENT_FORMAT],
        )

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
