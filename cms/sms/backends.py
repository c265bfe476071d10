"""SMS backends: console (development), memory (tests), Alibaba Cloud SMS (production)."""

import json
import logging
import sys
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import SmsError, SmsMessage, outbox

logger = logging.getLogger("cms.sms")


class BaseSmsBackend:
    def send(self, message: SmsMessage) -> str:
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Prints each message to stdout, as Django's console e-mail backend does."""

    _lock = threading.Lock()

    def send(self, message):
        with self._lock:
            sys.stdout.write(f"[SMS to {message.phone}] ({message.template}) {message.text}\n")
            sys.stdout.flush()
        return f"console-{len(message.text)}"


class MemoryBackend(BaseSmsBackend):
    """Keeps messages in `cms.sms.outbox`, for tests."""

    def send(self, message):
        outbox.append(message)
        return f"memory-{len(outbox)}"


class AliyunBackend(BaseSmsBackend):
    """Alibaba Cloud SMS (短信服务) through the official SDK.

    Settings: SMS_ALIYUN_ACCESS_KEY_ID, SMS_ALIYUN_ACCESS_KEY_SECRET, SMS_SIGN_NAME (the approved 签名),
    SMS_TEMPLATES ({template key: approved template code, e.g. "SMS_4650001"}), SMS_ALIYUN_ENDPOINT
    (default dysmsapi.aliyuncs.com). Each template's variables must be named like our parameters.
    """

    def __init__(self):
        for name in ("SMS_ALIYUN_ACCESS_KEY_ID", "SMS_ALIYUN_ACCESS_KEY_SECRET", "SMS_SIGN_NAME"):
            if not getattr(settings, name, ""):
                raise ImproperlyConfigured(f"{name} is required by cms.sms.backends.AliyunBackend")

    def client(self):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.models import Config

        config = Config(
            access_key_id=settings.SMS_ALIYUN_ACCESS_KEY_ID,
            access_key_secret=settings.SMS_ALIYUN_ACCESS_KEY_SECRET,
            endpoint=settings.SMS_ALIYUN_ENDPOINT,
            connect_timeout=5000,
            read_timeout=10000,
        )
        return Client(config)

    def request(self, message):
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest

        code = settings.SMS_TEMPLATES.get(message.template)
        if not code:
            raise SmsError(f"no template code for {message.template!r} in SMS_TEMPLATES")
        return SendSmsRequest(
            phone_numbers=message.phone,
            sign_name=settings.SMS_SIGN_NAME,
            template_code=code,
            template_param=json.dumps(message.params, ensure_ascii=False),
        )

    def send(self, message):
        request = self.request(message)
        try:
            response = self.client().send_sms(request)
        except Exception as exc:  # the SDK raises its own Tea exceptions and network errors
            raise SmsError(str(exc)) from exc
        body = response.body
        if body is None or body.code != "OK":
            raise SmsError(f"{getattr(body, 'code', '?')}: {getattr(body, 'message', '')}")
        return body.biz_id
