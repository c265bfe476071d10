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
from .shipping import ProvinceOnly

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
    """Whom a unit buyer's cart is for: one of the `order_for` choices (extensions.OrderFor, the first
    pre-selected: canteen offers the buyer's units) or themselves."""

    order_for = forms.ChoiceField(label=_("Who is this order for?"), widget=forms.RadioSelect)

    def __init__(self, data=None, *, order_for):
        super().__init__(data)
        self.order_for = {choice.value: choice for choice in order_for}
        choices = [(choice.value, choice.label) for choice in order_for]
        choices.append((PERSONAL, _("For myself: a personal order, paid by me")))
        self.fields["order_for"].choices = choices
        self.fields["order_for"].initial = order_for[0].value

    def chosen(self):
        """The OrderFor chosen (None for a personal order)."""
        return self.order_for.get(self.cleaned_data["order_for"])


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
    # The shipping total the buyer saw; a different one for the chosen address is shown again, not charged silently.
    shipping_seen = forms.DecimalField(widget=forms.HiddenInput, required=False, max_digits=12, decimal_places=2)

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
            data if self._wants_new_address(data) else None,
            prefix="new",
            initial={"phone": suggested_phone(user, self.addresses)},
        )

    @staticmethod
    def _wants_new_address(data):
        return data is not None and data.get("address") == NEW_ADDRESS

    def is_valid(self):
        valid = super().is_valid()
        if self.is_bound and self._wants_new_address(self.data):
            valid = self.new_address.is_valid() and valid
        return valid

    @classmethod
    def keeping(cls, data, *, user):
        """An unbound form showing what was posted (the address chosen, method, note, the same idempotency key):
        for "recalculate shipping", which must not show the errors of a half-filled form."""
        form = cls(None, user=user)
        for name in ("address", "payment_method", "note", "idempotency_key"):
            if data.get(name):
                form.fields[name].initial = data.get(name)
        if data.get("address") == NEW_ADDRESS:
            form.new_address = AddressForm(
                initial={name: data.get(f"new-{name}", "") for name in AddressForm.Meta.fields}, prefix="new"
            )
        form.kept_data = data
        return form

    def shipping_address(self):
        """The address the shipping fees are worked out for: the one chosen (posted or pre-selected); a new
        address by its province, city and district as typed; None if nothing usable is known."""
        data = self.data if self.is_bound else getattr(self, "kept_data", None)
        choice = data.get("address") if data is not None else self.fields["address"].initial
        if choice == NEW_ADDRESS:
            if data is None:  # the blank new address starts in its default province
                province = self.new_address.initial.get("province") or self.new_address.instance.province
                return ProvinceOnly(province) if province else None
            province = data.get("new-province", "")
            if not province.strip():
                return None
            return ProvinceOnly(province, data.get("new-city", ""), data.get("new-district", ""))
        return next((a for a in self.addresses if str(a.pk) == str(choice)), None)

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


# -- after-sale requests (售后) ---------------------------------------------------------------------------------


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to three photos in one picker; after_sale.checked_photos checks each is a real image."""

    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(item, initial) for item in files if item]


class AfterSaleForm(forms.Form):
    """A buyer's after-sale request on one vendor part: per-line quantities (`line_<id>` fields, each at most what
    may still be asked for), kind, reason, note and photos. after_sale.create_request decides the rest."""

    kind = forms.ChoiceField(label=_("What do you want?"), widget=forms.RadioSelect)
    reason = forms.ChoiceField(label=_("Reason"))
    note = forms.CharField(
        label=_("Describe the problem"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to three photos (JPEG, PNG, WebP …). Only you, the vendor and the platform see them."),
        widget=MultiplePhotoInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args, lines, available, **kwargs):
        from .models import AfterSaleRequest

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = AfterSaleRequest.Kind.choices
        self.fields["kind"].initial = AfterSaleRequest.Kind.REFUND_ONLY
        self.fields["reason"].choices = [("", _("Choose…")), *AfterSaleRequest.Reason.choices]
        self.line_names = []
        quantity_fields = {}
        for line in lines:
            most = available.get(line.pk, 0)
            if not most:
                continue
            name = f"line_{line.pk}"
            quantity_fields[name] = forms.IntegerField(
                label=f"{line.name}",
                # No max_value: the service says which item and how many are left, in one message.
                min_value=0,
                initial=0,
                required=False,
                help_text=_("At most %(n)s %(unit)s") % {"n": most, "unit": line.unit},
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.line_names.append(name)
        # Quantities first: what the request is about, then why.
        self.fields = {**quantity_fields, **self.fields}

    def line_fields(self):
        return [self[name] for name in self.line_names]

    def quantities(self):
        return {int(name[5:]): self.cleaned_data.get(name) or 0 for name in self.line_names}


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Why do you refuse?"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class AcceptReturnForm(forms.Form):
    return_address = forms.CharField(
        label=_("Return address"),
        max_length=300,
        required=False,
        help_text=_("Where the buyer sends the goods back (needed for a return)."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReturnShipmentForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"))
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)

    def __init__(self, *args, **kwargs):
        from . import carriers

        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [("", _("Choose…")), *carriers.choices()]


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the buyer and the vendor"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
