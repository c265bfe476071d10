"""The stall sales page (vendors, on a phone, during the fair), its service worker, and the results report
(organisers): per fair, printable, as Excel; per series. Thin callers of events.fairs.stall_sales and
events.fairs.results."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cms.errors import DomainError
from events.agreements import services as agreements
from events.fairs import results as fair_results
from events.fairs import stall_sales
from events.fairs.charts import bar_chart
from events.fairs.models import FairSeries, StallSale
from events.spreadsheets import workbook_response as _xlsx

# -- the stall sales page ---------------------------------------------------------------------------------


def _chosen_vendor(request, fair):
    vendors = list(stall_sales.selling_vendors(request.user, fair))
    wanted = request.POST.get("vendor") or request.GET.get("vendor")
    vendor = next((v for v in vendors if str(v.pk) == wanted), None) if wanted else None
    return vendors, vendor or (vendors[0] if vendors else None)


@never_cache
@login_required
def sales_page(request, fair):
    vendors, vendor = _chosen_vendor(request, fair)
    if vendor is None:
        return TemplateResponse(
            request, "events/stall_sales.html", {"page": fair, "fair": fair, "vendor": None}, status=403
        )
    if request.method == "POST":
        _post(request, fair, vendor)
        return redirect(f"{request.path}?vendor={vendor.pk}")
    booking = stall_sales.sales_booking(fair, vendor)
    products = list(stall_sales.sale_products(vendor))
    sales = stall_sales.todays_sales(fair, vendor)
    live = [s for s in sales if not s.is_voided]
    return TemplateResponse(
        request,
        "events/stall_sales.html",
        {
            "page": fair,
            "fair": fair,
            "vendor": vendor,
            "vendors": vendors,
            "booking": booking,
            "products": products,
            "payments": StallSale.Payment.choices,
            "sales": sales,
            "total": sum((s.amount for s in live), fair_results.ZERO),
            "count": len(live),
            "selling_day": stall_sales.is_selling_day(fair),
            "client_id": uuid.uuid4(),
            "api_url": f"/api/fairs/{fair.pk}/sales/",
            "sw_url": reverse("fair_sales_worker", args=[fair.slug]),
            "sw_scope": reverse("fair_sales", args=[fair.slug]),
        },
    )


def _post(request, fair, vendor):
    action = request.POST.get("action", "record")
    try:
        if action == "record":
            sale, created = stall_sales.record_sale(
                fair=fair,
                vendor=vendor,
                user=request.user,
                request=stall_sales.SaleRequest(
                    client_id=request.POST.get("client_id", ""),
                    payment=request.POST.get("payment", ""),
                    quantity=request.POST.get("quantity") or 1,
                    product_id=_int(request.POST.get("product")),
                    item_name=request.POST.get("item_name", ""),
                    unit_price=request.POST.get("unit_price") or None,
                ),
            )
            if created:
                messages.success(
                    request,
                    _("Recorded: %(item)s × %(quantity)s, ¥%(amount)s.")
                    % {"item": sale.item_name, "quantity": sale.quantity, "amount": sale.amount},
                )
            else:
                messages.info(request, _("This sale was recorded already."))
            return
        sale = get_object_or_404(StallSale, pk=_int(request.POST.get("sale")) or 0, fair=fair, vendor=vendor)
        if action == "void":
            stall_sales.void_sale(sale, user=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("The sale is voided."))
        elif action == "correct":
            stall_sales.correct_sale(
                sale,
                user=request.user,
                quantity=request.POST.get("quantity") or None,
                unit_price=request.POST.get("unit_price") or None,
                payment=request.POST.get("payment") or None,
            )
            messages.success(request, _("The sale is corrected."))
    except DomainError as exc:
        messages.error(request, exc.message)


def _int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def sales_worker(request, fair):
    """The service worker of the sales page. Wagtail serves page routes only as directories (…/sales/worker/), so
    the header Service-Worker-Allowed lets it take the sales page's path (…/sales/) as its scope."""
    page_url = reverse("fair_sales", args=[fair.slug])
    script = render_to_string(
        "events/stall_sales_sw.js",
        {
            "version": "1",
            "page_url": page_url,
            "assets": [
                static("cms/css/site.css"),
                static("events/css/events.css"),
                static("events/js/stall-sales.js"),
                static("cms/js/site.js"),
            ],
        },
    )
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = page_url
    return response


# -- the results report --------------------------------------------------------------------------------------


def is_organiser(user):
    return user.is_authenticated and (user.is_superuser or user.has_perm("events.change_registration"))


def _charts(results, prefix):
    sales = results["sales"]
    charts = {
        "sales_by_county": bar_chart(
            _("On-site sales by county"),
            [(r.label, r.amount) for r in sales["county"]],
            money=True,
            chart_id=f"{prefix}-county",
        ),
        "sales_by_payment": bar_chart(
            _("On-site sales by payment"),
            [(r.label, r.amount) for r in sales["payment"]],
            money=True,
            chart_id=f"{prefix}-payment",
        ),
        "sales_by_category": bar_chart(
            _("On-site sales by category"),
            [(r.label, r.amount) for r in sales["category"]],
            money=True,
            chart_id=f"{prefix}-category",
        ),
    }
    if "visitors" in results:
        charts["checkins_by_hour"] = bar_chart(
            _("Visitors checked in per hour"),
            [
                (timezone.localtime(r["hour"]).strftime("%m-%d %H:00"), r["checked_in"])
                for r in results["visitors"]["by_hour"]
            ],
            chart_id=f"{prefix}-hours",
            max_rows=24,
        )
    return charts


@never_cache
@login_required
def results(request, fair):
    if not is_organiser(request.user):
        return HttpResponseForbidden(_("Only organisers can see the results."))
    if request.method == "POST":
        published = request.POST.get("published") == "1"
        fair_results.set_published(fair, published=published, user=request.user)
        messages.success(
            request,
            _("The results are shown on the fair page after the fair.")
            if published
            else _("The results are no longer shown on the fair page."),
        )
        return redirect(request.path)
    data = fair_results.fair_results(fair)
    if request.GET.get("format") == "xlsx":
        from events.fairs.agreement_sheets import add_agreements
        from events.fairs.export import fair_workbook

        workbook = fair_workbook(data)
        add_agreements(workbook, data["agreements"])
        return _xlsx(workbook, f"fair-results-{fair.pk}.xlsx")
    return TemplateResponse(
        request,
        "events/results.html",
        {
            "page": fair,
            "fair": fair,
            "results": data,
            "charts": _charts(data, "fair"),
            "series": fair_results.series_of(fair),
            "agreements_admin_url": reverse("events_fair_agreements", args=[fair.pk])
            if agreements.is_organiser(request.user)
            else None,
        },
    )


@never_cache
@login_required
def results_print(request, fair):
    if not is_organiser(request.user):
        return HttpResponseForbidden(_("Only organisers can see the results."))
    data = fair_results.fair_results(fair)
    return TemplateResponse(
        request,
        "events/results_print.html",
        {
            "page": fair,
            "fair": fair,
            "results": data,
            "summary": fair_results.summary(fair),
            "printed": timezone.localtime(),
        },
    )


@never_cache
@login_required
def series_results(request, index, series_id):
    if not is_organiser(request.user):
        return HttpResponseForbidden(_("Only organisers can see the results."))
    series = get_object_or_404(FairSeries, pk=series_id)
    data = fair_results.series_results(series)
    if request.GET.get("format") == "xlsx":
        from events.fairs.agreement_sheets import add_agreements
        from events.fairs.export import series_workbook

        workbook = series_workbook(data)
        add_agreements(workbook, data["agreements"])
        return _xlsx(workbook, f"series-results-{series.pk}.xlsx")
    charts = _charts(data, "series")
    charts["sales_by_fair"] = bar_chart(
        _("On-site sales by fair"),
        [(row["fair"].display_name, row["sales_amount"]) for row in data["fairs"]],
        money=True,
        chart_id="series-fairs",
    )
    return TemplateResponse(
        request, "events/series_results.html", {"page": index, "results": data, "series": series, "charts": charts}
    )
