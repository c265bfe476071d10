"""One-time codes sent by SMS (password reset, "find my ticket", …): see cms/accounts/sms_codes.py."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.phone import mask_phone


class SmsCode(models.Model):
    """A code sent to a mobile number for one purpose. Only an HMAC of the code is stored. Rows also count
    the codes asked for a number, so the limits hold across processes and hosts."""

    purpose = models.CharField(_("purpose"), max_length=32)
    phone = models.CharField(_("mobile number"), max_length=20)
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    failed_attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    # Set when the code was used, or when a newer code for the same number and purpose replaced it.
    closed_at = models.DateTimeField(_("used or replaced"), null=True, blank=True)
    # False when no SMS went out (no account or ticket for the number): the page answers the same either way.
    delivered = models.BooleanField(_("sent"), default=True)

    class Meta:
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")
        indexes = [models.Index(fields=["phone", "created_at"]), models.Index(fields=["phone", "purpose", "-id"])]

    def __str__(self):
        return f"{self.purpose} {mask_phone(self.phone)}"
