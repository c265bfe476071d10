"""The public vendor application form. Validation of input only; the service decides the rest."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cms.models import County
from cms.phone import normalize_contact_phone
from cms.validators import validate_uscc

from .models import VendorPage


def normalise_phone(value):
    """A vendor's or buyer's contact number: a mainland mobile or a landline (cms.phone); refused otherwise."""
    phone = normalize_contact_phone(value)
    if phone:
        return phone
    raise ValidationError(
        _("Enter a mobile number such as 13812345678 or a landline such as 0570-1234567."), code="phone"
    )


class VendorApplicationForm(forms.Form):
    business_name = forms.CharField(label=_("Business name"), max_length=120)
    business_name_en = forms.CharField(label=_("English name"), max_length=120, required=False)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        min_length=18,
        help_text=_("统一社会信用代码, 18 characters, on your business licence."),
    )
    county = forms.ModelChoiceField(label=_("County"), queryset=County.objects.order_by("city__code", "name"))
    kind = forms.ChoiceField(label=_("Kind of business"), choices=VendorPage.Kind.choices)
    contact_name = forms.CharField(label=_("Contact person"), max_length=40)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    description = forms.CharField(
        label=_("What you make and sell"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    account_email = forms.EmailField(
        label=_("Login e-mail"), help_text=_("You log in with this e-mail to manage your shop.")
    )
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password_confirm = forms.CharField(label=_("Confirm password"), widget=forms.PasswordInput, strip=False)

    ACCOUNT_FIELDS = ("account_email", "password", "password_confirm")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        if self.user is not None:
            for name in self.ACCOUNT_FIELDS:
                del self.fields[name]

    def clean_uscc(self):
        uscc = self.cleaned_data["uscc"].strip().upper()
        validate_uscc(uscc)
        return uscc

    def clean_contact_phone(self):
        return normalise_phone(self.cleaned_data["contact_phone"])

    def clean_account_email(self):
        email = self.cleaned_data["account_email"].strip().lower()
        User = get_user_model()
        if User.objects.filter(username__iexact=email).exists() or User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("An account with this e-mail already exists. Log in first, then apply."), code="account_exists"
            )
        return email

    def clean(self):
        cleaned = super().clean()
        if self.user is None:
            password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
            if password and confirm and password != confirm:
                self.add_error("password_confirm", _("The two passwords differ."))
            elif password:
                User = get_user_model()
                email = cleaned.get("account_email") or ""
                try:
                    validate_password(password, User(username=email, email=email))
                except ValidationError as error:
                    self.add_error("password", error)
        return cleaned
