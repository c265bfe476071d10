"""The SMS task: send, and on failure retry a few times before giving up loudly."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django_tasks import default_task_backend, task

from cms.phone import mask_phone

from . import SmsError, send_sms

logger = logging.getLogger("cms.sms")


@task()
def send_sms_task(phone: str, template: str, params: dict, text: str, attempt: int = 1) -> str:
    try:
        message_id = send_sms(phone, template, params, text)
    except ImproperlyConfigured as exc:
        logger.error("SMS %s to %s not sent: SMS is not configured: %s", template, mask_phone(phone), exc)
        return ""
    except SmsError as exc:
        if attempt >= settings.SMS_MAX_ATTEMPTS:
            logger.error(
                "SMS %s to %s failed for good after %d attempts: %s", template, mask_phone(phone), attempt, exc
            )
            return ""
        logger.warning("SMS %s to %s failed (attempt %d), retrying: %s", template, mask_phone(phone), attempt, exc)
        retry = send_sms_task
        if default_task_backend.supports_defer:
            retry = retry.using(run_after=timezone.now() + timedelta(seconds=30 * 2 ** (attempt - 1)))
        retry.enqueue(phone=phone, template=template, params=params, text=text, attempt=attempt + 1)
        return ""
    logger.info("SMS %s sent to %s (%s)", template, mask_phone(phone), message_id)
    return message_id
