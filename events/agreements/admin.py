"""Purchase agreements in the Wagtail admin, per fair (linked from the fair overview and the results report):
the list with progress, record one on both parties' behalf, correct it, cancel it, import a sheet, download the
template sheet. Thin callers of events.agreements.services and events.agreements.import_sheet."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from cms.errors import DomainError
from events.agreements import import_sheet as agreement_import
from events.agreements import services as agreements
from events.agreements.forms import AgreementForm, ImportForm, LineFormSet, request_from
from events.agreements.models import PurchaseAgreement
from events.models import FairPage
from events.spreadsheets import workbook_response


def _fair(request, fair_id):
    if not agreements.is_organiser(request.user):
        raise PermissionDenied
    return get_object_or_404(FairPage, pk=fair_id)


def fair_agreements(request, fair_id):
    fair = _fair(request, fair_id)
    if request.method == "POST":
        agreement = get_object_or_404(PurchaseAgreement, pk=request.POST.get("cancel") or 0, fair=fair)
        try:
            agreements.cancel_agreement(agreement, user=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("The agreement is cancelled."))
        except DomainError as error:
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
                        request=request_from(form, formset),
                        acting_as=agreements.RecordedAs.ORGANISER,
                    )
                    messages.success(request, _("The agreement is recorded."))
                else:
                    agreements.update_agreement(
                        agreement, user=request.user, request=request_from(form, formset, vendor)
                    )
                    messages.success(request, _("The agreement is changed."))
                return redirect("events_fair_agreements", fair.pk)
            except DomainError as error:
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
        except DomainError as error:
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
    return workbook_response(agreement_import.template_workbook(), "agreements-template.xlsx")
