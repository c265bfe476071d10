"""Production: everything base.py reads from the environment, plus HTTPS-only cookies and HSTS.

Behind a TLS-terminating proxy that sets X-Forwarded-Proto. Passes `manage.py check --deploy`.
"""

from .base import *  # noqa: F403
from .env import env_bool, env_int

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# Health checks from the load balancer come over plain HTTP on loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
