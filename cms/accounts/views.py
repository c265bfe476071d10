"""Sign up, log in, log out and the profile. Thin: the forms check, django.contrib.auth logs in."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cms.errors import DomainError
from cms.phone import mask_phone
from cms.sms import enqueue_sms

from .. import mail, privacy
from . import services
from .backends import BACKEND
from .forms import EMAIL, PHONE, DeleteAccountForm, LoginForm, ProfileForm, ResetRequestForm, SignupForm, SmsResetForm

__all__ = ["BACKEND", "account_url", "login_required"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def account_url():
    """The account page (marketplace adds it); the profile page when it is not there."""
    try:
        return reverse("account")
    except NoReverseMatch:
        return reverse("account_profile")


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def notify_existing_owner(kind, identifier):
    """Someone tried to sign up with this number or e-mail: tell its owner, after commit, never failing."""
    text = _(
        "Someone tried to create a new account at Shanhai Market with your mobile number or e-mail. You "
        "already have an account: log in with it. If this was not you, you can ignore this message."
    )
    if kind == PHONE:
        enqueue_sms(identifier, "signup_existing_account", {}, text)
    else:
        transaction.on_commit(
            lambda: mail.send_mail(_("Your Shanhai Market account"), str(text), None, [identifier], fail_silently=True)
        )


@never_cache
@sensitive_post_parameters("password1", "password2")
def signup(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request) or account_url())
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The same answer whether or not the number or e-mail already had an account, so that signup cannot
        # be used to find out who has one: nobody is logged in here, the existing owner gets a notice.
        existing = form.existing()
        if form.save() is None:
            for kind, identifier in existing:
                notify_existing_owner(kind, identifier)
        messages.success(
            request,
            _(
                "If this mobile number or e-mail was new, your account is ready: log in with it and the password "
                "you chose. If it already had an account, we have sent its owner a notice."
            ),
        )
        target = reverse("login")
        if _next_url(request):
            target += "?" + urlencode({"next": _next_url(request)})
        return redirect(target)
    return TemplateResponse(request, "cms/accounts/signup.html", {"form": form, "next": _next_url(request)})


@never_cache
@sensitive_post_parameters("password")
def login_view(request):
    form = LoginForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.user, backend=BACKEND)
        return redirect(_next_url(request) or account_url())
    return TemplateResponse(request, "cms/accounts/login.html", {"form": form, "next": _next_url(request)})


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("wagtail_serve", "")


@never_cache
@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect(account_url())
    return TemplateResponse(request, "cms/accounts/profile.html", {"form": form})


# -- personal data (PIPL): download it, delete the account ---------------------------------------------------


@never_cache
@login_required
def my_data(request):
    """The account's personal data from every app: the page with the links, then JSON or Excel."""
    fmt = request.GET.get("format", "")
    stamp = timezone.localdate().isoformat()
    if fmt == "json":
        response = HttpResponse(privacy.personal_data_json(request.user), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(privacy.personal_data_xlsx(request.user), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.xlsx"'
        return response
    return TemplateResponse(request, "cms/accounts/my_data.html", {"delete_form": DeleteAccountForm()})


@never_cache
@login_required
@sensitive_post_parameters("password")
def delete_account(request):
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            privacy.delete_account(request.user, form.cleaned_data["password"])
        except DomainError as exc:
            form.add_error("password", exc.message)
        else:
            logout(request)
            messages.success(request, _("Your account is deleted."))
            return redirect("wagtail_serve", "")
    return TemplateResponse(request, "cms/accounts/delete_account.html", {"form": form})


# -- password reset: Django's views and token for e-mail, an SMS code for a mobile number -------------------

RESET_PHONE_SESSION_KEY = "password_reset_phone"


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view: an e-mail address gets Django's one-time link; a mobile number an SMS code
    (cms.accounts.services), then the code page. The same answer whether or not an account exists."""

    form_class = ResetRequestForm
    template_name = "cms/accounts/password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        if form.kind == EMAIL:
            return super().form_valid(form)
        phone = form.cleaned_data["email"]
        try:
            services.send_reset_code(phone)
        except DomainError as error:
            if error.code != "wait" or self.request.session.get(RESET_PHONE_SESSION_KEY) != phone:
                form.add_error("email", error.message)
                return self.form_invalid(form)
            messages.info(self.request, error.message)
        else:
            messages.success(self.request, _("If an account uses this mobile number, we have sent it a code by SMS."))
        self.request.session[RESET_PHONE_SESSION_KEY] = phone
        return redirect("password_reset_sms")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "cms/accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "cms/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "cms/accounts/password_reset_complete.html"


@never_cache
@sensitive_post_parameters("new_password1", "new_password2", "code")
def password_reset_sms(request):
    phone = request.session.get(RESET_PHONE_SESSION_KEY)
    if not phone:
        return redirect("password_reset")
    form = SmsResetForm(request.POST or None, phone=phone)
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password_with_code(phone, form.cleaned_data["code"], form.cleaned_data["new_password1"])
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            del request.session[RESET_PHONE_SESSION_KEY]
            messages.success(request, _("Your password is changed. Log in with the new password."))
            return redirect("login")
    masked = mask_phone(phone)
    return TemplateResponse(
        request, "cms/accounts/password_reset_sms.html", {"form": form, "phone": phone, "masked": masked}
    )
