"""One-time SMS codes: a small service any app can use ("reset my password", "find my ticket", …).

    send_code(phone, purpose, template=..., text=..., deliver=True)   # raises DomainError when limited
    check_code(phone, purpose, code)                                  # raises DomainError when refused

- A code is 6 digits, stored as an HMAC (keyed with SECRET_KEY) of purpose, number and code, never in clear.
- It expires after CODE_MINUTES (10) and allows MAX_WRONG_TRIES (5) wrong guesses; a new code replaces the
  number's previous one for the same purpose, and a used code never works again.
- A number gets at most MAX_CODES_PER_HOUR (5) codes an hour (all purposes together) and one every
  RESEND_SECONDS (60). The limits are counted in the database, so they hold across processes and hosts.
- A code is bound to its purpose: a password-reset code does not open "find my ticket" and vice versa.
- `deliver=False` records a code without sending anything (say, a number that has no account), so that the
  caller can answer exactly as it would have — limits included — without revealing what exists.
- The SMS itself goes out after commit through cms.sms.enqueue_sms.

Errors carry a `code` ("wait", "too_many_codes", "invalid", "no_code", "used", "expired", "too_many_tries",
"wrong") and a
translated `message`.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from cms import locking
from cms.errors import CommonCode, DomainError
from cms.models import SmsCode
from cms.sms import enqueue_sms

CODE_LENGTH = 6
CODE_MINUTES = 10
MAX_WRONG_TRIES = 5
MAX_CODES_PER_HOUR = 5
RESEND_SECONDS = 60


def _hash(purpose, phone, code):
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"sms-code:{purpose}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _new_code():
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def send_code(phone, purpose, *, template, text, params=None, deliver=True, now=None):
    """Make a code for `phone` and `purpose` and send it by SMS (template key `template`, parameter `code`
    plus `params`; `text` is the message with "{code}" where the code goes). Returns the SmsCode row.
    Raises DomainError ("wait" or "too_many_codes") when the number is over a limit."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the number's recent rows, so that two requests at once count each other (PostgreSQL).
        recent = locking.lock(SmsCode.objects.filter(phone=phone, created_at__gt=now - timedelta(hours=1)))
        if any(row.purpose == purpose and row.created_at > now - timedelta(seconds=RESEND_SECONDS) for row in recent):
            raise DomainError(CommonCode.SMS_CODE_WAIT)
        if len(recent) >= MAX_CODES_PER_HOUR:
            raise DomainError(CommonCode.SMS_TOO_MANY_CODES)
        SmsCode.objects.filter(phone=phone, purpose=purpose, closed_at__isnull=True).update(closed_at=now)
        code = _new_code()
        row = SmsCode.objects.create(
            purpose=purpose,
            phone=phone,
            code_hash=_hash(purpose, phone, code),
            created_at=now,
            expires_at=now + timedelta(minutes=CODE_MINUTES),
            delivered=deliver,
        )
        if deliver:
            enqueue_sms(phone, template, {"code": code, **(params or {})}, str(text).replace("{code}", code))
    return row


def check_code(phone, purpose, code, *, now=None):
    """Use the code sent to `phone` for `purpose`. Returns the SmsCode row (now closed); raises DomainError
    ("invalid", "no_code", "used", "expired", "too_many_tries" or "wrong"). A wrong guess is counted even though
    the error is raised."""
    now = now or timezone.now()
    code = (code or "").strip()
    if not (len(code) == CODE_LENGTH and code.isdigit()):
        raise DomainError(CommonCode.SMS_CODE_MALFORMED)
    error = None
    with transaction.atomic():
        latest = SmsCode.objects.filter(phone=phone, purpose=purpose).order_by("-created_at", "-pk").first()
        # The number's latest code for the purpose, locked (and read again) so that two guesses count one by one.
        row = next(iter(locking.lock(SmsCode, [latest.pk])), None) if latest else None
        if row is None:
            error = DomainError(CommonCode.SMS_NO_CODE)
        elif row.failed_attempts >= MAX_WRONG_TRIES:
            error = DomainError(CommonCode.SMS_CODE_TOO_MANY_TRIES)
        elif row.closed_at is not None:
            error = DomainError(CommonCode.SMS_CODE_USED)
        elif row.expires_at <= now:
            error = DomainError(CommonCode.SMS_CODE_EXPIRED)
        elif not (row.delivered and hmac.compare_digest(row.code_hash, _hash(purpose, phone, code))):
            row.failed_attempts += 1
            if row.failed_attempts >= MAX_WRONG_TRIES:
                row.closed_at = now
                error = DomainError(CommonCode.SMS_CODE_TOO_MANY_TRIES)
            else:
                left = MAX_WRONG_TRIES - row.failed_attempts
                tries_left = ngettext("%(n)d try left.", "%(n)d tries left.", left) % {"n": left}
                error = DomainError(CommonCode.SMS_CODE_WRONG, tries_left=tries_left)
            row.save(update_fields=["failed_attempts", "closed_at"])
        else:
            row.closed_at = now
            row.save(update_fields=["closed_at"])
    # Raised after the commit, so that a wrong guess stays counted.
    if error is not None:
        raise error
    return row
