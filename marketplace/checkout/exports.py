"""CSV and Excel exports of orders for the back office: one row per order line.

Vendors export their own parts (`vendor_part_rows`), staff the filtered order list (`staff_order_rows`).
Cells that a spreadsheet would run as a formula (buyer-typed text starting with = + - @) are written as
plain text, and the CSV starts with a byte-order mark so Excel reads the Chinese text as UTF-8.
"""

import csv
import datetime
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from .models import OrderLine, VendorOrder

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Statuses in which a vendor sees the buyer's address: the part is paid for and has to be (or was) shipped.
ADDRESS_VISIBLE = (VendorOrder.Status.TO_SHIP, VendorOrder.Status.SHIPPED, VendorOrder.Status.DELIVERED)

VENDOR_COLUMNS = [
    ("order", _("Order number")),
    ("placed_at", _("Placed")),
    ("vendor", _("Vendor")),
    ("status", _("Status")),
    ("recipient", _("Recipient")),
    ("phone", _("Phone")),
    ("address", _("Delivery address")),
    ("note", _("Note to the vendors")),
    ("item", _("Item")),
    ("unit", _("Unit")),
    ("unit_price", _("Unit price")),
    ("quantity", _("Quantity")),
    ("refunded_quantity", _("Refunded quantity")),
    ("line_total", _("Line total")),
    ("subtotal", _("Subtotal")),
    ("shipping_fee", _("Shipping fee")),
    ("carrier", _("Carrier")),
    ("tracking_number", _("Tracking number")),
]

STAFF_COLUMNS = [
    ("order", _("Order number")),
    ("placed_at", _("Placed")),
    ("order_status", _("Order status")),
    ("payment_method", _("Payment method")),
    ("payment_reference", _("Payment reference")),
    ("buyer", _("Buyer")),
    ("total", _("Order total")),
    ("refunded_total", _("Refunded")),
    ("vendor", _("Vendor")),
    ("status", _("Vendor part status")),
    ("shipping_fee", _("Shipping fee")),
    ("item", _("Item")),
    ("unit", _("Unit")),
    ("unit_price", _("Unit price")),
    ("quantity", _("Quantity")),
    ("refunded_quantity", _("Refunded quantity")),
    ("line_total", _("Line total")),
    ("recipient", _("Recipient")),
    ("phone", _("Phone")),
    ("address", _("Delivery address")),
    ("carrier", _("Carrier")),
    ("tracking_number", _("Tracking number")),
]


def _local(value):
    return timezone.localtime(value) if value else None


def _line_row(line):
    return {
        "item": line.name,
        "unit": line.unit,
        "unit_price": line.unit_price,
        "quantity": line.quantity,
        "refunded_quantity": line.refunded_quantity,
        "line_total": line.line_total,
    }


def vendor_part_rows(parts):
    """Rows for a vendor: only the lines of the given parts (never the rest of the buyer's order)."""
    lines = (
        OrderLine.objects.filter(vendor_order__in=[part.pk for part in parts])
        .select_related("vendor_order", "vendor_order__order")
        .order_by("vendor_order__order__placed_at", "vendor_order_id", "pk")
    )
    for line in lines:
        part, order = line.vendor_order, line.vendor_order.order
        show_address = part.status in ADDRESS_VISIBLE
        yield {
            "order": order.number,
            "placed_at": _local(order.placed_at),
            "vendor": part.vendor_name,
            "status": part.get_status_display(),
            "recipient": order.recipient if show_address else "",
            "phone": order.phone if show_address else "",
            "address": order.delivery_address if show_address else "",
            "note": order.note,
            **_line_row(line),
            "subtotal": part.subtotal,
            "shipping_fee": part.shipping_fee,
            "carrier": str(part.carrier_name),
            "tracking_number": part.tracking_number,
        }


def staff_order_rows(orders, vendor=None):
    """Rows for staff: every line of the given orders, or only one vendor's lines when filtered by vendor."""
    lines = OrderLine.objects.filter(order__in=[order.pk for order in orders])
    if vendor is not None:
        lines = lines.filter(vendor_order__vendor=vendor)
    lines = lines.select_related("order", "order__buyer", "vendor_order").order_by("order__placed_at", "order_id", "pk")
    for line in lines:
        order, part = line.order, line.vendor_order
        yield {
            "order": order.number,
            "placed_at": _local(order.placed_at),
            "order_status": order.get_status_display(),
            "payment_method": order.get_payment_method_display(),
            "payment_reference": order.payment_reference or "",
            "buyer": order.buyer_label,
            "total": order.total,
            "refunded_total": order.refunded_total,
            "vendor": part.vendor_name if part else line.vendor_name,
            "status": part.get_status_display() if part else "",
            "shipping_fee": part.shipping_fee if part else None,
            **_line_row(line),
            "recipient": order.recipient,
            "phone": order.phone,
            "address": order.delivery_address,
            "carrier": str(part.carrier_name) if part else "",
            "tracking_number": part.tracking_number if part else "",
        }


def safe_text(value):
    text = force_str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return safe_text(value)


def _xlsx_value(value):
    if isinstance(value, datetime.datetime):
        return timezone.make_naive(value) if timezone.is_aware(value) else value
    if value is None or isinstance(value, (int, Decimal, datetime.date)):
        return value
    return safe_text(value)


def write_csv(columns, rows):
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([force_str(label) for _key, label in columns])
    for row in rows:
        writer.writerow([_csv_value(row.get(key)) for key, _label in columns])
    return buffer.getvalue().encode("utf-8")


def write_xlsx(columns, rows, title):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=force_str(title)[:31])
    sheet.append([force_str(label) for _key, label in columns])
    for row in rows:
        cells = []
        for key, _label in columns:
            cell = WriteOnlyCell(sheet, _xlsx_value(row.get(key)))
            if cell.data_type == "f":
                cell.data_type = "s"  # never a formula
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            cells.append(cell)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def spreadsheet_response(export_format, columns, rows, filename, title):
    """An attachment response in `export_format` (csv or xlsx) with `columns` as the header row."""
    if export_format == XLSX:
        content, content_type = write_xlsx(columns, rows, title), XLSX_CONTENT_TYPE
    else:
        export_format, content, content_type = CSV, write_csv(columns, rows), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response
