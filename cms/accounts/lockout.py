"""The page django-axes answers with once an account or an address has failed too many logins.

Settings AXES_LOCKOUT_CALLABLE points here, so every password login (the site's /login/, Wagtail's and Django's
admin logins) gets the same translated page, status 429 and a Retry-After of the whole cool-off period."""

from django.conf import settings
from django.template.response import TemplateResponse


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
