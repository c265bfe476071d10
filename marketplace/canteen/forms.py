"""Forms of the canteen pages: they parse input; services.py acts."""

import datetime
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.images.fields import WagtailImageField

from cms.divisions import DivisionFieldsMixin

from ..checkout.forms import offered_payment_methods
from ..checkout.models import PaymentMethod
from .models import BuyerUnit, CanteenAddress, UnitMember


class UnitApplicationForm(forms.ModelForm):
    class Meta:
        model = BuyerUnit
        fields = [
            "name",
            "uscc",
            "contact_name",
            "contact_phone",
            "invoice_type",
            "invoice_title",
            "taxpayer_id",
            "invoice_address",
            "invoice_phone",
            "invoice_bank",
            "invoice_account",
        ]


class CanteenAddressForm(DivisionFieldsMixin, forms.ModelForm):
    """A canteen's delivery address: 省/市/区 from China's administrative divisions (cms.divisions)."""

    class Meta:
        model = CanteenAddress
        fields = ["name", "recipient", "phone", "province", "city", "district", "street"]


class UnitCheckoutForm(forms.Form):
    address = forms.ChoiceField(label=_("Canteen"), widget=forms.RadioSelect)
    delivery_date = forms.DateField(label=_("Delivery date"), widget=forms.DateInput(attrs={"type": "date"}))
    delivery_window = forms.ChoiceField(
        label=_("Delivery time"),
        choices=[
            ("06:00-08:00", "06:00–08:00"),
            ("08:00-10:00", "08:00–10:00"),
            ("10:00-12:00", "10:00–12:00"),
            ("14:00-17:00", "14:00–17:00"),
        ],
    )
    purchase_order_number = forms.CharField(label=_("Purchase order number"), max_length=40, required=False)
    payment_method = forms.ChoiceField(label=_("Payment method"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note to the vendors"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(self, data=None, *, unit):
        super().__init__(data)
        self.addresses = list(unit.addresses.all())
        self.fields["address"].choices = [(str(a.pk), str(a)) for a in self.addresses]
        if self.addresses:
            self.fields["address"].initial = str(self.addresses[0].pk)
        methods = offered_payment_methods()
        self.fields["payment_method"].choices = [(m, PaymentMethod(m).label) for m in methods]
        self.fields["payment_method"].initial = PaymentMethod.BANK_TRANSFER
        self.fields["idempotency_key"].initial = uuid.uuid4().hex

    def chosen_address(self):
        return next(a for a in self.addresses if str(a.pk) == self.cleaned_data["address"])


class ReorderForm(forms.Form):
    delivery_date = forms.DateField(label=_("Delivery date"), widget=forms.DateInput(attrs={"type": "date"}))
    purchase_order_number = forms.CharField(label=_("Purchase order number"), max_length=40, required=False)


class ReceiptForm(forms.Form):
    note = forms.CharField(
        label=_("Shortfalls or quality problems"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Wagtail's image field: the same formats, file size and pixel limits as the admin's image form.
    photo = WagtailImageField(label=_("Photo"), required=False)


class BudgetForm(forms.Form):
    """The year's canteen food budget and target share; canteen.services.set_annual_budget checks the values."""

    year = forms.IntegerField(label=_("Year"))
    food_budget = forms.DecimalField(label=_("Canteen food budget (CNY)"), max_digits=14, decimal_places=2)
    target_share = forms.DecimalField(
        label=_("Target share"),
        max_digits=4,
        decimal_places=3,
        help_text=_("Share of the budget to spend on mountain-county produce, e.g. 0.100 for 10%."),
    )


class MemberForm(forms.Form):
    identifier = forms.CharField(
        label=_("Mobile number or e-mail"),
        max_length=254,
        help_text=_("Of an existing account on this site."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=UnitMember.Role.choices)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


def month_choice(value, today):
    """'2026-05' → (2026, 5); anything else → this month."""
    try:
        day = datetime.date.fromisoformat(f"{value}-01")
    except (TypeError, ValueError):
        day = today
    return day.year, day.month
