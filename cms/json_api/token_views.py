"""The account page's API token section: make a token (its secret is shown once, on the answer to the
POST, and stored nowhere) and revoke one. The section itself is cms/accounts/api_tokens.html."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cms.accounts.views import account_url
from cms.models import ApiToken

MAX_ACTIVE_TOKENS = 20


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("Where you use it, for example “my phone”."),
    )


def _back():
    return redirect(account_url() + "#api-tokens")


@never_cache
@require_POST
@login_required
def create_token(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The token name can have at most 60 characters."))
        return _back()
    if ApiToken.objects.active().filter(user=request.user).count() >= MAX_ACTIVE_TOKENS:
        messages.error(request, _("You have %(n)s tokens already; revoke one first.") % {"n": MAX_ACTIVE_TOKENS})
        return _back()
    token, secret = ApiToken.issue(request.user, form.cleaned_data["name"] or _("API token"))
    # Rendered, not redirected: the secret must not travel through the session or a URL.
    return TemplateResponse(
        request, "cms/accounts/api_token_created.html", {"token": token, "secret": secret, "back_url": account_url()}
    )


@never_cache
@require_POST
@login_required
def revoke_token(request, pk):
    token = ApiToken.objects.active().filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404
    token.revoke()
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name or token.key_prefix})
    return _back()
