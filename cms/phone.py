"""Phone numbers, in one place: what a mainland China mobile number is, how a typed number is normalised,
and how a number is masked for people who may not see it whole (PIPL) and for logs.

- `normalize_mobile("+86 138-1234-5678")` → "13812345678"; "" for anything that is not a mainland mobile.
- `normalize_contact_phone(...)` also takes landlines ("0570-1234567"), for vendors' contact numbers.
- `mask_phone("13812340000")` → "138****0000".
"""

import re

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Landline: optional area code 0xx / 0xxx, a 7–8 digit number, optional extension.
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_COUNTRY_PREFIXES = ("+86", "0086")


def _without_country_code(phone):
    for prefix in _COUNTRY_PREFIXES:
        if phone.startswith(prefix):
            return phone[len(prefix) :]
    return phone


def is_mobile(value):
    """Whether `value` is already a normalised mainland mobile number (11 digits, 13x–19x)."""
    return bool(value) and bool(MOBILE_RE.match(value))


def normalize_mobile(value):
    """ "13812345678" from "+86 138-1234-5678", "(0086)13812345678" and the like; "" when it is not a mainland
    mobile number."""
    phone = _without_country_code(re.sub(r"[\s\-()]", "", str(value or "")))
    return phone if MOBILE_RE.match(phone) else ""


def normalize_contact_phone(value):
    """A mobile number normalised as above, or a landline with its dashes kept ("0570-1234567"); "" for neither."""
    mobile = normalize_mobile(value)
    if mobile:
        return mobile
    phone = _without_country_code(re.sub(r"[\s()]", "", str(value or "")))
    return phone if LANDLINE_RE.match(phone) else ""


def mask_phone(phone):
    """13812340000 → 138****0000; shorter values keep only their last two characters."""
    phone = (phone or "").strip()
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    if len(phone) > 2:
        return "*" * (len(phone) - 2) + phone[-2:]
    return "*" * len(phone)
