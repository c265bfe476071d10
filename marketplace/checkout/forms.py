"""Forms of the buyer's checkout pages: they parse and validate input; cart.py and services.py act."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from cms.divisions import DivisionFieldsMixin
from cms.validators import MAX_DB_INT

from ..signup_forms import normalise_phone
from .addresses import suggested_phone
from .models import DeliveryAddress, PaymentMethod
from .payment_methods import available_payment_methods, default_payment_method, payment_method_choices
from .payment_methods import online_payments_configured as online_payments_configured  # noqa: F401 (re-export)
from .services import MAX_QUANTITY, Address

# The payment methods a buyer may choose now (the rule lives in payment_methods); kept under this name for the
# forms that import it from here.
offered_payment_methods = available_payment_methods


def set_payment_choices(field, exclude=()):
    """Give a payment-method field the methods available now, with the default pre-selected. A single method
    (bank transfer without Stripe) is shown as a fixed statement by marketplace/checkout/payment_method_field.html.
    """
    field.choices = payment_method_choices(exclude=exclude)
    values = [value for value, _label in field.choices]
    default = default_payment_method()
    field.initial = default if default in values else (values[0] if values else None)
    return values


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
    product = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_DB_INT)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, required=False)


class CartLineForm(forms.Form):
    """One button on the cart page: change a line's quantity, remove it, or accept new prices."""

    ACTIONS = ("update", "remove", "accept_prices")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    product = forms.IntegerField(min_value=1, max_value=MAX_DB_INT, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_QUANTITY, required=False)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action in ("update", "remove") and not data.get("product"):
            raise forms.ValidationError(_("Choose a product."))
        if action == "update" and data.get("quantity") is None:
            self.add_error("quantity", _("Enter a quantity."))
        return data


class AddressForm(DivisionFieldsMixin, forms.ModelForm):
    """A delivery address: 省/市/区 from China's administrative divisions (cms.divisions), checked together."""

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
        set_payment_choices(self.fields["payment_method"])
        self.fields["idempotency_key"].initial = uuid.uuid4().hex
        self.new_address = AddressForm(
            data if self._wants_new_address(data) else None, prefix="new", initial={"phone": suggested_phone(user)}
        )

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


class PaymentMethodChangeForm(forms.Form):
    """On an unpaid order's page: pay another way (the methods available now other than the order's)."""

    payment_method = forms.ChoiceField(label=_("Pay another way"), widget=forms.RadioSelect)

    def __init__(self, data=None, *, order):
        super().__init__(data)
        self.order = order
        values = set_payment_choices(self.fields["payment_method"], exclude=(order.payment_method,))
        if order.payment_method in PaymentMethod.online() and PaymentMethod.BANK_TRANSFER in values:
            self.fields["payment_method"].initial = PaymentMethod.BANK_TRANSFER

    @property
    def has_choices(self):
        return bool(self.fields["payment_method"].choices)
