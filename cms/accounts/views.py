"""Sign up, log in, log out and the profile. Thin: the forms check, django.contrib.auth logs in."""

import functools

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cms.sms import enqueue_sms

from .forms import PHONE, LoginForm, ProfileForm, SignupForm

BACKEND = "django.contrib.auth.backends.ModelBackend"


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


def login_required(view):
    """Like Django's, but to our login page in the current language."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


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
            lambda: send_mail(_("Your Shanhai Market account"), str(text), None, [identifier], fail_silently=True)
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
        if form.save() is None:
            notify_existing_owner(form.kind, form.cleaned_data["identifier"])
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
