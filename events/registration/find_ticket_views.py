"""The "find my ticket" pages under the fair index: mobile number → SMS code → the number's tickets."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from cms.accounts.forms import MobileField
from cms.errors import DomainError
from cms.phone import mask_phone
from events.pages import fair_index
from events.registration import find_ticket
from events.registration.tickets import manage_path

SESSION_KEY = "find_ticket_phone"


class PhoneForm(forms.Form):
    phone = MobileField(label=gettext_lazy("Mobile phone"), help_text=gettext_lazy("The number you registered with."))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the SMS"),
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*", "maxlength": "6"}
        ),
    )


def _urls():
    return reverse("fair_find_ticket"), reverse("fair_find_ticket_code")


@never_cache
def ask(request):
    index = fair_index(request)
    start_url, code_url = _urls()
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            find_ticket.send_code(phone)
        except DomainError as error:
            if error.code != "wait" or request.session.get(SESSION_KEY) != phone:
                form.add_error("phone", error.message)
                return TemplateResponse(request, "events/find_ticket.html", {"page": index, "form": form})
            messages.info(request, error.message)
        request.session[SESSION_KEY] = phone
        return redirect(code_url)
    return TemplateResponse(request, "events/find_ticket.html", {"page": index, "form": form})


@never_cache
def check(request):
    index = fair_index(request)
    start_url, code_url = _urls()
    phone = request.session.get(SESSION_KEY)
    if not phone:
        return redirect(start_url)
    form = CodeForm(request.POST or None)
    registrations = None
    if request.method == "POST" and form.is_valid():
        try:
            registrations = find_ticket.registrations_for(phone, form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            del request.session[SESSION_KEY]
            for registration in registrations:
                registration.link = manage_path(registration)
            if not registrations:
                messages.info(request, _("No registrations were made with this mobile number."))
    return TemplateResponse(
        request,
        "events/find_ticket_code.html",
        {
            "page": index,
            "form": form,
            "phone": phone,
            "masked": mask_phone(phone),
            "registrations": registrations,
            "start_url": start_url,
        },
    )
