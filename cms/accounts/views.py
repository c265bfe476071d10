"""Sign up, log in, log out and the profile. Thin: the forms check, django.contrib.auth logs in."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .backends import BACKEND
from .forms import LoginForm, ProfileForm, SignupForm

__all__ = ["BACKEND", "account_url", "login_required"]


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


@never_cache
@sensitive_post_parameters("password1", "password2")
def signup(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request) or account_url())
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend=BACKEND)
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect(_next_url(request) or account_url())
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
