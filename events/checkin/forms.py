"""The check-in staff's form: a scanned or typed ticket code."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Ticket code"),
        max_length=300,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
                "aria-describedby": "checkin-code-help",
            }
        ),
    )
