"""Sign-up, login and profile forms."""

import re

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")

PHONE, EMAIL = "phone", "email"


def classify_identifier(value):
    """("phone", "13812345678") or ("email", "name@example.cn") from what a person typed; else ValidationError."""
    value = (value or "").strip()
    if "@" in value:
        email = value.lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(_("Enter a valid e-mail address."), code="email") from None
        return EMAIL, email
    phone = re.sub(r"[\s\-()]", "", value)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if MOBILE_RE.match(phone):
        return PHONE, phone
    raise ValidationError(
        _("Enter a mainland China mobile number (11 digits, such as 13812345678) or an e-mail address."),
        code="identifier",
    )


def find_user(kind, value):
    User = get_user_model()
    if kind == PHONE:
        return User.objects.filter(username=value).first()
    return User.objects.filter(Q(username__iexact=value) | Q(email__iexact=value)).order_by("pk").first()


IDENTIFIER_ATTRS = {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}


class SignupForm(forms.Form):
    identifier = forms.CharField(
        label=_("Mobile number or e-mail"), max_length=254, widget=forms.TextInput(attrs=IDENTIFIER_ATTRS)
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        required=False,
        help_text=_("How vendors address you; optional."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_identifier(self):
        # No "account exists" error: the answer must be the same whether or not the number or e-mail has an
        # account (the view tells the existing owner instead).
        kind, value = classify_identifier(self.cleaned_data["identifier"])
        self.kind = kind
        return value

    def clean(self):
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1 and "identifier" in data:
            User = get_user_model()
            probe = User(username=data["identifier"], first_name=data.get("name", ""))
            if self.kind == EMAIL:
                probe.email = data["identifier"]
            try:
                validate_password(password1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return data

    def save(self):
        """The new account, or None when the number or e-mail already has one (nothing is changed then)."""
        data = self.cleaned_data
        User = get_user_model()
        if find_user(self.kind, data["identifier"]) is not None:
            return None
        try:
            with transaction.atomic():
                return User.objects.create_user(
                    username=data["identifier"],
                    email=data["identifier"] if self.kind == EMAIL else "",
                    password=data["password1"],
                    first_name=data.get("name", ""),
                )
        except IntegrityError:  # the same identifier signed up at the same moment
            return None


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Mobile number or e-mail"), max_length=254, widget=forms.TextInput(attrs=IDENTIFIER_ATTRS)
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, data=None, *, request=None):
        super().__init__(data)
        self.request = request
        self.user = None

    def clean_identifier(self):
        kind, value = classify_identifier(self.cleaned_data["identifier"])
        self.kind = kind
        return value

    def clean(self):
        data = super().clean()
        if "identifier" in data and data.get("password"):
            found = find_user(self.kind, data["identifier"])
            # authenticate() every time, for an unknown identifier too: django-axes counts the failure (per
            # account and per address) and may refuse, and the password hasher runs either way.
            username = found.get_username() if found is not None else data["identifier"]
            user = authenticate(self.request, username=username, password=data["password"])
            if user is None:
                raise ValidationError(
                    _("The mobile number or e-mail and password do not match an account."), code="invalid_login"
                )
            self.user = user
        return data


class ProfileForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["first_name", "email"]
        labels = {"first_name": _("Your name"), "email": _("E-mail")}

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email:
            others = get_user_model().objects.exclude(pk=self.instance.pk)
            if others.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
                raise ValidationError(_("Another account uses this e-mail."), code="exists")
        return email
