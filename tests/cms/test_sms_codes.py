"""The one-time SMS code service (cms/accounts/sms_codes.py) on its own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cms import sms
from cms.accounts import sms_codes
from cms.accounts.sms_codes import check_code, send_code
from cms.errors import DomainError
from cms.models import SmsCode

# SMS go out at once here: the `outbox` fixture (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbox")]

PHONE = "13800138000"


def send(purpose="test", when=None, **kwargs):
    send_code(PHONE, purpose, template="test_code", text="code {code}", now=when, **kwargs)
    return sms.outbox[-1].params["code"] if kwargs.get("deliver", True) else None


def refused(code, purpose="test", when=None):
    with pytest.raises(DomainError) as error:
        check_code(PHONE, purpose, code, now=when)
    return error.value.code


def test_a_code_is_six_digits_stored_hashed_and_works_once(outbox):
    code = send()
    assert len(code) == 6 and code.isdigit() and outbox[0].text == f"code {code}"
    row = SmsCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert check_code(PHONE, "test", code) == row
    assert refused(code) == "used"


def test_a_newer_code_replaces_the_older_one():
    start = timezone.now()
    first = send(when=start)
    second = send(when=start + timedelta(seconds=61))
    if first != second:
        assert refused(first, when=start + timedelta(seconds=62)) == "wrong"
    assert check_code(PHONE, "test", second, now=start + timedelta(seconds=63))


def test_expiry_and_wrong_tries():
    start = timezone.now()
    code = send(when=start)
    assert refused(code, when=start + timedelta(minutes=sms_codes.CODE_MINUTES, seconds=1)) == "expired"
    code = send(when=start + timedelta(minutes=11))
    wrong = "000000" if code != "000000" else "111111"
    kinds = [refused(wrong, when=start + timedelta(minutes=12)) for _ in range(sms_codes.MAX_WRONG_TRIES)]
    assert kinds == ["wrong"] * (sms_codes.MAX_WRONG_TRIES - 1) + ["too_many_tries"]
    assert refused(code, when=start + timedelta(minutes=12)) == "too_many_tries"
    assert refused("12ab") == "invalid"


def test_codes_are_bound_to_their_purpose_and_number():
    code = send("password_reset")
    assert refused(code, "find_ticket") == "no_code"
    with pytest.raises(DomainError):
        check_code("13900139000", "password_reset", code)
    assert check_code(PHONE, "password_reset", code)


def test_resend_gap_and_hourly_limit(outbox):
    start = timezone.now()
    send(when=start)
    with pytest.raises(DomainError) as error:
        send(when=start + timedelta(seconds=30))
    assert error.value.code == "wait"
    for i in range(1, sms_codes.MAX_CODES_PER_HOUR):
        send("test" if i % 2 else "other", when=start + timedelta(minutes=i))
    with pytest.raises(DomainError) as error:
        send("third", when=start + timedelta(minutes=10))
    assert error.value.code == "too_many_codes"
    assert len(outbox) == sms_codes.MAX_CODES_PER_HOUR
    send(when=start + timedelta(minutes=61))  # an hour after the first, one more is allowed


def test_an_undelivered_code_is_counted_but_never_matches(outbox):
    send(deliver=False)
    assert outbox == [] and SmsCode.objects.get().delivered is False
    assert refused("123456") == "wrong"
