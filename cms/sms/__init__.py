"""SMS: the channel that reaches Chinese buyers, visitors and door staff who gave only a mobile number.

One small interface, chosen by `SMS_BACKEND` (a dotted path), like Django's e-mail backends:

- `cms.sms.backends.ConsoleBackend` prints each message (make run);
- `cms.sms.backends.MemoryBackend` keeps them in `cms.sms.outbox` (tests);
- `cms.sms.backends.AliyunBackend` sends through Alibaba Cloud SMS with its official SDK
  (`alibabacloud-dysmsapi20170525`): sign name and template codes from settings.

Providers in China send only pre-approved templates with parameters, so a message is a template key
(`SMS_TEMPLATES` maps it to the provider's template code), its parameters, and the same text rendered
here for the console, the outbox and the logs.

Callers use `enqueue_sms(...)`: the message is sent after the current transaction commits, by a
django-tasks task that retries a failing provider and logs every failure, so a broken provider never
breaks the order or registration that caused the message.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from cms import locking
from cms.phone import is_mobile

logger = logging.getLogger("cms.sms")

# Messages sent by MemoryBackend, oldest first (tests read and clear it).
outbox: list["SmsMessage"] = []


class SmsError(Exception):
    """The provider refused or could not be reached."""


class SmsMessage:
    __slots__ = ("phone", "template", "params", "text")

    def __init__(self, phone: str, template: str, params: dict, text: str):
        self.phone, self.template, self.params, self.text = phone, template, dict(params), text

    def __repr__(self):
        return f"<SmsMessage {self.template} to {self.phone}: {self.text!r}>"


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(phone: str, template: str, params: dict, text: str) -> str:
    """Send one message now through the configured backend; returns the provider's message id.
    Raises SmsError on failure. Most callers want `enqueue_sms` instead."""
    locking.assert_no_locks_held("sending an SMS")
    return get_backend().send(SmsMessage(phone, template, params, text))


def enqueue_sms(phone: str, template: str, params: dict, text: str) -> None:
    """Send after commit, in the task worker, retried on failure. A number that is not a mainland mobile
    number is skipped (logged): landlines cannot receive SMS."""
    if not is_mobile(phone):
        logger.info("SMS %s not sent: %r is not a mobile number", template, phone)
        return
    from .tasks import send_sms_task

    params = {key: str(value) for key, value in params.items()}
    transaction.on_commit(
        lambda: send_sms_task.enqueue(phone=phone, template=template, params=params, text=str(text), attempt=1)
    )
