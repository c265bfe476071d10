"""Purchase agreements in the Wagtail admin, per fair (linked from the fair overview and the results report):
the list with progress, record one on both parties' behalf, correct it, cancel it, import a sheet, download the
template sheet. Thin callers of events.agreements and events.agreement_import."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from marketplace.canteen.models import BuyerUnit
from marketplace.models import ProductPage, VendorPage

from . import agreement_import, agreements
from .agreement_models import PurchaseAgreement
from .models import FairPage
from .services import EventsError


def _fair(request, fair_id):
    if not agreements.is_organiser(request.user):
        raise PermissionDenied
    return get_object_or_404(FairPage, pk=fair_id)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # the browser's date field takes ISO dates in every language
        super().__init__(attrs, format)


class AgreementForm(forms.Form):
    vendor = forms.ModelChoiceField(queryset=VendorPage.objects.none(), label=gettext_lazy("Vendor"))
    buyer_unit = forms.ModelChoiceField(
        queryset=BuyerUnit.objects.none(),
        required=False,
        label=gettext_lazy("Buyer unit (canteen)"),
        help_text=gettext_lazy("Leave empty when the buyer is a distributor or company, and name it below."),
    )
    buyer_name = forms.CharField(label=gettext_lazy("Distributor or company"), max_length=120, required=False)
    buyer_name_en = forms.CharField(label=gettext_lazy("Its English name"), max_length=160, required=False)
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), widget=DateInput)
    delivery_from = forms.DateField(label=gettext_lazy("Delivery from"), widget=DateInput)
    delivery_to = forms.DateField(label=gettext_lazy("Delivery until"), widget=DateInput)
    vendor_contact_name = forms.CharField(label=gettext_lazy("Vendor's contact"), max_length=40)
    vendor_contact_phone = forms.CharField(label=gettext_lazy("Vendor's contact phone"), max_length=20)
    buyer_contact_name = forms.CharField(label=gettext_lazy("Buyer's contact"), max_length=40)
    buyer_contact_phone = forms.CharField(label=gettext_lazy("Buyer's contact phone"), max_length=20)
    document = forms.FileField(
        label=gettext_lazy("Signed agreement (PDF or image)"),
        required=False,
        help_text=gettext_lazy("At most 10 MB. Only the two parties and organisers can open it."),
    )
    note = forms.CharField(label=pgettext_lazy("agreement", "Note"), max_length=200, required=False)

    def __init__(self, *args, vendor_fixed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = VendorPage.objects.order_by("title")
        if vendor_fixed is not None:
            self.fields["vendor"].queryset = VendorPage.objects.filter(pk=vendor_fixed.pk)
            self.fields["vendor"].disabled = True
            self.fields["vendor"].initial = vendor_fixed.pk
        self.fields["buyer_unit"].queryset = BuyerUnit.objects.filter(status=BuyerUnit.Status.VERIFIED)


class LineForm(forms.Form):
    product = forms.ModelChoiceField(queryset=ProductPage.objects.none(), required=False, label=gettext_lazy("Product"))
    item_name = forms.CharField(label=gettext_lazy("or item"), max_length=120, required=False)
    quantity = forms.DecimalField(label=gettext_lazy("Quantity"), max_digits=12, decimal_places=2, required=False)
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=20, required=False)
    unit_price = forms.DecimalField(
        label=gettext_lazy("Unit price (CNY)"), max_digits=12, decimal_places=2, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = ProductPage.objects.live().select_related("vendor").order_by("title")
        self.fields["product"].label_from_instance = lambda p: f"{p.title} · {p.vendor.title}"


LineFormSet = forms.formset_factory(LineForm, extra=3)


class ImportForm(forms.Form):
    sheet = forms.FileField(label=gettext_lazy("Excel sheet (.xlsx)"))


def fair_agreements(request, fair_id):
    fair = _fair(request, fair_id)
    if request.method == "POST":
        agreement = get_object_or_404(PurchaseAgreement, pk=request.POST.get("cancel") or 0, fair=fair)
        try:
            agreements.cancel_agreement(agreement, user=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("The agreement is cancelled."))
        except EventsError as error:
            messages.error(request, error.message)
        return redirect(request.path)
    rows = agreements.with_progress(
        PurchaseAgreement.objects.filter(fair=fair)
        .select_related("vendor", "buyer_unit")
        .prefetch_related("lines")
        .order_by("-signed_on", "-pk")
    )
    return TemplateResponse(
        request,
        "events/admin/agreements.html",
        {
            "fair": fair,
            "agreements": rows,
            "header_title": _("Purchase agreements · %(fair)s") % {"fair": fair.title},
            "import_form": ImportForm(),
        },
    )


def _request(form, formset, vendor=None):
    data = form.cleaned_data
    lines = []
    for line in formset.cleaned_data:
        if not line or not (line.get("product") or line.get("item_name") or line.get("quantity")):
            continue
        lines.append(
            agreements.LineRequest(
                product_id=line["product"].pk if line.get("product") else None,
                item_name=line.get("item_name", ""),
                quantity=line.get("quantity") or "",
                unit=line.get("unit", ""),
                unit_price=line.get("unit_price") if line.get("unit_price") is not None else "",
            )
        )
    return agreements.AgreementRequest(
        vendor=vendor or data["vendor"],
        buyer_unit=data.get("buyer_unit"),
        buyer_name=data.get("buyer_name", ""),
        buyer_name_en=data.get("buyer_name_en", ""),
        lines=lines,
        signed_on=data["signed_on"],
        delivery_from=data["delivery_from"],
        delivery_to=data["delivery_to"],
        vendor_contact_name=data["vendor_contact_name"],
        vendor_contact_phone=data["vendor_contact_phone"],
        buyer_contact_name=data["buyer_contact_name"],
        buyer_contact_phone=data["buyer_contact_phone"],
        document=data.get("document"),
        note=data.get("note", ""),
    )


def _edit(request, fair, agreement=None):
    vendor = agreement.vendor if agreement else None
    if request.method == "POST":
        form = AgreementForm(request.POST, request.FILES, vendor_fixed=vendor)
        formset = LineFormSet(request.POST, prefix="lines")
        if form.is_valid() and formset.is_valid():
            try:
                if agreement is None:
                    agreements.record_agreement(
                        fair=fair,
                        user=request.user,
                        request=_request(form, formset),
                        acting_as=agreements.RecordedAs.ORGANISER,
                    )
                    messages.success(request, _("The agreement is recorded."))
                else:
                    agreements.update_agreement(agreement, user=request.user, request=_request(form, formset, vendor))
                    messages.success(request, _("The agreement is changed."))
                return redirect("events_fair_agreements", fair.pk)
            except EventsError as error:
                target = error.field if error.field in form.fields else None
                form.add_error(target, error.message)
    elif agreement is not None:
        form = AgreementForm(
            initial={
                name: getattr(agreement, name)
                for name in AgreementForm.base_fields
                if name not in ("document",) and hasattr(agreement, name)
            },
            vendor_fixed=vendor,
        )
        formset = LineFormSet(
            prefix="lines",
            initial=[
                {
                    "product": line.product,
                    "item_name": "" if line.product_id else line.item_name,
                    "quantity": line.quantity,
                    "unit": line.unit,
                    "unit_price": line.unit_price,
                }
                for line in agreement.lines.all()
            ],
        )
    else:
        form = AgreementForm(initial={"signed_on": fair.start_date})
        formset = LineFormSet(prefix="lines")
    title = _("Change agreement") if agreement else _("Record an agreement")
    return TemplateResponse(
        request,
        "events/admin/agreement_form.html",
        {
            "fair": fair,
            "form": form,
            "formset": formset,
            "agreement": agreement,
            "header_title": f"{title} · {fair.title}",
            "index_url": reverse("events_fair_agreements", args=[fair.pk]),
        },
    )


def agreement_create(request, fair_id):
    return _edit(request, _fair(request, fair_id))


def agreement_edit(request, fair_id, agreement_id):
    fair = _fair(request, fair_id)
    agreement = get_object_or_404(PurchaseAgreement, pk=agreement_id, fair=fair)
    return _edit(request, fair, agreement)


def agreement_import_view(request, fair_id):
    fair = _fair(request, fair_id)
    result = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = agreement_import.import_agreements(fair=fair, user=request.user, upload=form.cleaned_data["sheet"])
        except EventsError as error:
            form.add_error("sheet", error.message)
        else:
            if result.ok:
                messages.success(request, _("%(count)s agreements imported.") % {"count": len(result.agreements)})
                return redirect("events_fair_agreements", fair.pk)
    return TemplateResponse(
        request,
        "events/admin/agreement_import.html",
        {
            "fair": fair,
            "form": form,
            "result": result,
            "header_title": _("Import agreements · %(fair)s") % {"fair": fair.title},
            "index_url": reverse("events_fair_agreements", args=[fair.pk]),
        },
        status=400 if result is not None and not result.ok else 200,
    )


def agreement_template(request, fair_id):
    _fair(request, fair_id)
    from .stall_sales_views import _xlsx

    return _xlsx(agreement_import.template_workbook(), "agreements-template.xlsx")
