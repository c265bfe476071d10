"""Page-cache hits answered at the WSGI level, before Django's handler (config/wsgi.py wraps Django's app).

A hit through Django (cms.page_cache.FastPathMiddleware) still pays for Django's handler: the request signals
(closing old database connections, resetting queries), a WSGIRequest, the hit middleware objects and an
HttpResponse — about two thirds of a hit's CPU. `PageCacheApplication` answers the plain hit itself, from the
WSGI environ: the cookies, Host, Accept-Encoding and If-None-Match it needs, the cache versions, the session and
the reader's entry in one round trip to the cache (with Redis one MGET on a connection of its own,
cms.cache.DirectReader, without redis-py's client machinery; the page itself comes from the process's own copy,
PAGE_CACHE_LOCAL_ENTRIES, or one more read), with the same key scheme (page_cache.page_key), the same reader
(personal_cache.cached_reader) and the same answer (page_cache.answer) as the Django path, and the headers the
hit middleware would add: the CSP header with this response's nonce (cms.csp.site_policy), X-Frame-Options,
Content-Language and the language Vary, the security headers, and the CSRF cookie when the page has a form.
The static ones are made once per process by Django's own middleware (SecurityMiddleware, XFrameOptions,
CsrfViewMiddleware's cookie), only what differs per response is made per hit.

Anything else goes to Django, which answers as before: misses, other methods, /healthz, paths that are never
pages, an Authorization header, a messages cookie, a Host not in ALLOWED_HOSTS (Django's 400), the TLS redirect,
a session or CSRF cookie that is not in Django's own format, a session not found in the cache (a forged or
expired cookie: Django loads it from the database, or forgets it), a reader whose entry is missing or was made
for another session auth hash (Django loads the user), messages waiting, a visitor header not rendered yet in
this process, settings under which the hit middleware would differ (another session engine, CSRF in the
session, a report-only CSP, DEBUG …), Redis down or failing (Django's cache then degrades as in an outage), and
any error.
"""

import logging
import re
import time
from http.client import responses

from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import get_path_info, get_script_name
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie
from django.utils.http import http_date
from django.utils.module_loading import import_string
from django.utils.translation import to_language

from cms import csp, page_cache, personal_cache
from cms.cache import DegradingRedisCache, DirectReader

logger = logging.getLogger(__name__)

SECURITY = "django.middleware.security.SecurityMiddleware"
CSRF = "django.middleware.csrf.CsrfViewMiddleware"
XFRAME = "django.middleware.clickjacking.XFrameOptionsMiddleware"
CSP = "cms.csp.SiteCSPMiddleware"
LOCALE = "django.middleware.locale.LocaleMiddleware"
FAST_PATH = "cms.page_cache.FastPathMiddleware"
# Django's own formats: a session key (get_random_string(32, VALID_KEY_CHARS)), an unmasked CSRF secret.
SESSION_KEY = re.compile(r"[a-z0-9]{32}")
CSRF_SECRET = re.compile(r"[A-Za-z0-9]{32}")
SECRET_MARK = "x" * 32
# Bounds of the per-process memos below (what a Host header or a path can be is up to the client): when full, a
# memo starts again empty.
MEMO_LIMIT = 512


def _no_view(request):  # the middleware below are only asked for their response step
    return None


class _EnvironRequest(HttpRequest):
    """Just enough of a request over the WSGI environ for Django's own get_host(), scheme and is_secure()."""

    def __init__(self, environ):  # no super().__init__: no query dicts, no files, nothing parsed
        self.META = environ

    def _get_scheme(self):
        return self.META.get("wsgi.url_scheme")


class _Setup:
    """What the WSGI path needs from the settings, worked out once per process (again when a setting changes):
    None where the hit middleware would differ from what this module reproduces."""

    def __init__(self):
        configured = list(settings.MIDDLEWARE)
        self.usable = (
            FAST_PATH in configured
            and LOCALE in configured
            and CSRF in configured
            and any(path in page_cache.SESSION_MIDDLEWARE for path in configured)
            and page_cache.simple_locale_used()
            and not settings.CSRF_USE_SESSIONS
            and not settings.SESSION_SAVE_EVERY_REQUEST
            and (CSP not in configured or csp.fast_policy_applies())
        )
        self.security = SECURITY in configured
        self.xframe = XFRAME in configured
        self.csp = CSP in configured
        self.ssl_redirect = self.security and settings.SECURE_SSL_REDIRECT
        self.sessions_in_cache = page_cache.sessions_in_cache()
        self.session_store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
        self.skip = (*page_cache.NOT_PAGES, settings.STATIC_URL or "/static/", settings.MEDIA_URL or "/media/")
        self.session_cookie = settings.SESSION_COOKIE_NAME
        self.csrf_cookie = settings.CSRF_COOKIE_NAME
        self.csrf_max_age = settings.CSRF_COOKIE_AGE
        self.proxy_ssl_header = (settings.SECURE_PROXY_SSL_HEADER or (None,))[0]
        default = caches["default"]
        # Redis: the hit's one read bypasses redis-py's client (cms.cache.DirectReader); other caches (local memory
        # in development and tests) are read through Django's.
        self.direct = DirectReader(default) if isinstance(default, DegradingRedisCache) else None
        self._outer = {}
        self._cookie = None
        self._cookie_expires = (None, None)
        self._hosts = {}
        self._languages = {}
        self._gzip = {}
        self.seconds = page_cache.seconds()
        self.force_script_name = settings.FORCE_SCRIPT_NAME

    def path(self, environ):
        """The path Django's handler would route (get_path_info), or None under a script name (Django answers)."""
        if self.force_script_name is not None or any(
            environ.get(name) for name in ("SCRIPT_URL", "REDIRECT_URL", "SCRIPT_NAME")
        ):
            return None if get_script_name(environ) else get_path_info(environ)
        return get_path_info(environ)

    def accepts_gzip(self, header):
        """page_cache.header_accepts_gzip, remembered per Accept-Encoding value (browsers send a handful)."""
        found = self._gzip.get(header)
        if found is None:
            found = page_cache.header_accepts_gzip(header)
            if len(self._gzip) >= MEMO_LIMIT:
                self._gzip.clear()
            self._gzip[header] = found
        return found

    def read_many(self, keys):
        """The cache's get_many, or None when Redis is down or failed."""
        if self.direct is not None:
            return self.direct.get_many(keys, shared=True)  # the hit only reads the session and the entry
        return cache.get_many(keys)

    def host_and_scheme(self, environ):
        """(host, scheme) as Django's request works them out (get_host(), scheme), or None for a host not in
        ALLOWED_HOSTS; remembered per distinct set of the environ values they depend on."""
        proxy = self.proxy_ssl_header
        memo_key = (
            environ.get("HTTP_HOST"),
            environ.get("HTTP_X_FORWARDED_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
            environ.get("wsgi.url_scheme"),
            environ.get(proxy) if proxy else None,
        )
        found = self._hosts.get(memo_key)
        if found is None:
            request = _EnvironRequest(environ)
            try:
                found = (request.get_host(), request.scheme)
            except DisallowedHost:
                found = False
            if len(self._hosts) >= MEMO_LIMIT:
                self._hosts.clear()
            self._hosts[memo_key] = found
        return found or None

    def language(self, path):
        """page_cache.hit_language(path), remembered per path."""
        found = self._languages.get(path)
        if found is None:
            found = page_cache.hit_language(path)
            if len(self._languages) >= MEMO_LIMIT:
                self._languages.clear()
            self._languages[path] = found
        return found

    def outer_headers(self, secure):
        """(X-Frame-Options, the security headers) as XFrameOptionsMiddleware and SecurityMiddleware add them to
        a hit: made by those middleware themselves, on empty responses."""
        headers = self._outer.get(secure)
        if headers is None:
            request = _EnvironRequest({"wsgi.url_scheme": "https" if secure else "http"})
            headers = []
            for path, wanted in ((XFRAME, self.xframe), (SECURITY, self.security)):
                response = HttpResponse()
                del response["Content-Type"]
                if wanted:
                    import_string(path)(_no_view).process_response(request, response)
                headers.append(list(response.items()))
            headers = self._outer[secure] = tuple(headers)
        return headers

    def csrf_cookie_header(self, secret):
        """Set-Cookie for the CSRF cookie as CsrfViewMiddleware sends it (made by it once, with a mark where the
        secret goes; the expiry date is this response's)."""
        if self._cookie is None:
            from django.middleware.csrf import CsrfViewMiddleware

            request = _EnvironRequest({"CSRF_COOKIE": SECRET_MARK})
            response = HttpResponse()
            CsrfViewMiddleware(_no_view)._set_csrf_cookie(request, response)
            morsel = response.cookies[self.csrf_cookie]
            expires = morsel["expires"]
            self._cookie = (morsel.output(header=""), expires)
        text, expires = self._cookie
        if expires:
            text = text.replace(expires, self._expires(), 1)
        return text.replace(SECRET_MARK, secret, 1)

    def _expires(self):
        """The cookie's expiry date for a response sent now: http_date has a resolution of a second, so it is
        formatted once a second."""
        now = int(time.time())
        second, date = self._cookie_expires
        if second != now:
            date = http_date(now + self.csrf_max_age)
            self._cookie_expires = (now, date)
        return date


_setup = None


@receiver(setting_changed, dispatch_uid="cms-page-cache-wsgi-settings-changed")
def _forget_setup(**kwargs):
    global _setup
    if _setup is not None and _setup.direct is not None:
        _setup.direct.close()
    _setup = None


def setup():
    global _setup
    if _setup is None:
        _setup = _Setup()
    return _setup


def hit(environ):
    """(status line, headers, body) of a page-cache hit, or None: Django answers."""
    method = environ.get("REQUEST_METHOD")
    if method not in ("GET", "HEAD"):
        return None
    config = setup()
    if not config.usable or config.seconds <= 0:
        return None
    path = config.path(environ)
    if path is None or not path.startswith("/") or path == page_cache.HEALTHZ or path.startswith(config.skip):
        return None
    cookies = parse_cookie(environ.get("HTTP_COOKIE", "").encode("iso-8859-1").decode(errors="replace"))
    if not page_cache.may_look_up(method, cookies, environ):
        return None
    found = config.host_and_scheme(environ)
    if found is None:
        return None  # Django answers 400, as before
    host, scheme = found
    secure = scheme == "https"
    if config.ssl_redirect and not secure:
        return None
    csrf_secret = cookies.get(config.csrf_cookie)
    if csrf_secret is not None and not CSRF_SECRET.fullmatch(csrf_secret):
        return None  # Django replaces it (a new cookie) or unmasks an old-style one
    language, from_path = config.language(path)

    # The cache versions, the session and the signed-in person's entry in one round trip (as FastPathMiddleware).
    session_key = cookies.get(config.session_cookie)
    asked = list(page_cache.VERSION_KEYS)
    if session_key is not None:
        if not config.sessions_in_cache or not SESSION_KEY.fullmatch(session_key):
            return None
        stored_session = page_cache.session_cache_key(config.session_store, session_key)
        guess = page_cache.signed_in_people.get(session_key)
        asked += [stored_session, guess] if guess else [stored_session]
    found = config.read_many(asked)
    if found is None:
        return None  # Redis down or failing: Django answers, as in an outage
    session = None
    if session_key is not None:
        session = found.get(stored_session)
        if session is None:
            return None  # not in the cache: forged, expired, or only in the database
        person = personal_cache.entry_key(session)
        if person:
            page_cache.signed_in_people.remember(session_key, person)
            if person in asked:
                reader = personal_cache.cached_reader(cookies, session, language, entry=found.get(person))
            else:
                reader = personal_cache.cached_reader(cookies, session, language)
        else:
            reader = personal_cache.cached_reader(cookies, session, language)
    else:
        reader = personal_cache.cached_reader(cookies, None, language)
    if reader is None or reader is personal_cache.UNKNOWN:
        return None
    audience, personal = reader
    query = environ.get("QUERY_STRING", "")
    entry = page_cache.get_entry(page_cache.page_key(scheme, host, path, query, language, audience, found))
    if entry is None:
        return None

    def make_token():
        secret = csrf_secret or page_cache.new_csrf_secret()
        return page_cache.masked_token(secret), secret

    nonces = []

    def make_nonce():
        nonces.append(csp.make_nonce())
        return nonces[0]

    status, headers, body, cookie_secret = page_cache.answer(
        entry,
        "hit",
        personal,
        gzip_ok=config.accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", "")),
        if_none_match=environ.get("HTTP_IF_NONE_MATCH"),
        csrf_secret=csrf_secret,
        make_token=make_token,
        make_nonce=make_nonce,
    )
    # What the hit middleware add on the way out, innermost first: the CSP header, X-Frame-Options, the language
    # (Content-Language, and Vary for a URL whose language is not in its path), the security headers, the cookie.
    if not from_path:
        headers = [(name, f"{value}, Accept-Language" if name == "Vary" else value) for name, value in headers]
    if config.csp:
        policy = csp.site_policy(False, nonces[0] if nonces else None)
        if policy:
            headers.append((csp.HEADER, policy))
    frame_options, security = config.outer_headers(secure)
    headers += frame_options
    if not any(name == "Content-Language" for name, _value in headers):
        headers.append(("Content-Language", to_language(language)))
    headers += security
    if cookie_secret is not None:
        headers.append(("Set-Cookie", config.csrf_cookie_header(cookie_secret)))
    return f"{status} {responses[status]}", headers, body


class PageCacheApplication:
    """The site's WSGI application: page-cache hits answered here (hit()), everything else by Django's."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            found = hit(environ)
        except Exception:
            logger.exception("Page-cache hit failed before Django's handler; Django answers")
            found = None
        if found is None:
            return self.application(environ, start_response)
        status, headers, body = found
        start_response(status, headers)
        return [body]
