"""My purchase agreements (`/fairs/agreements/`): a vendor's members and a canteen unit's members see their
agreements with what has been ordered and delivered so far; a unit's buyer orders against one. Thin callers of
events.agreements.services."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from cms.errors import DomainError
from events.agreements import services as agreements
from marketplace.canteen import services as canteen
from marketplace.canteen.models import CanteenAddress, UnitMember
from marketplace.checkout.services import LineRequest
from marketplace.models import ProductPage


class OrderForm(forms.Form):
    """One product of the agreement's vendor, a quantity, a canteen and a day in the delivery period."""

    product = forms.ModelChoiceField(queryset=ProductPage.objects.none(), label=gettext_lazy("Product"))
    quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1, max_value=10000)
    address = forms.ModelChoiceField(queryset=CanteenAddress.objects.none(), label=gettext_lazy("Canteen"))
    delivery_date = forms.DateField(
        label=gettext_lazy("Delivery date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, prefix=f"a{agreement.pk}", **kwargs)
        agreed = [line.product_id for line in agreement.lines.all() if line.product_id]
        products = ProductPage.objects.live().filter(vendor_id=agreement.vendor_id).order_by("title")
        if agreed:
            products = products.filter(pk__in=agreed)
        self.fields["product"].queryset = products
        self.fields["product"].initial = products.first()
        self.fields["address"].queryset = CanteenAddress.objects.filter(unit_id=agreement.buyer_unit_id)
        first = max(agreement.delivery_from, timezone.localdate() + datetime.timedelta(days=1))
        self.fields["delivery_date"].initial = first
        self.fields["address"].initial = self.fields["address"].queryset.first()


@never_cache
@login_required
def my_agreements(request, index):
    buying_units = set(
        UnitMember.objects.filter(user=request.user, role=UnitMember.Role.BUYER).values_list("unit_id", flat=True)
    )
    visible = agreements.visible_to(request.user).prefetch_related("lines")
    if request.method == "POST":
        agreement = get_object_or_404(visible, pk=request.POST.get("agreement") or 0)
        form = OrderForm(request.POST, agreement=agreement)
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = agreements.order_against(
                    agreement,
                    user=request.user,
                    lines=[LineRequest(product_id=data["product"].pk, quantity=data["quantity"])],
                    delivery=canteen.Delivery(address=data["address"], date=data["delivery_date"]),
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("Order %(number)s is placed against the agreement.") % {"number": order.number},
                )
                return redirect(request.path)
        else:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(request.path)
    rows = agreements.with_progress(visible.order_by("-signed_on", "-pk"))
    for agreement in rows:
        can_order = agreement.is_signed and agreement.buyer_unit_id in buying_units
        agreement.order_form = OrderForm(agreement=agreement) if can_order else None
    return TemplateResponse(request, "events/my_agreements.html", {"page": index, "agreements": rows})


@never_cache
@login_required
def record(request, index):
    """`?as=vendor` (a member of a vendor, the default when they are one) or `?as=buyer` (a buyer of a unit)."""
    from events.agreements.forms import LineFormSet, PartyAgreementForm, request_from
    from events.stalls.services import vendors_of

    vendors = vendors_of(request.user)
    units = canteen.units_for(request.user).filter(members__user=request.user, members__role=UnitMember.Role.BUYER)
    acting_as = request.GET.get("as") or ("vendor" if vendors.exists() else "buyer")
    if acting_as == "vendor" and vendors.exists():
        kwargs = {"vendors": vendors}
    elif acting_as == "buyer" and units.exists():
        kwargs = {"units": units}
    else:
        return TemplateResponse(request, "events/agreement_record.html", {"page": index, "form": None}, status=403)
    form = PartyAgreementForm(request.POST or None, request.FILES or None, **kwargs)
    formset = LineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            agreements.record_agreement(
                fair=form.cleaned_data["fair"],
                user=request.user,
                request=request_from(form, formset),
                acting_as=agreements.RecordedAs.VENDOR if "vendors" in kwargs else agreements.RecordedAs.BUYER,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The agreement is recorded."))
            return redirect("fair_my_agreements")
    return TemplateResponse(
        request,
        "events/agreement_record.html",
        {"page": index, "form": form, "formset": formset, "acting_as": acting_as},
    )
