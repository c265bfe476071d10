"""Canteen's part of the vendor's order page (/admin/vendor-orders/<pk>/): the invoice (发票) a vendor issues to a
buyer unit. Shown through checkout's extension hooks (canteen/extension.py); thin callers of canteen.services."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.widgets import AdminDateInput

from cms.errors import DomainError

from ..checkout.admin_views import can_ship, render_vendor_part, vendor_part
from ..checkout.models import VendorOrder
from . import services


class InvoiceForm(forms.Form):
    """The invoice (发票) a vendor issued to a buyer unit for its part of the order."""

    number = forms.CharField(label=gettext_lazy("Invoice number"), max_length=40)
    date = forms.DateField(label=gettext_lazy("Invoice date"), widget=AdminDateInput)
    pdf = forms.FileField(
        label=gettext_lazy("Invoice PDF"),
        required=False,
        help_text=gettext_lazy("Stored as a document in your collection; the unit downloads it from its order page."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


def can_record_invoice(user, part):
    return part.order.buyer_unit_id is not None and part.status != VendorOrder.Status.CANCELLED and can_ship(user, part)


def invoice_context(request, part):
    """The invoice form on a unit order's part, for those who may record it; nothing on other orders."""
    if not can_record_invoice(request.user, part):
        return {}
    initial = {"number": part.invoice_number, "date": part.invoice_date or timezone.localdate()}
    return {"invoice_form": InvoiceForm(initial=initial)}


def vendor_order_invoice(request, pk):
    """Record the invoice issued for a unit's order part (number, date, PDF) through canteen.services."""
    part = vendor_part(request, pk)
    detail_url = reverse("vendor_orders:detail", args=[part.pk])
    if request.method != "POST":
        return redirect(detail_url)
    if not can_record_invoice(request.user, part):
        raise PermissionDenied
    form = InvoiceForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_vendor_part(request, part, invoice_form=form)
    try:
        services.record_invoice(
            part,
            user=request.user,
            number=form.cleaned_data["number"],
            date=form.cleaned_data["date"],
            upload=form.cleaned_data.get("pdf") or None,
        )
    except DomainError as error:
        form.add_error("pdf" if error.field == "pdf" else None, error.message)
        return render_vendor_part(request, part, invoice_form=form)
    messages.success(request, _("Invoice recorded for order %(number)s.") % {"number": part.order.number})
    return redirect(detail_url)
