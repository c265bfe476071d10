"""Who is calling: an API token (`Authorization: Bearer shm_…`) or the site's own session.

- A request that names a token is judged by that token alone: a missing, bad or revoked token is 401,
  never a fall-back to the session cookie sent along with it.
- Session users (the site's own pages calling the API) keep Django's CSRF protection for unsafe methods.
  A token is not sent by the browser on its own, so token requests need no CSRF token.
"""

from django.conf import settings
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from cms.models import ApiToken

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a token made on the account page or by `create_api_token`."""

    def __call__(self, request):
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _sep, secret = header.strip().partition(" ")
        if scheme.lower() != self.openapi_scheme or not secret.strip():
            raise AuthenticationError()
        return self.authenticate(request, secret.strip())

    def authenticate(self, request, token):
        api_token = ApiToken.find_active(token)
        if api_token is None:
            raise AuthenticationError()
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


class CsrfFailed(HttpError):
    def __init__(self):
        super().__init__(403, "CSRF check failed")


class SessionAuth(APIKeyCookie):
    """The logged-in site user; unsafe methods need the CSRF token as on any Django form."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=True)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        unsafe = request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False)
        if unsafe and check_csrf(request):
            raise CsrfFailed()
        return user

    def authenticate(self, request, key):  # pragma: no cover - __call__ does the work
        return None


token_auth = TokenAuth()
session_auth = SessionAuth()
