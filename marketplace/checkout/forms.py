"""Forms of the buyer's checkout pages: they parse and validate input; cart.py and services.py act."""

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..signup_forms import normalise_phone
from .models import DeliveryAddress, PaymentMethod
from .services import MAX_QUANTITY, Address, allowed_payment_methods


def online_payments_configured():
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)


def offered_payment_methods():
    """The payment methods a buyer may choose now: allowed by settings, online ones only with Stripe keys."""
    online = online_payments_configured()
    return [
        method
        for method in allowed_payment_methods()
        if method in PaymentMethod.values and (method == PaymentMethod.BANK_TRANSFER or online)
    ]


PERSONAL = "personal"


class OrderForForm(forms.Form):
    """Whom a unit buyer's cart is for: one of their units (the first, pre-selected) or themselves.

    `units` are dicts with `pk` and `name` (canteen.membership.buyer_units).
    """

    order_for = forms.ChoiceField(label=_("Who is this order for?"), widget=forms.RadioSelect)

    def __init__(self, data=None, *, units):
        super().__init__(data)
        choices = [
            (
                str(unit["pk"]),
                _("For %(unit)s: a unit order (canteen, delivery date, invoice to the unit)") % {"unit": unit["name"]},
            )
            for unit in units
        ]
        choices.append((PERSONAL, _("For myself: a personal order, paid by me")))
        self.fields["order_for"].choices = choices
        self.fields["order_for"].initial = str(units[0]["pk"])


class AddToCartForm(forms.Form):
    product = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, required=False)


class CartLineForm(forms.Form):
    """One button on the cart page: change a line's quantity, remove it, or accept new prices."""

    ACTIONS = ("update", "remove", "accept_prices")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    product = forms.IntegerField(min_value=1, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_QUANTITY, required=False)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action in ("update", "remove") and not data.get("product"):
            raise forms.ValidationError(_("Choose a product."))
        if action == "update" and data.get("quantity") is None:
            self.add_error("quantity", _("Enter a quantity."))
        return data


class AddressForm(forms.ModelForm):
    make_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    class Meta:
        model = DeliveryAddress
        fields = ["recipient", "phone", "province", "city", "district", "street"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].widget.attrs["autocomplete"] = "name"
        self.fields["street"].widget.attrs["autocomplete"] = "street-address"
        if self.instance.pk:
            self.fields["make_default"].initial = self.instance.is_default

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])

    def as_address(self):
        data = self.cleaned_data
        return Address(
            **{name: data[name] for name in ("recipient", "phone", "province", "city", "district", "street")}
        )


NEW_ADDRESS = "new"


class CheckoutForm(forms.Form):
    address = forms.ChoiceField(label=_("Deliver to"), widget=forms.RadioSelect)
    payment_method = forms.ChoiceField(label=_("Payment method"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note to the vendors"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example a delivery time or an invoice title (发票抬头)."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.user = user
        self.addresses = list(DeliveryAddress.objects.filter(user=user))
        self.fields["address"].choices = [(str(a.pk), str(a)) for a in self.addresses] + [
            (NEW_ADDRESS, _("A new address"))
        ]
        default = next((a for a in self.addresses if a.is_default), None) or next(iter(self.addresses), None)
        self.fields["address"].initial = str(default.pk) if default else NEW_ADDRESS
        methods = offered_payment_methods()
        self.fields["payment_method"].choices = [(m, PaymentMethod(m).label) for m in methods]
        if len(methods) == 1:
            self.fields["payment_method"].initial = methods[0]
        self.fields["idempotency_key"].initial = uuid.uuid4().hex
        self.new_address = AddressForm(data if self._wants_new_address(data) else None, prefix="new")

    @staticmethod
    def _wants_new_address(data):
        return data is not None and data.get("address") == NEW_ADDRESS

    def is_valid(self):
        valid = super().is_valid()
        if self.is_bound and self._wants_new_address(self.data):
            valid = self.new_address.is_valid() and valid
        return valid

    def chosen_address(self):
        """(Address for the order, DeliveryAddress to save afterwards or None)."""
        choice = self.cleaned_data["address"]
        if choice == NEW_ADDRESS:
            return self.new_address.as_address(), self.new_address
        saved = next(a for a in self.addresses if str(a.pk) == choice)
        return Address.from_model(saved), None
