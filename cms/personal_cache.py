"""Who is reading a cached page: their audience (which copy of the page they get) and their header.

The page cache (cms.page_cache) serves public pages to signed-in visitors and to visitors with a cart too.
What differs per person is filled in per request, without rendering the page:

- the header's account and cart links (`<!--personal-->…<!--/personal-->` in base.html): the cached copy
  keeps a placeholder there, each response gets this reader's header;
- the CSRF token and the CSP nonce (as before, cms.page_cache).

Where the page itself differs, the copy is per *audience*: "anon" for visitors (with or without a cart), and
for a signed-in person "user" plus what the `register_page_cache_audience` hooks add (marketplace: "canteen"
for a member of a verified buyer unit, who sees canteen-only products; events: the person's vendors, whose
stalls the fair map marks as theirs). A hook that returns False keeps the person away from the cache (staff
are, always: they may see more than the public). So two readers share a copy only when every hook gives them
the same part.

Per signed-in person one small entry in the default cache (`cms:personal:v1:<user id>`) holds the audience,
the session auth hash it was made for and the rendered header per language, so a hit costs no query. It is
dropped when anything it shows changes: the user row, their groups, and whatever the apps connect with
`forget` (cart lines, unit memberships, vendor memberships); and it lives SECONDS at most.
"""

from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import get_template

AUDIENCE_HOOK = "register_page_cache_audience"
KEY = "cms:personal:v1:{}"
SECONDS = 10 * 60
START = b"<!--personal-->"
END = b"<!--/personal-->"
PLACEHOLDER = b"__PAGE_CACHE_PERSONAL__"
MESSAGES_SESSION_KEY = "_messages"  # django.contrib.messages' session storage
TEMPLATE = "cms/accounts/header_links.html"
ANONYMOUS = "anon"

# The visitors' header per (language, cart lines): the same for everyone, rendered once per process.
_anonymous_headers = {}


def _key(user_id):
    return KEY.format(user_id)


def audience_of(user):
    """The part of the cache key for a signed-in user, or None: never from the cache."""
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return None
    from wagtail import hooks

    parts = ["user"]
    for hook in hooks.get_hooks(AUDIENCE_HOOK):
        part = hook(user)
        if part is False:
            return None
        if part:
            parts.append(str(part))
    return ":".join(parts)


class _VisitorRequest:
    """What header_links.html reads from a visitor's request: the number of cart lines."""

    user = AnonymousUser()

    def __init__(self, lines):
        self.session = {"cart": range(lines)}


def _render(context):
    return get_template(TEMPLATE).render(context)


def visitor_header(language, lines, render=True):
    """The visitors' header for this many cart lines; None if it is not rendered yet and `render` is False."""
    key = (language, lines)
    html = _anonymous_headers.get(key)
    if html is None and render:
        html = _render({"request": _VisitorRequest(lines), "user": AnonymousUser()})
        if len(_anonymous_headers) < 256:
            _anonymous_headers[key] = html
    return html


def has_messages(cookies, session):
    """Messages waiting to be shown (cookie or session storage): such a request is rendered, never cached."""
    if "messages" in cookies:
        return True
    return session is not None and bool(session.get(MESSAGES_SESSION_KEY))


_UNREAD = object()


def entry_key(session):
    """The cache key of the signed-in person's entry, or None (no session, or nobody signed in in it); for a
    caller that reads it together with other keys in one round trip."""
    user_id = session.get(SESSION_KEY) if session is not None else None
    return _key(user_id) if user_id is not None else None


# What only the whole stack can tell: the user must be loaded (no entry for the person, or one made for another
# session auth hash), or a header rendered.
UNKNOWN = object()


def _from_cache(cookies, session, language, entry, render):
    """(what reader() answers, the person's entry if it matches the session) from the session and the caches
    alone; UNKNOWN first when the user must be loaded (or, without `render`, a header rendered)."""
    if session is None:
        header = visitor_header(language, 0, render)
        return (UNKNOWN if header is None else (ANONYMOUS, header)), None
    if has_messages(cookies, session):
        return None, None
    user_id = session.get(SESSION_KEY)
    if user_id is None:
        header = visitor_header(language, len(session.get("cart") or ()), render)
        return (UNKNOWN if header is None else (ANONYMOUS, header)), None
    session_hash = session.get(HASH_SESSION_KEY)
    if entry is _UNREAD:
        entry = cache.get(_key(user_id))
    if entry is None or entry["hash"] != session_hash or not session_hash:
        return UNKNOWN, None
    if entry["audience"] is None:
        return None, entry
    html = entry["html"].get(language)
    return (UNKNOWN if html is None else (entry["audience"], html)), entry


def cached_reader(cookies, session, language, entry=_UNREAD):
    """reader() without a request: from the session's data (a mapping, or None without a session cookie) and
    the caches alone, or UNKNOWN when only the whole stack can tell (cms.page_cache_wsgi then hands over)."""
    return _from_cache(cookies, session, language, entry, render=False)[0]


# How many times forget() ran in this process: a reader's answer kept on a request (below) holds while it is the same.
_forgotten = 0


def reader(request, session, language, entry=_UNREAD):
    """(audience, header HTML) for this request, or None when it must not touch the cache.

    `session` is the request's session (None without a session cookie); `entry` the person's cache entry if
    the caller has read it already (entry_key). The user is loaded only when the person's entry is missing or
    was made for another session auth hash (a password change).

    The answer is kept on the request: asked again in the same request (the page cache's look-up first, then the
    header of the page rendered after a miss) for the same session, person and language, with nothing forgotten
    in between, it is given again without asking the cache a second time."""
    user_id = session.get(SESSION_KEY) if session is not None else None
    memo = (session is not None and session.session_key, user_id, language, _forgotten)
    kept = getattr(request, "_personal_reader", None)
    if kept is not None and kept[0] == memo:
        return kept[1]
    found = _reader(request, session, language, entry)
    request._personal_reader = (memo, found)
    return found


def _reader(request, session, language, entry):
    found, entry = _from_cache(request.COOKIES, session, language, entry, render=True)
    if found is not UNKNOWN:
        return found
    user_id = session.get(SESSION_KEY)
    session_hash = session.get(HASH_SESSION_KEY)
    user = getattr(request, "user", None)
    if user is None:
        from django.contrib.auth import get_user

        request.session = session
        user = get_user(request)  # checks the session auth hash and that the account is active
        request.user = user
    if not user.is_authenticated:
        return ANONYMOUS, visitor_header(language, len(session.get("cart") or ()))
    if entry is None:
        entry = {"hash": user.get_session_auth_hash(), "audience": audience_of(user), "html": {}}
    if entry["audience"] is not None:
        entry["html"][language] = _render({"request": request, "user": user})
    if entry["hash"] == session_hash:
        cache.set(_key(user_id), entry, SECONDS)
    if entry["audience"] is None:
        return None
    return entry["audience"], entry["html"][language]


def forget(user_ids):
    """Drop the entries of these people (their cart, name, memberships changed), now and after commit."""
    global _forgotten
    _forgotten += 1
    keys = [_key(user_id) for user_id in set(user_ids) if user_id]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def forget_owner(sender, instance, **kwargs):
    """A signal receiver for rows with a `user_id` (cart lines, memberships)."""
    forget([getattr(instance, "user_id", None)])


def connect_owner(*senders):
    for sender in senders:
        post_save.connect(forget_owner, sender=sender, dispatch_uid=f"personal-cache-save-{sender._meta.label}")
        post_delete.connect(forget_owner, sender=sender, dispatch_uid=f"personal-cache-delete-{sender._meta.label}")


def _user_saved(sender, instance, **kwargs):
    forget([instance.pk])


def _groups_changed(sender, instance, pk_set=None, reverse=False, **kwargs):
    if reverse:
        forget(pk_set or ())
    else:
        forget([instance.pk])


def connect_users():
    User = get_user_model()
    post_save.connect(_user_saved, sender=User, dispatch_uid="personal-cache-user-saved")
    post_delete.connect(_user_saved, sender=User, dispatch_uid="personal-cache-user-deleted")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="personal-cache-groups")
    m2m_changed.connect(
        _groups_changed, sender=User.user_permissions.through, dispatch_uid="personal-cache-permissions"
    )


def cut(body):
    """The page with its personal header replaced by the placeholder, and the header that was there."""
    start = body.find(START)
    if start < 0:
        return body, None
    end = body.find(END, start)
    if end < 0:
        return body, None
    inner = body[start + len(START) : end]
    return body[:start] + START + PLACEHOLDER + body[end:], inner
