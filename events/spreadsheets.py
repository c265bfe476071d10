"""Excel downloads shared by the fairs' reports (events.fairs) and the agreements' sheets (events.agreements)."""

import io

from django.http import HttpResponse


def workbook_response(workbook, filename):
    """An openpyxl workbook as an .xlsx download named `filename`."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
