"""The SMS channel: backends, after-commit sending, retries that never break the caller."""

import json
import logging

import pytest
from django.db import transaction
from django.test import override_settings

from cms import sms
from cms.sms import SmsError, backends


def test_memory_backend_keeps_messages():
    sms.send_sms("13800138000", "login_code", {"code": "123456"}, "验证码 123456")
    assert [(m.phone, m.template, m.params, m.text) for m in sms.outbox] == [
        ("13800138000", "login_code", {"code": "123456"}, "验证码 123456")
    ]


@override_settings(SMS_BACKEND="cms.sms.backends.ConsoleBackend")
def test_console_backend_prints(capsys):
    sms.send_sms("13800138000", "login_code", {"code": "1"}, "hello")
    assert "[SMS to 13800138000] (login_code) hello" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_enqueue_waits_for_commit_and_is_dropped_on_rollback():
    with transaction.atomic():
        sms.enqueue_sms("13800138000", "order_placed", {"number": 7}, "订单 7")
        assert sms.outbox == []
    assert [m.params for m in sms.outbox] == [{"number": "7"}]

    sms.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        sms.enqueue_sms("13800138000", "order_placed", {"number": 8}, "订单 8")
        raise RuntimeError
    assert sms.outbox == []


@pytest.mark.django_db(transaction=True)
def test_landline_or_empty_number_is_skipped():
    sms.enqueue_sms("0570-1234567", "order_placed", {}, "x")
    sms.enqueue_sms("", "order_placed", {}, "x")
    assert sms.outbox == []


class FlakyBackend(backends.BaseSmsBackend):
    failures = 0

    def send(self, message):
        if FlakyBackend.failures:
            FlakyBackend.failures -= 1
            raise SmsError("provider busy")
        sms.outbox.append(message)
        return "ok"


@pytest.mark.django_db(transaction=True)
@override_settings(SMS_BACKEND=f"{__name__}.FlakyBackend", SMS_MAX_ATTEMPTS=3)
def test_failed_send_is_retried_then_sent(caplog):
    FlakyBackend.failures = 2
    with caplog.at_level(logging.WARNING, logger="cms.sms"):
        sms.enqueue_sms("13800138000", "order_placed", {}, "x")
    assert len(sms.outbox) == 1
    assert sum("retrying" in r.message for r in caplog.records) == 2


@pytest.mark.django_db(transaction=True)
@override_settings(SMS_BACKEND=f"{__name__}.FlakyBackend", SMS_MAX_ATTEMPTS=3)
def test_send_that_keeps_failing_is_logged_and_never_raises(caplog):
    FlakyBackend.failures = 10
    with caplog.at_level(logging.WARNING, logger="cms.sms"):
        sms.enqueue_sms("13800138000", "order_placed", {}, "x")
    FlakyBackend.failures = 0
    assert sms.outbox == []
    assert any(r.levelno == logging.ERROR and "138****8000" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db(transaction=True)
@override_settings(SMS_BACKEND="cms.sms.backends.AliyunBackend", SMS_ALIYUN_ACCESS_KEY_ID="")
def test_unconfigured_provider_is_logged_not_raised(caplog):
    with caplog.at_level(logging.ERROR, logger="cms.sms"):
        sms.enqueue_sms("13800138000", "order_placed", {}, "x")
    assert any("not configured" in r.getMessage() for r in caplog.records)


ALIYUN = {
    "SMS_BACKEND": "cms.sms.backends.AliyunBackend",
    "SMS_ALIYUN_ACCESS_KEY_ID": "id",
    "SMS_ALIYUN_ACCESS_KEY_SECRET": "secret",
    "SMS_SIGN_NAME": "山海集市",
    "SMS_TEMPLATES": {"login_code": "SMS_123"},
}


@override_settings(**ALIYUN)
def test_aliyun_request_uses_sign_template_code_and_json_params():
    request = backends.AliyunBackend().request(sms.SmsMessage("13800138000", "login_code", {"code": "42"}, "t"))
    assert request.phone_numbers == "13800138000"
    assert request.sign_name == "山海集市"
    assert request.template_code == "SMS_123"
    assert json.loads(request.template_param) == {"code": "42"}


@override_settings(**ALIYUN)
def test_aliyun_unknown_template_is_an_sms_error():
    with pytest.raises(SmsError, match="no template code"):
        backends.AliyunBackend().request(sms.SmsMessage("13800138000", "nope", {}, "t"))


@override_settings(**{**ALIYUN, "SMS_ALIYUN_ENDPOINT": "127.0.0.1:9"})
def test_aliyun_unreachable_provider_is_an_sms_error():
    # Port 9 on loopback refuses at once: the SDK's own network error becomes SmsError (retried by the task).
    with pytest.raises(SmsError):
        backends.AliyunBackend().send(sms.SmsMessage("13800138000", "login_code", {"code": "1"}, "t"))
