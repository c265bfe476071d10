"""Validators shared by vendors (marketplace) and buyer units (canteens)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The largest value an integer column (ids, stock) holds on PostgreSQL; forms and APIs refuse larger ones
# with a message instead of letting the database fail.
MAX_DB_INT = 2**31 - 1
# No listing has this many pages; a larger page number is refused (or shows the last page) before it
# becomes an OFFSET the database cannot take.
MAX_PAGE_NUMBER = 100_000

# GB 32100-2015: the unified social credit code (统一社会信用代码) is 18 characters from this
# 31-character alphabet (no I, O, S, V, Z); the last is a check character over the first 17.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first_17):
    total = sum(USCC_ALPHABET.index(ch) * weight for ch, weight in zip(first_17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value):
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="uscc_length")
    if any(ch not in USCC_ALPHABET for ch in code):
        raise ValidationError(
            _("A unified social credit code uses only digits and capital letters other than I, O, S, V and Z."),
            code="uscc_characters",
        )
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("This unified social credit code is not valid: its check character does not match."), code="uscc_check"
        )
