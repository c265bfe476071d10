"""Forms of the fairs: a vendor's stall application and self-booking."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.images.fields import WagtailImageField

from events.models import AddOn, Stall, StallType
from marketplace.checkout.forms import set_payment_choices
from marketplace.models import ProductPage

LICENCE_TYPES = (".pdf", ".jpg", ".jpeg", ".png")
MAX_LICENCE_BYTES = 5 * 1024 * 1024


class ApplicationForm(forms.Form):
    vendor = forms.ModelChoiceField(queryset=None, label=_("Vendor"))
    stall_type = forms.ModelChoiceField(queryset=None, required=False, label=_("Preferred stall type"))
    preferred_stalls = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Preferred stalls"), widget=forms.SelectMultiple(attrs={"size": 6})
    )
    products = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Products you will show and sell"),
        widget=forms.CheckboxSelectMultiple,
    )
    product_note = forms.CharField(label=_("Other products"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    needs_power = forms.BooleanField(label=_("We need power"), required=False)
    needs_water = forms.BooleanField(label=_("We need water"), required=False)
    addons = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Add-ons"), widget=forms.CheckboxSelectMultiple
    )
    food_licence = forms.FileField(label=_("Food licence (PDF or image)"), required=False)
    note = forms.CharField(label=_("Note to the organiser"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, fair, vendors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors
        if vendors.count() == 1:
            self.fields["vendor"].initial = vendors.first()
        self.fields["stall_type"].queryset = StallType.objects.filter(fair=fair)
        self.fields["preferred_stalls"].queryset = Stall.objects.filter(fair=fair, blocked=False)
        self.fields["products"].queryset = ProductPage.objects.live().filter(vendor__in=vendors)
        self.fields["addons"].queryset = AddOn.objects.filter(fair=fair)

    def clean_food_licence(self):
        upload = self.cleaned_data.get("food_licence")
        if upload:
            if not upload.name.lower().endswith(LICENCE_TYPES):
                raise forms.ValidationError(_("Upload a PDF, JPEG or PNG file."))
            if upload.size > MAX_LICENCE_BYTES:
                raise forms.ValidationError(_("The file is larger than 5 MB."))
            if not upload.name.lower().endswith(".pdf"):
                # An image goes through Wagtail's image checks: real JPEG/PNG, pixel limit (no decompression bombs).
                upload = WagtailImageField(required=False).clean(upload)
        return upload


class BookingForm(forms.Form):
    vendor = forms.ModelChoiceField(queryset=None, label=_("Vendor"))
    addons = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Add-ons"), widget=forms.CheckboxSelectMultiple
    )
    payment_method = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect)

    def __init__(self, *args, fair, vendors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors
        if vendors.count() == 1:
            self.fields["vendor"].initial = vendors.first()
        self.fields["addons"].queryset = AddOn.objects.filter(fair=fair)
        # Only the methods that can be paid now (bank transfer alone without Stripe), the default pre-selected.
        set_payment_choices(self.fields["payment_method"])
