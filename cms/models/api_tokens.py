"""Per-user API tokens for the JSON API at /api/ (mini-program and mobile clients).

Only the SHA-256 hash of a token's secret is stored; the secret is shown once, when the token is made.
A token carries 256 random bits, so a plain (fast) hash is enough: there is nothing to brute-force.
Wagtail 8 has its own wagtailcore.APIToken for the content API at /api/v2/; these are separate on purpose:
a token for the shop API is never accepted by the content API, and the reverse.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
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
        """The live token with this secret (its user active), or None."""
        if not secret or len(secret) > 200:
            return None
        try:
            # get(), not first(): the hash is unique, and first() would sort by the default ordering.
            token = cls.objects.active().select_related("user").get(key_hash=hash_secret(secret), user__is_active=True)
        except cls.DoesNotExist:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
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
