"""cms.phone: the one definition of a mainland mobile number, its normalisation and its masking."""

import pytest

from cms.phone import is_mobile, mask_phone, normalize_contact_phone, normalize_mobile


@pytest.mark.parametrize(
    "typed", ["13812345678", "+86 138-1234-5678", "0086 138 1234 5678", "(+86)138-1234-5678", " 138 1234 5678 "]
)
def test_mobile_numbers_are_normalised(typed):
    assert normalize_mobile(typed) == "13812345678" and is_mobile(normalize_mobile(typed))


@pytest.mark.parametrize("typed", ["", None, "12812345678", "1381234567", "0570-1234567", "abc", "+1 138 1234 5678"])
def test_what_is_not_a_mainland_mobile_is_refused(typed):
    assert normalize_mobile(typed) == "" and not is_mobile(typed)


def test_contact_phones_take_landlines_with_their_dashes():
    assert normalize_contact_phone("0570-1234567") == "0570-1234567"
    assert normalize_contact_phone("+86 0570 1234567-12") == "05701234567-12"
    assert normalize_contact_phone("138-1234-5678") == "13812345678"
    assert normalize_contact_phone("12345") == ""


def test_masking():
    assert mask_phone("13812340000") == "138****0000"
    assert mask_phone("0570-1234567") == "057*****4567"
    assert mask_phone("12345") == "***45" and mask_phone("") == ""
