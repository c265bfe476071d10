"""Purchase agreements in the results workbook (events.fairs.export): headline rows on the first sheet, the
breakdowns by county, vendor and kind of buyer, and every signed agreement line by line with its progress."""

from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from events.fairs.export import _cell, _sheet


def add_agreements(workbook, figures):
    summary = workbook.worksheets[0]
    row = summary.max_row + 1
    for label, value in (
        (_("Purchase agreements signed"), figures["count"]),
        (_("Amount signed (CNY)"), figures["amount"]),
        (_("Ordered so far (CNY)"), figures["ordered"]),
        (_("Delivered so far (CNY)"), figures["delivered"]),
        (_("Cancelled agreements"), figures["cancelled"]),
    ):
        _cell(summary, row, 1, label, bold=True)
        _cell(summary, row, 2, value)
        row += 1
    header = [_("Group"), _("Agreements"), _("Amount signed (CNY)"), _("Ordered so far (CNY)")]
    for key, title in (
        ("county", _("Agreements by county")),
        ("vendor", _("Agreements by vendor")),
        ("buyer", _("Agreements by buyer")),
    ):
        _sheet(workbook, title, header, [[r.label, r.count, r.amount, r.ordered] for r in figures[key]])
    rows = []
    for agreement in figures["agreements"]:
        for line in agreement.lines.all():
            rows.append(
                [
                    agreement.pk,
                    agreement.signed_on,
                    agreement.buyer_display_name,
                    agreement.vendor.display_name,
                    line.item_name,
                    line.quantity,
                    line.unit,
                    line.unit_price,
                    line.amount,
                    f"{agreement.delivery_from:%Y-%m-%d} – {agreement.delivery_to:%Y-%m-%d}",
                    agreement.total,
                    agreement.progress.ordered,
                    agreement.progress.delivered,
                ]
            )
    sheet = _sheet(
        workbook,
        force_str(_("Agreements")),
        [
            _("Agreement no."),
            _("Signed on"),
            pgettext("agreement party", "Buyer"),
            _("Vendor"),
            _("Item"),
            _("Quantity"),
            _("Unit"),
            _("Unit price"),
            _("Amount (CNY)"),
            _("Delivery period"),
            _("Agreement total (CNY)"),
            _("Ordered so far (CNY)"),
            _("Delivered so far (CNY)"),
        ],
        rows,
    )
    return sheet
