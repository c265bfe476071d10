"""Sign-up, login and profile forms."""

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from cms.phone import normalize_mobile

from .. import privacy
from ..models.privacy import Consent
from .backends import candidates

# Django 5.2 changed MinimumLengthValidator's message to "%d", and Django's own zh_Hans catalogue still has only
# the old "%(min_length)d" msgid, so "This password is too short…" came out in English on Chinese pages. The
# msgid is listed here so that `make messages` keeps it in cms's catalogue, which carries its translation.
DJANGO_MESSAGES = (
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        8,
    ),
)


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
    phone = normalize_mobile(value)
    if phone:
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


MOBILE_ATTRS = {"type": "tel", "inputmode": "numeric", "autocomplete": "tel", "placeholder": "13812345678"}


class MobileField(forms.CharField):
    """A mainland mobile number, typed on the phone's number pad; cleaned to 11 digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs=MOBILE_ATTRS))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        phone = normalize_mobile(value)
        if not phone:
            raise ValidationError(
                _("Enter a mainland China mobile number (11 digits, such as 13812345678)."), code="mobile"
            )
        return phone


class SignupForm(forms.Form):
    mobile = MobileField(required=False, help_text=_("Your mobile number or your e-mail address, or both."))
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}),
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
    consent = privacy.consent_field()

    # No "account exists" error: the answer must be the same whether or not the number or e-mail has an
    # account (save() creates nothing then, and the view tells the existing owner instead).

    def clean_email(self):
        return (self.cleaned_data["email"] or "").strip().lower()

    def existing(self):
        """[(PHONE or EMAIL, value)] for what already belongs to an account: nothing is created then."""
        data = self.cleaned_data
        found = []
        if data.get("mobile") and find_user(PHONE, data["mobile"]) is not None:
            found.append((PHONE, data["mobile"]))
        if data.get("email") and find_user(EMAIL, data["email"]) is not None:
            found.append((EMAIL, data["email"]))
        return found

    def clean(self):
        data = super().clean()
        if not data.get("mobile") and not data.get("email") and "mobile" in data and "email" in data:
            self.add_error("mobile", _("Enter your mobile number or your e-mail address."))
            return data
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1 and (data.get("mobile") or data.get("email")):
            try:
                validate_password(password1, self._new_user(data))
            except ValidationError as error:
                self.add_error("password1", error)
        return data

    @staticmethod
    def _new_user(data):
        """A phone account's username is its number; an e-mail-only account's username is the e-mail."""
        return get_user_model()(
            username=data.get("mobile") or data.get("email"),
            email=data.get("email") or "",
            first_name=data.get("name", ""),
        )

    def save(self):
        """The new account, or None when the number or e-mail already has one (nothing is changed then)."""
        if self.existing():
            return None
        user = self._new_user(self.cleaned_data)
        user.set_password(self.cleaned_data["password1"])
        try:
            with transaction.atomic():
                user.save()
                privacy.record_consent(purpose=Consent.Purpose.SIGNUP, user=user)
        except IntegrityError:  # the same number or e-mail signed up at the same moment
            return None
        return user


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Username, mobile number or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs=IDENTIFIER_ATTRS),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, data=None, *, request=None):
        super().__init__(data)
        self.request = request
        self.user = None

    def clean(self):
        data = super().clean()
        identifier, password = (data.get("identifier") or "").strip(), data.get("password")
        if identifier and password:
            user = authenticate(self.request, username=identifier, password=password)
            if user is None:
                if any(u.check_password(password) and not u.is_active for u in candidates(identifier)):
                    raise ValidationError(_("This account is inactive."), code="inactive")
                raise ValidationError(
                    _("The username, mobile number or e-mail and the password do not match an account."),
                    code="invalid_login",
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


class ResetRequestForm(PasswordResetForm):
    """Django's password-reset form, also taking a mobile number: an e-mail gets Django's reset link, a mobile
    number an SMS code (the view decides). Either way the answer never tells whether an account exists."""

    email = forms.CharField(
        label=_("Mobile number or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={**IDENTIFIER_ATTRS, "autocomplete": "username"}),
    )

    def clean_email(self):
        self.kind, value = classify_identifier(self.cleaned_data["email"])
        return value


class SmsResetForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*", "maxlength": "6"}
        ),
    )
    new_password1 = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, data=None, *, phone):
        super().__init__(data)
        self.phone = phone

    def clean(self):
        data = super().clean()
        password1, password2 = data.get("new_password1"), data.get("new_password2")
        if password1 and password2 and password1 != password2:
            self.add_error("new_password2", _("The two passwords differ."))
        elif password1:
            User = get_user_model()
            try:
                validate_password(password1, User._default_manager.filter(username=self.phone).first())
            except ValidationError as error:
                self.add_error("new_password1", error)
        return data


class DeleteAccountForm(forms.Form):
    """The confirmation step before deleting an account: the password, and a box saying what it means."""

    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account cannot be restored"),
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )
