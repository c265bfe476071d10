"""Per-user API tokens for the JSON API at /api/ (mini-program and mobile clients).

Only the SHA-256 hash of a token's secret is stored; the secret is shown once, when the token is made.
A token carries 256 random bits, so a plain (fast) hash is enough: there is nothing to brute-force.
Wagtail 8 has its own wagtailcore.APIToken for the content API at /api/v2/; these are separate on purpose:
a token for the shop API is never accepted by the content API, and the reverse.
"""

import functools
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "shm_"
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="json_api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=60, blank=True)
    # The first characters of the secret ("shm_AbC123"), enough to tell tokens apart in a list.
    key_prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name or self.key_prefix} ({self.user_id})"

    @classmethod
    def issue(cls, user, name=""):
        """Create a token for `user`. Returns (token, secret); the secret is not kept anywhere."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=(name or "")[:60], key_prefix=secret[:12], key_hash=hash_secret(secret)
        )
        return token, secret

    @classmethod
    def find_active(cls, secret):
        """The live token with this secret (its user active), or None. Writes the token's last use when due (at
        most once a minute): on PostgreSQL in the same statement as the read, elsewhere in a second one."""
        if not secret or len(secret) > 200:
            return None
        key_hash, now = hash_secret(secret), timezone.now()
        since = now - LAST_USED_RESOLUTION
        query, touched = _token_query(cls.objects.db)
        found = query(now, key_hash, since, key_hash) if touched else query(key_hash)
        if not found:
            return None
        (token,) = found  # the hash is unique
        if token.last_used_at is None or token.last_used_at < since:
            # The read saw the row as it was before the statement's own UPDATE.
            if not touched:
                cls.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token

    @property
    def is_active(self):
        return self.revoked_at is None

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


@functools.cache
def _token_query(alias):
    """(query, touched): the active token with a key hash, its active user loaded, compiled once per process
    (cms.prepared_query; the token is read on every API call). On PostgreSQL the statement also writes the token's
    last use when it is due, in a WITH clause: `touched` is then True and the query takes (now, key hash, due
    before, key hash)."""
    from django.contrib.auth import get_user_model

    from cms.prepared_query import PreparedQuery

    slot = "\0key_hash"
    tokens = ApiToken.objects.using(alias).active().select_related("user").order_by()
    tokens = tokens.filter(key_hash=slot, user__is_active=True)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return PreparedQuery(tokens, slot), False
    quote = connection.ops.quote_name
    table, users = quote(ApiToken._meta.db_table), quote(get_user_model()._meta.db_table)
    touch = (
        f'WITH touched AS (UPDATE {table} SET "last_used_at" = %s WHERE "key_hash" = %s AND "revoked_at" IS NULL '
        f'AND ("last_used_at" IS NULL OR "last_used_at" < %s) AND "user_id" IN (SELECT "id" FROM {users} WHERE '
        '"is_active") RETURNING 1) '
    )
    prefix_slots = ("\0now", "\0touch_hash", "\0since")
    return PreparedQuery(tokens, slot, sql_prefix=touch, prefix_slots=prefix_slots), True
