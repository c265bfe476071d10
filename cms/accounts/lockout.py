"""The page django-axes answers with once an account or an address has failed too many logins.

Settings AXES_LOCKOUT_CALLABLE points here, so every password login (the site's /login/, Wagtail's and Django's
admin logins) gets the same translated page, status 429 and a Retry-After of the whole cool-off period."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.template.response import TemplateResponse

from cms.phone import normalize_mobile


def lockout_seconds():
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_response(request, original_response=None, credentials=None):
    seconds = lockout_seconds()
    response = TemplateResponse(
        request,
        "cms/accounts/locked_out.html",
        {"minutes": max(1, seconds // 60), "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    response.render()
    return response


def axes_username(request, credentials=None):
    """The name failures are counted under: what was typed, as one account's name whatever its spelling
    ("+86 139-0013-9000" is "13900139000"; names and e-mails in lower case), so that writing one account
    differently does not buy more guesses."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        data = getattr(request, "POST", {})
        value = data.get("username") or data.get("identifier")
    value = (value or "").strip()
    return normalize_mobile(value) or value.lower()


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' backend for logins that come with a request (every login page passes one). A call without
    a request — code such as the test client's login() or a management command, never a visitor — is not a
    login attempt from an address, so it is neither counted nor refused (axes would raise instead)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
