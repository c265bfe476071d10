"""Per-user API tokens for the JSON API at /api/ (mini-program and mobile clients).

Only the SHA-256 hash of a token's secret is stored; the secret is shown once, when the token is made.
A token carries 256 random bits, so a plain (fast) hash is enough: there is nothing to brute-force.
Wagtail 8 has its own wagtailcore.APIToken for the content API at /api/v2/; these are separate on purpose:
a token for the shop API is never accepted by the content API, and the reverse.
"""

import hashlib
import secrets
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.db import connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "shm_"
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class _TouchWhenDue:
    """An execute wrapper (PostgreSQL) that puts, in front of the token's SELECT, a WITH clause updating
    `last_used_at` under the same conditions the caller checks afterwards on the row read (which the SELECT sees
    as it was before: one snapshot): a live token of an active user, last used longer ago than the resolution."""

    def __init__(self, model, key_hash, now):
        self.model, self.key_hash, self.now = model, key_hash, now

    def __call__(self, execute, sql, params, many, context):
        table = self.model._meta.db_table
        user_model = self.model._meta.get_field("user").related_model
        touch = (
            f'WITH touched AS (UPDATE "{table}" SET "last_used_at" = %s WHERE "key_hash" = %s '
            'AND "revoked_at" IS NULL AND ("last_used_at" IS NULL OR "last_used_at" < %s) '
            f'AND "user_id" IN (SELECT "id" FROM "{user_model._meta.db_table}" WHERE "is_active") RETURNING 1) '
        )
        cutoff = self.now - LAST_USED_RESOLUTION
        return execute(touch + sql, (self.now, self.key_hash, cutoff, *params), many, context)


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
        """The live token with this secret (its user active), or None. Its `last_used_at` is written when it is
        older than LAST_USED_RESOLUTION: on PostgreSQL in the same statement as the read (one round trip, no
        transaction of its own), elsewhere by a second one."""
        if not secret or len(secret) > 200:
            return None
        key_hash = hash_secret(secret)
        now = timezone.now()
        rows = cls.objects.active().select_related("user").filter(key_hash=key_hash, user__is_active=True)
        connection = connections[rows.db]
        touch = connection.vendor == "postgresql"
        try:
            # get(), not first(): the hash is unique, and first() would sort by the default ordering.
            with connection.execute_wrapper(_TouchWhenDue(cls, key_hash, now)) if touch else nullcontext():
                token = rows.get()
        except cls.DoesNotExist:
            return None
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            if not touch:
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
