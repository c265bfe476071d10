"""Whole-page cache: the HTML of public Wagtail pages, served without a query, to visitors and signed-in people.

What is cached: GET/HEAD requests without a messages cookie, messages waiting in the session or an
Authorization header, answered 200 by a Wagtail page (or a routable sub-route the page lists in
`page_cache_routes`, or a view wrapped in `cacheable_view`: search, sitemaps), with no
cookie of their own, no session write and no `Cache-Control: private/no-cache/no-store` (Wagtail sends
that for password-protected pages). Everything else (admin, cart, checkout, accounts, registration,
APIs, previews, staff) is never looked up nor stored.

Per reader (cms.personal_cache): the key carries the reader's audience ("anon", "user", "user:canteen",
"user:v12" …: a copy per kind of reader where the page itself differs), and the header's account and cart
links are filled in per request between the `<!--personal-->` markers, like the CSRF token. A page under a
view restriction is never cached for a signed-in reader.

Early answer (FastPathMiddleware, first in MIDDLEWARE): a hit, and /healthz, are answered before the rest
of the middleware, through only what a cached page needs (security headers, session, locale, CSRF cookie,
X-Frame-Options, the CSP header with a fresh nonce).

CSRF: the cached copy holds a placeholder where each form's token was; every response fills in a freshly
masked token for the visitor's own csrftoken cookie (`csrf_token`: Django's get_token, with its randomness read
in one go).

Compression: an entry also keeps its page gzipped, made once when it is stored; a reader whose Accept-Encoding
allows gzip (every browser) gets it with `Content-Encoding: gzip`, others the page as is, and every answer says
`Vary: Accept-Encoding`. The parts filled in per response (CSRF token, nonce, header) go between the gzipped
parts as uncompressed deflate blocks, and each fixed part is compressed on its own: a secret is never
compressed together with anything else (BREACH), and no response is compressed again.

Freshness: an entry lives `PAGE_CACHE_SECONDS` (60 by default; 0 turns the cache off), and its key carries
two version numbers: the site shell's (cms.shell_cache: any page saved, published, unpublished, moved or
deleted, site settings, footer links) and this cache's own, bumped by `bump()` (taxonomy, images, view
restrictions, a product's stock state, a fair's stall state; see the `connect` calls in the apps).
So content is stale for at most the commit that changed it, and counts shown on a page for at most
PAGE_CACHE_SECONDS. Checkout and registration never read this cache.
"""

import functools
import hashlib
import os
import re
import struct
import threading
import time
import zlib
from collections import OrderedDict

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache, caches
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from cms import health, personal_cache, shell_cache
from cms.versioned_cache import VersionedCache

VERSION_KEY = "cms:page:version"
PLACEHOLDER = b"__PAGE_CACHE_CSRF_TOKEN__"
# Where the response's Content-Security-Policy nonce was (cms/csp.py): each response from the cache gets its
# own nonce, never the one of the visitor whose request filled the cache.
NONCE_PLACEHOLDER = b"__PAGE_CACHE_CSP_NONCE__"
HEADER = "X-Cache"
# Bots can ask for endless query strings; longer or busier ones are served, just not cached.
MAX_QUERY_LENGTH = 200
MAX_QUERY_PARAMS = 8
MAX_BODY_BYTES = 1024 * 1024
# Headers that the view sets and a cached copy must repeat (the outer middleware adds the rest).
KEPT_HEADERS = ("Content-Type", "Content-Language", "Link", "X-Robots-Tag")

# Pages shorter than this are served as they are: gzip would save too little to be worth a second copy.
GZIP_MIN_BYTES = 1024
GZIP_LEVEL = 9  # once per stored page
# A gzip member header: deflate, no file name, no modification time, unknown OS (RFC 1952).
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
_HOLES = re.compile(b"|".join(re.escape(mark) for mark in (PLACEHOLDER, NONCE_PLACEHOLDER, personal_cache.PLACEHOLDER)))

_TOKEN_INPUT = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{64})(">)')
_TOKEN_LIKE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


def seconds():
    return getattr(settings, "PAGE_CACHE_SECONDS", 0)


def enabled():
    return seconds() > 0


def store():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


_versions = VersionedCache(VERSION_KEY)


class _RecentEntries:
    """The entries this process read or stored lately, in memory.

    An entry never changes under its key: the key carries the cache versions, and every invalidation bumps a
    version and so makes new keys. A copy held here is therefore as good as the one in the shared cache until
    it expires (the same PAGE_CACHE_SECONDS), and serving it saves a cache round trip and unpickling the page
    on every hit. Bounded by PAGE_CACHE_LOCAL_ENTRIES (least recently used go first; 0 turns it off).
    """

    def __init__(self):
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def limit():
        return getattr(settings, "PAGE_CACHE_LOCAL_ENTRIES", 0)

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry["stored"] + seconds() <= time.time():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        limit = self.limit()
        if limit <= 0:
            return
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > limit:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()


recent = _RecentEntries()


def get_entry(key):
    entry = recent.get(key)
    if entry is None:
        entry = store().get(key)
        if entry is not None:
            recent.put(key, entry)
    return entry


def set_entry(key, entry):
    store().set(key, entry, seconds())
    recent.put(key, entry)


def version():
    """This cache's version (cms.versioned_cache: it starts random, so entries from before a cache clear or an
    eviction are never reached)."""
    return _versions.version()


VERSION_KEYS = (shell_cache.VERSION_KEY, VERSION_KEY)


def versions(found=None):
    """(shell version, page version) in one cache round trip when both are known; `found` holds them if the
    caller read them already (with other keys, in the same round trip)."""
    if found is None:
        found = cache.get_many(VERSION_KEYS)
    shell, page = found.get(shell_cache.VERSION_KEY), found.get(VERSION_KEY)
    return (shell if shell is not None else shell_cache.version()), (page if page is not None else version())


def bump(**kwargs):
    """Forget every cached page. Now, and again after commit: a request that rendered the old rows in
    between must not keep them."""
    _versions.bump()


def connect(*senders):
    """Bump the version whenever a row of these models is saved or deleted."""
    for sender in senders:
        post_save.connect(bump, sender=sender, dispatch_uid=f"page-cache-save-{sender._meta.label}")
        post_delete.connect(bump, sender=sender, dispatch_uid=f"page-cache-delete-{sender._meta.label}")


def _bump_if_created(sender, created, **kwargs):
    if created:
        bump()


def connect_rows(*senders):
    """Bump the version when a row of these models is created or deleted (not on every save: for models
    whose counters change often but whose pages only show that they exist)."""
    for sender in senders:
        post_save.connect(_bump_if_created, sender=sender, dispatch_uid=f"page-cache-create-{sender._meta.label}")
        post_delete.connect(bump, sender=sender, dispatch_uid=f"page-cache-delete-{sender._meta.label}")


# --- what may be cached -----------------------------------------------------------------------------


def request_is_cacheable(request):
    """Whether the cache may be looked up at all; who reads (cms.personal_cache.reader) decides the rest."""
    return may_look_up(request.method, request.COOKIES, request.META)


def may_look_up(method, cookies, meta):
    """request_is_cacheable from the method, the parsed cookies and the WSGI environ (or request.META): shared by
    the Django path and the WSGI one (cms.page_cache_wsgi)."""
    if not enabled() or method not in ("GET", "HEAD"):
        return False
    if "messages" in cookies or "HTTP_AUTHORIZATION" in meta:
        return False
    query = meta.get("QUERY_STRING", "")
    return len(query) <= MAX_QUERY_LENGTH and query.count("&") < MAX_QUERY_PARAMS


RESTRICTED_KEY = "cms:page:restricted:{}:{}"


def _restrictions():
    """{"paths": tree paths of the pages with a view restriction, "aliases": whether any alias page exists},
    cached under both versions (a restriction saved bumps this cache's, a page moved the shell's)."""
    from wagtail.models import Page, PageViewRestriction

    key = RESTRICTED_KEY.format(*versions())
    found = cache.get(key)
    if found is None:
        found = {
            "paths": list(PageViewRestriction.objects.values_list("page__path", flat=True)),
            "aliases": Page.objects.filter(alias_of__isnull=False).exists(),
        }
        cache.set(key, found, 24 * 60 * 60)
    return found


def restricted_paths():
    """The tree paths of the pages with a view restriction (for `cms.restrictions.public`), kept as `_restrictions`."""
    return _restrictions()["paths"]


def may_be_restricted(page):
    """False when no view restriction can apply to `page` (none on it or an ancestor, and no alias pages whose
    source's restrictions would apply): Wagtail's per-request restriction query can be skipped."""
    found = _restrictions()
    return found["aliases"] or any(page.path.startswith(path) for path in found["paths"])


def mark_page(page, request, serve_args, serve_kwargs):
    """Called as Wagtail serves a page (before_serve_page hook): say whether this route may be cached."""
    if getattr(request, "is_preview", False) or not getattr(page, "page_cache", True):
        return
    view = serve_args[0] if serve_args and callable(serve_args[0]) else None
    if view is not None and getattr(view, "__name__", None) not in getattr(page, "page_cache_routes", ()):
        return  # a routable sub-route that did not declare itself public (forms, tickets, reports …)
    user = getattr(request, "user", None)
    if getattr(user, "is_authenticated", False) and may_be_restricted(page):
        return  # a signed-in reader passed a login or group restriction: not for the next one
    request.page_cache_ok = True


def cacheable_view(view):
    """Let the page cache keep this view's answers to anonymous visitors, like a public page's: for
    read-only GET views whose answer depends only on the URL and the language (search, sitemaps)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        request.page_cache_ok = True
        return view(request, *args, **kwargs)

    return wrapper


def _response_is_cacheable(request, response):
    if not getattr(request, "page_cache_ok", False) or getattr(request, "is_preview", False):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-cache", "no-store")):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    storage = getattr(request, "_messages", None)
    if getattr(storage, "_queued_messages", None) or getattr(storage, "used", False):
        return False  # messages added, or shown: they belong to this reader only
    return len(response.content) <= MAX_BODY_BYTES


# Random bytes become characters by a table (byte mod the alphabet's size); the bytes at and above the largest
# multiple of that size are dropped, so every character is equally likely (as with Django's get_random_string).
_CSRF_BYTE_LIMIT = 256 - 256 % len(CSRF_ALLOWED_CHARS)
_CSRF_DROPPED = bytes(range(_CSRF_BYTE_LIMIT, 256))
# The same draw as indices into the alphabet (0 … 61), and indices (or sums of two, 0 … 122) back to characters:
# Django's masking, (secret index + mask index) mod 62 per character, done on whole byte strings in C.
_CSRF_TO_INDEX = bytes(byte % len(CSRF_ALLOWED_CHARS) for byte in range(256))
_CSRF_CHAR_INDEX = bytes(
    CSRF_ALLOWED_CHARS.index(chr(byte)) if chr(byte) in CSRF_ALLOWED_CHARS else 0 for byte in range(256)
)
_CSRF_FROM_INDEX = bytes(ord(CSRF_ALLOWED_CHARS[value % len(CSRF_ALLOWED_CHARS)]) for value in range(256))


class _RandomBytes(threading.local):
    """Bytes from the OS's random source, read 4 KiB at a time: a hit needs 64–96 random bytes (a CSRF mask, maybe
    a new secret), and a getrandom() call each costs more than slicing. Each byte is handed out once; per thread,
    and never across a fork (a child starts with a buffer of its own)."""

    SIZE = 4096

    def __init__(self):
        self.buffer, self.used, self.pid = b"", 0, None

    def take(self, count):
        if self.used + count > len(self.buffer) or self.pid != os.getpid():
            self.buffer, self.used, self.pid = os.urandom(max(self.SIZE, count)), 0, os.getpid()
        start = self.used
        self.used = start + count
        return self.buffer[start : start + count]


_random_bytes = _RandomBytes()


def _random_csrf_indices(count):
    """`count` random indices into CSRF_ALLOWED_CHARS from the OS's random source, in one read (Django draws each
    character with its own call: 64 for a visitor without a csrftoken cookie, most of a hit's CPU)."""
    found = b""
    while len(found) < count:
        found += _random_bytes.take(2 * count).translate(_CSRF_TO_INDEX, _CSRF_DROPPED)
    return found[:count]


def _random_csrf_chars(count):
    """`count` characters of CSRF_ALLOWED_CHARS, each equally likely."""
    return _random_csrf_indices(count).translate(_CSRF_FROM_INDEX).decode()


def csrf_token(request):
    """What django.middleware.csrf.get_token returns, with the same effect on the request (a new secret for a
    visitor without a cookie; the cookie sent again on the way out): a token masked with a fresh random mask."""
    if "CSRF_COOKIE" in request.META:
        secret = request.META["CSRF_COOKIE"]
    else:
        secret = request.META["CSRF_COOKIE"] = new_csrf_secret()
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return masked_token(secret)


def new_csrf_secret():
    return _random_csrf_chars(CSRF_SECRET_LENGTH)


def masked_token(secret):
    """The CSRF secret masked with a fresh random mask, as Django's get_token gives it: the mask, then per character
    the secret's and the mask's indices added mod 62. The indices are added as two big integers, one byte a
    character (each sum stays below 256, so no byte carries into the next)."""
    mask = _random_csrf_indices(CSRF_SECRET_LENGTH)
    secret = secret.encode().translate(_CSRF_CHAR_INDEX)
    sums = (int.from_bytes(secret) + int.from_bytes(mask)).to_bytes(CSRF_SECRET_LENGTH)
    return (mask.translate(_CSRF_FROM_INDEX) + sums.translate(_CSRF_FROM_INDEX)).decode()


def _unmask(token):
    chars = CSRF_ALLOWED_CHARS
    mask, cipher = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    return "".join(chars[chars.index(c) - chars.index(m)] for c, m in zip(cipher, mask, strict=True))


def _with_placeholders(request, content):
    """The page with its CSRF tokens replaced by the placeholder, or None if a token sits anywhere else."""
    content, count = _TOKEN_INPUT.subn(rb"\1" + PLACEHOLDER + rb"\3", content)
    secret = request.META.get("CSRF_COOKIE")
    if secret and request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        if not count:
            return None  # the token was used, but not in a form we recognise
        for match in _TOKEN_LIKE.finditer(content):
            if _unmask(match.group().decode()) == secret:
                return None
    return content


# --- keys and entries ---------------------------------------------------------------------------------


def cache_key(request, audience=personal_cache.ANONYMOUS, language=None, found=None):
    return page_key(
        request.scheme,
        request.get_host(),
        request.path,
        request.META.get("QUERY_STRING", ""),
        language or get_language(),
        audience,
        found,
    )


# The URL part of page keys worked out lately in this process (a SHA-256 per hit saved); bounded, as URLs are the
# client's to choose.
_digests = {}
DIGESTS_LIMIT = 1024


def page_key(scheme, host, path, query, language, audience, found=None):
    """The key of a page's entry: the URL, the language and the reader's audience, under both cache versions
    (`found`: as for versions()). The one key scheme of the Django path and the WSGI one."""
    raw = (scheme, host, path, query, language, audience)
    digest = _digests.get(raw)
    if digest is None:
        digest = hashlib.sha256("|".join(raw).encode()).hexdigest()[:32]
        if len(_digests) >= DIGESTS_LIMIT:
            _digests.clear()
        _digests[raw] = digest
    shell, page = versions(found)
    return f"cms:page:{shell}:{page}:{digest}"


def _etag(entry, secret, personal="", encoding=""):
    # The page, for a page with forms the visitor's CSRF secret (a browser whose cookie changed must get the
    # page again, with a token for its new cookie), the reader's header (their cart count), and the encoding
    # (gzip and identity are two representations of the URL, each with its own tag).
    seed = entry["digest"] + (secret or "") + (personal or "") + encoding
    return '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'


def _with_nonce_placeholder(request, body):
    nonce = getattr(request, "_csp_nonce", None)  # set only if the page used request.csp_nonce
    if isinstance(nonce, str) and nonce:
        body = body.replace(nonce.encode(), NONCE_PLACEHOLDER)
    return body


# --- gzip ---------------------------------------------------------------------------------------------------


def gzipped_parts(body):
    """The body as gzip-ready parts: [(deflated, start, end, hole), …], each fixed part `body[start:end]`
    deflated on its own (a raw deflate stream ending on a byte boundary, the last one final), followed by the
    placeholder filled in per response there (None after the last part). None for a short page."""
    if len(body) < GZIP_MIN_BYTES:
        return None
    cuts, personal_seen = [], False
    for match in _HOLES.finditer(body):
        hole = match.group()
        if hole == personal_cache.PLACEHOLDER:
            if personal_seen:
                continue  # only the first is filled in (as in _serve's identity body)
            personal_seen = True
        cuts.append((match.start(), match.end(), hole))
    parts, start = [], 0
    for cut_start, cut_end, hole in [*cuts, (len(body), len(body), None)]:
        compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        flush = zlib.Z_FINISH if hole is None else zlib.Z_SYNC_FLUSH
        parts.append((compressor.compress(body[start:cut_start]) + compressor.flush(flush), start, cut_start, hole))
        start = cut_end
    return parts


def _stored_blocks(data):
    """`data` as uncompressed deflate blocks (not final), to go between two byte-aligned deflate parts."""
    blocks = []
    for start in range(0, len(data), 0xFFFF):
        chunk = data[start : start + 0xFFFF]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


def _gzip_body(entry, filled):
    """The page gzipped, with each placeholder replaced by `filled[placeholder]`: the parts stored with the
    entry and the filled-in values as stored blocks; only the CRC-32 is computed per response."""
    body = memoryview(entry["body"])
    out, crc, size = [GZIP_HEADER], 0, 0
    for deflated, start, end, hole in entry["gzip"]:
        out.append(deflated)
        crc = zlib.crc32(body[start:end], crc)
        size += end - start
        if hole is not None:
            value = filled[hole]
            out.append(_stored_blocks(value))
            crc = zlib.crc32(value, crc)
            size += len(value)
    out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(out)


def _qvalue_is_zero(params):
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value) == 0
            except ValueError:
                return True
    return False


def accepts_gzip(request):
    """Whether the request's Accept-Encoding allows gzip (named, with a q above 0; `*` is not taken for it)."""
    return header_accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", ""))


def header_accepts_gzip(header):
    if "gzip" not in header.lower():
        return False
    for item in header.split(","):
        coding, _, params = item.partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip"):
            return not _qvalue_is_zero(params)
    return False


VARY = ("Cookie", "Accept-Encoding")


@functools.cache
def cache_control():
    """The Cache-Control of every answer from the cache: browsers check back every time (a cheap 304); shared
    caches must not keep a page that sets cookies."""
    response = HttpResponse()
    patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
    return response["Cache-Control"]


def entry_facts(entry):
    """(has a CSRF placeholder, has a nonce placeholder, Last-Modified) of an entry: stored with it, or worked
    out for an entry stored before they were."""
    facts = entry.get("facts")
    if facts is None:
        body = entry["body"]
        facts = (PLACEHOLDER in body, NONCE_PLACEHOLDER in body, http_date(entry["stored"]))
    return facts


def answer(entry, state, personal, *, gzip_ok, if_none_match, csrf_secret, make_token, make_nonce):
    """A hit's (status, headers, body, CSRF secret to send as the cookie or None), as the Django path
    (_serve) and the WSGI path (cms.page_cache_wsgi) both send it; the headers in the order Django's response
    has them. `csrf_secret`: the reader's CSRF cookie's secret or None; `make_token()` → (masked token, secret)
    for the forms; `make_nonce()` → this response's CSP nonce."""
    has_placeholder, has_nonce, last_modified = entry_facts(entry)
    encoding = "gzip" if gzip_ok and entry.get("gzip") else ""
    secret = csrf_secret if has_placeholder else None
    sent_secret = None
    # A page with a nonce is never answered 304: the browser would keep the old body, whose nonce no longer
    # matches this response's header.
    if (
        if_none_match
        and not has_nonce
        and (secret or not has_placeholder)
        and _etag(entry, secret, personal, encoding) in parse_etags(if_none_match)
    ):
        status, body, headers = 304, b"", []
    else:
        filled = {}
        if has_placeholder:
            token, secret = make_token()
            sent_secret = secret
            filled[PLACEHOLDER] = token.encode()
        if has_nonce:
            filled[NONCE_PLACEHOLDER] = make_nonce().encode()
        if personal is not None:
            filled[personal_cache.PLACEHOLDER] = personal.encode()
        if encoding:
            body = _gzip_body(entry, {personal_cache.PLACEHOLDER: personal_cache.PLACEHOLDER, **filled})
        else:
            body = entry["body"]
            for hole, value in filled.items():
                body = body.replace(hole, value, 1 if hole == personal_cache.PLACEHOLDER else -1)
        status = entry["status"]
        content_type, kept = f"text/html; charset={settings.DEFAULT_CHARSET}", []
        for name, value in entry["headers"]:
            if name == "Content-Type":
                content_type = value
            else:
                kept.append((name, value))
        headers = [("Content-Type", content_type), *kept]
        if encoding:
            headers.append(("Content-Encoding", encoding))
        headers.append(("Content-Length", str(len(body))))
    headers += (
        ("ETag", _etag(entry, secret, personal, encoding)),
        ("Last-Modified", last_modified),
        (HEADER, state),
        ("Cache-Control", cache_control()),
        ("Vary", ", ".join(VARY)),
    )
    return status, headers, body, sent_secret


def _serve(request, entry, state, personal=None):
    def make_token():
        return csrf_token(request), request.META["CSRF_COOKIE"]

    has_placeholder = entry_facts(entry)[0]
    status, headers, body, _sent = answer(
        entry,
        state,
        personal,
        gzip_ok=accepts_gzip(request),
        if_none_match=request.META.get("HTTP_IF_NONE_MATCH"),
        csrf_secret=request.META.get("CSRF_COOKIE") if has_placeholder else None,
        make_token=make_token,
        make_nonce=lambda: str(getattr(request, "csp_nonce", "")),
    )
    response = HttpResponseNotModified() if status == 304 else HttpResponse(body, status=status)
    for name, value in headers:
        response[name] = value
    return response


class PageCacheMiddleware:
    """Serve anonymous visitors' public pages from the cache; store them on a miss.

    Sits after CsrfViewMiddleware (whose response step sets the csrftoken cookie for the token we fill
    in), LocaleMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request_is_cacheable(request):
            return self.get_response(request)
        looked_up = getattr(request, "_page_cache_miss", None)
        if looked_up is not None:  # FastPathMiddleware looked and found nothing
            key, personal = looked_up
        else:
            session = request.session if settings.SESSION_COOKIE_NAME in request.COOKIES else None
            reader = personal_cache.reader(request, session, get_language())
            if reader is None:
                return self.get_response(request)
            audience, personal = reader
            key = cache_key(request, audience)
            entry = get_entry(key)
            if entry is not None:
                return _serve(request, entry, "hit", personal)
        response = self.get_response(request)
        if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
            response.render()
        if not _response_is_cacheable(request, response):
            response[HEADER] = "skip" if getattr(request, "page_cache_ok", False) else "off"
            return response
        body = _with_placeholders(request, response.content)
        if body is None:
            response[HEADER] = "skip"
            return response
        body = _with_nonce_placeholder(request, body)
        body, rendered = personal_cache.cut(body)
        entry = {
            "status": response.status_code,
            "headers": [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)],
            "body": body,
            "digest": hashlib.sha256(body).hexdigest(),
            "stored": time.time(),
            "gzip": gzipped_parts(body),
        }
        entry["facts"] = entry_facts(entry)
        set_entry(key, entry)
        return _serve(request, entry, "miss", rendered.decode() if rendered is not None else personal)


class PreloadedSessionMiddleware(SessionMiddleware):
    """Django's SessionMiddleware, keeping a session that FastPathMiddleware already loaded."""

    def process_request(self, request):
        if not hasattr(request, "session"):
            super().process_request(request)


# What a cached page still needs on its way out, in MIDDLEWARE order; each only if MIDDLEWARE has it.
HIT_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms.csp.SiteCSPMiddleware",
)
SESSION_MIDDLEWARE = {"django.contrib.sessions.middleware.SessionMiddleware", f"{__name__}.PreloadedSessionMiddleware"}
LOCALE_MIDDLEWARE = "django.middleware.locale.LocaleMiddleware"
SESSIONS_IN_CACHE = ("django.contrib.sessions.backends.cached_db", "django.contrib.sessions.backends.cache")
HEALTHZ = "/healthz"
# Never pages: not worth a cache lookup.
NOT_PAGES = ("/admin/", "/django-admin/", "/api/", "/documents/", "/private-media/", "/stripe/", "/captcha/")


def sessions_in_cache():
    """Whether the session engine reads sessions from the default cache first (cached_db, cache), under
    session_cache_key: then they can be read in the same round trip as the cache versions."""
    return settings.SESSION_ENGINE in SESSIONS_IN_CACHE and getattr(settings, "SESSION_CACHE_ALIAS", "") == "default"


def session_cache_key(session_store, session_key):
    """The key under which such an engine keeps a session (its SessionStore's `cache_key`)."""
    return session_store.cache_key_prefix + session_key


class HitLocaleMiddleware:
    """LocaleMiddleware's part in a hit, for URLs under i18n_patterns without a prefix for the default language:
    FastPathMiddleware found the language in the path already (no prefix: LANGUAGE_CODE, as LocaleMiddleware
    decides), so it is not looked for three more times. The response gets what LocaleMiddleware gives a 200."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language, from_path = request._page_cache_language
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if not from_path:
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def simple_locale_used():
    """Whether the language of a page is the one in its path, or LANGUAGE_CODE without a prefix (i18n_patterns
    without a prefix for the default language), so that a hit need not ask LocaleMiddleware."""
    return is_language_prefix_patterns_used(settings.ROOT_URLCONF) == (True, False)


def hit_language(path):
    """(language, whether it came from the path) of a hit under simple_locale_used()."""
    from_path = translation.get_language_from_path(path)
    return from_path or settings.LANGUAGE_CODE, bool(from_path)


class FastPathMiddleware:
    """First in MIDDLEWARE: answer a page-cache hit, and /healthz, before the middleware they do not need.

    A hit goes through a short chain of the middleware a cached page needs (HIT_MIDDLEWARE: security
    headers, the session, the language, the CSRF cookie, X-Frame-Options, the CSP header with this response's
    nonce); WhiteNoise, CommonMiddleware, authentication, messages, redirects, the site lookup and URL
    routing are skipped. A miss goes on through the whole stack, where PageCacheMiddleware stores the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        from django.contrib.sessions.backends.base import SessionBase

        self.session_store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
        assert issubclass(self.session_store, SessionBase)
        # Sessions whose engine reads them from the default cache first, under `cache_key`, can be read in the
        # same round trip as the cache versions.
        self.session_in_cache = sessions_in_cache()
        configured = list(settings.MIDDLEWARE)
        simple_locale = simple_locale_used()
        replaced = {
            **dict.fromkeys(SESSION_MIDDLEWARE, PreloadedSessionMiddleware),
            **({LOCALE_MIDDLEWARE: HitLocaleMiddleware} if simple_locale else {}),
        }
        chain = [
            replaced[path] if path in replaced else import_string(path)
            for path in configured
            if path in HIT_MIDDLEWARE or path in SESSION_MIDDLEWARE
        ]
        handler = self._serve_hit
        for middleware in reversed(chain):
            handler = middleware(handler)
        self.hit = handler
        security = "django.middleware.security.SecurityMiddleware"
        self.health = import_string(security)(self._healthz) if security in configured else self._healthz
        self.skip = (*NOT_PAGES, settings.STATIC_URL or "/static/", settings.MEDIA_URL or "/media/")

    @staticmethod
    def _healthz(request):
        return health.healthz(request)

    @staticmethod
    def _serve_hit(request):
        entry, personal = request._page_cache_hit
        return _serve(request, entry, "hit", personal)

    def __call__(self, request):
        path = request.path_info
        if path == HEALTHZ and request.method in ("GET", "HEAD"):
            return self.health(request)
        if not request_is_cacheable(request) or path.startswith(self.skip):
            return self.get_response(request)
        try:
            found = self._look_up(request, path)
        except (DisallowedHost, DatabaseError):
            found = False  # the whole stack answers (400, or 503 with the database down)
        if found:
            return self.hit(request)
        return self.get_response(request)

    def _session_cache_key(self, session):
        """The key under which the session engine keeps this session in the default cache (cached_db, cache),
        or None (another engine or cache, or no valid session key): then the session loads its own way."""
        if not self.session_in_cache or session is None or not session.session_key:
            return None
        return session_cache_key(self.session_store, session.session_key)

    def _look_up(self, request, path):
        request._page_cache_language = hit_language(path)
        language = request._page_cache_language[0]
        cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        session = self.session_store(cookie) if cookie else None
        if session is not None:
            request.session = session  # PreloadedSessionMiddleware keeps it (no second load)
        translation.activate(language)  # for the header; LocaleMiddleware activates it again
        # The cache versions, the session and the signed-in person's entry in one round trip. The person's key
        # is known only once the session is read: the one this session had on its last request in this process
        # is asked for along with the rest, and used if the session still names that person.
        session_key = self._session_cache_key(session)
        if session_key is None:
            person = personal_cache.entry_key(session)  # loads the session
            asked = [person] if person else []
        else:
            guess = signed_in_people.get(session.session_key)
            asked = [session_key, guess] if guess else [session_key]
        found = cache.get_many([*VERSION_KEYS, *asked])
        shell_cache.use_version(found.get(shell_cache.VERSION_KEY))  # the rendered page's shell asks no more
        if session_key is not None:
            data = found.get(session_key)
            if data is not None:
                session._session_cache = data  # what the engine's load() reads first from the same cache
            person = personal_cache.entry_key(session)
            if person:
                signed_in_people.remember(session.session_key, person)
        if person and person in asked:
            reader = personal_cache.reader(request, session, language, entry=found.get(person))
        else:
            reader = personal_cache.reader(request, session, language)
        if reader is None:
            return False
        audience, personal = reader
        key = cache_key(request, audience, language, found)
        entry = get_entry(key)
        if entry is None:
            request._page_cache_miss = (key, personal)
            return False
        request._page_cache_hit = (entry, personal)
        return True


class _SignedInPeople:
    """Session key → the cache key of the person's entry (cms.personal_cache), as last seen in this process.

    Only a guess of which key to read along with the session: whatever the session says wins. Bounded; when full
    it starts again empty (a session then costs one more round trip, once)."""

    LIMIT = 10_000

    def __init__(self):
        self._keys = {}

    def get(self, session_key):
        return self._keys.get(session_key)

    def remember(self, session_key, person):
        if self._keys.get(session_key) != person:
            if len(self._keys) >= self.LIMIT:
                self._keys.clear()
            self._keys[session_key] = person

    def clear(self):
        self._keys.clear()


signed_in_people = _SignedInPeople()
