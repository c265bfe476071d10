"""The forms of a purchase agreement (the organiser's admin form and the parties' own form) and the service
request made from them."""

from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from events.agreements import services as agreements
from marketplace.canteen.models import BuyerUnit
from marketplace.models import ProductPage, VendorPage


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


def request_from(form, formset, vendor=None):
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


class PartyAgreementForm(AgreementForm):
    """A vendor's member (for one of their vendors) or a unit's buyer (for their unit) records an agreement."""

    fair = forms.ModelChoiceField(queryset=VendorPage.objects.none(), label=gettext_lazy("Fair"))

    def __init__(self, *args, vendors=None, units=None, **kwargs):
        from events.models import FairPage

        super().__init__(*args, **kwargs)
        self.fields["fair"].queryset = (
            FairPage.objects.live().exclude(status=FairPage.Status.CANCELLED).order_by("-start_date")
        )
        if vendors is not None:
            self.fields["vendor"].queryset = vendors.order_by("title")
            if vendors.count() == 1:
                self.fields["vendor"].initial = vendors.first()
        if units is not None:
            self.fields["buyer_unit"].queryset = units
            self.fields["buyer_unit"].required = True
            if units.count() == 1:
                self.fields["buyer_unit"].initial = units.first()
            self.fields["buyer_unit"].help_text = ""
            del self.fields["buyer_name"], self.fields["buyer_name_en"]
        self.order_fields(["fair", *[name for name in self.fields if name != "fair"]])
