"""The one place that decides how a person is reached: by e-mail, by SMS, or both.

Apps compose a message (an e-mail subject and body, and an SMS: template key, parameters, short text) and call
`notify(recipients, ...)` once their transaction has committed (from a django-tasks task or an on_commit
callback; `notify_after_commit` defers the call for callers still inside one); this module picks the channel
per recipient:

- people buying or visiting (`work=False`): e-mail when they gave one, else SMS to their mainland mobile number;
- people at work — vendors, unit approvers (`work=True`): e-mail where given *and* SMS where there is a mobile
  number, so a new order or a stall decision is seen the same day.

E-mails go through `send_email_task` and SMS through `cms.sms.tasks.send_sms_task`, both retried and logged
by their task, so a broken mail server or SMS provider never breaks (or rolls
back) the order, registration or booking that caused the message.
"""

import dataclasses
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from . import mail
from .phone import is_mobile
from .sms.tasks import send_sms_task

logger = logging.getLogger("cms.notify")

EMAIL, SMS = "email", "sms"


@dataclasses.dataclass(frozen=True)
class Recipient:
    email: str = ""
    phone: str = ""


@dataclasses.dataclass(frozen=True)
class Sms:
    """An SMS: the provider template key (README "Notifications: e-mail and SMS"), its named parameters and
    the same text rendered here (console, outbox, logs)."""

    key: str
    params: dict
    text: str


def user_phone(user):
    """A person's mobile number from their account: a phone account's username is its number (cms.accounts);
    a profile or user `phone`/`mobile` attribute counts too where a project adds one."""
    if user is None:
        return ""
    for holder in (user, getattr(user, "profile", None)):
        for name in ("phone", "mobile"):
            value = getattr(holder, name, "") if holder is not None else ""
            if isinstance(value, str) and is_mobile(value.strip()):
                return value.strip()
    username = user.get_username() if hasattr(user, "get_username") else ""
    return username if is_mobile(username) else ""


def user_recipient(user):
    if user is None:
        return Recipient()
    return Recipient(email=(user.email or "").strip(), phone=user_phone(user))


def channels(recipient, *, work=False):
    """The channels a recipient is reached on: a subset of {"email", "sms"}, in that order."""
    found = []
    if recipient.email:
        found.append(EMAIL)
    if is_mobile(recipient.phone) and (work or not recipient.email):
        found.append(SMS)
    return found


def notify(recipients, *, subject, body, sms=None, work=False, attachments=()):
    """Hand one message for each recipient's channels to the task worker. Call it after commit. One e-mail goes
    to all e-mail addresses together; each mobile number gets its own SMS. `attachments` are
    (filename, content, mimetype) triples for the e-mail. Returns {"email": [...], "sms": [...]}."""
    emails, phones = [], []
    for recipient in recipients:
        if recipient is None:
            continue
        chosen = channels(recipient, work=work)
        if EMAIL in chosen and recipient.email not in emails:
            emails.append(recipient.email)
        if SMS in chosen and recipient.phone not in phones:
            phones.append(recipient.phone)
    if emails:
        subject, body = str(subject), str(body)
        files = [list(item) for item in attachments]
        _quietly(send_email_task.enqueue, subject=subject, body=body, recipients=emails, attachments=files)
    if sms is None:
        phones = []
    else:
        params = {key: str(value) for key, value in sms.params.items()}
        for phone in phones:
            _quietly(send_sms_task.enqueue, phone=phone, template=sms.key, params=params, text=str(sms.text))
    return {EMAIL: emails, SMS: phones}


def notify_after_commit(recipients, **message):
    """`notify` once the current transaction commits (dropped if it rolls back)."""
    recipients = list(recipients)
    transaction.on_commit(lambda: notify(recipients, **message), robust=True)


def _quietly(enqueue, **kwargs):
    """Enqueue a send task; a task queue that is down is logged, never raised into the caller."""
    try:
        enqueue(**kwargs)
    except Exception:
        logger.exception("Could not enqueue %s", getattr(enqueue, "__self__", enqueue))


def _mask(address):
    name, _at, domain = address.partition("@")
    return f"{name[:2]}***@{domain}"


@task()
def send_email_task(subject: str, body: str, recipients: list[str], attachments: list | None = None, attempt: int = 1):
    """Send one plain-text e-mail; on failure retry a few times (backing off where the backend can defer), then
    log loudly. Never raises: the operation that caused the mail is committed by now."""
    if not recipients:
        return 0
    try:
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        for filename, content, mimetype in attachments or ():
            message.attach(filename, content, mimetype)
        return mail.send_message(message)
    except Exception as exc:  # SMTP errors, refused connections, timeouts
        who = ", ".join(_mask(r) for r in recipients)
        max_attempts = getattr(settings, "EMAIL_MAX_ATTEMPTS", settings.SMS_MAX_ATTEMPTS)
        if attempt >= max_attempts:
            logger.error("E-mail %r to %s failed for good after %d attempts: %s", subject, who, attempt, exc)
            return 0
        logger.warning("E-mail %r to %s failed (attempt %d), retrying: %s", subject, who, attempt, exc)
        retry = send_email_task
        if default_task_backend.supports_defer:
            retry = retry.using(run_after=timezone.now() + timedelta(seconds=30 * 2 ** (attempt - 1)))
        retry.enqueue(subject=subject, body=body, recipients=recipients, attachments=attachments, attempt=attempt + 1)
        return 0


def absolute_url(path):
    """An absolute link for a message, from WAGTAILADMIN_BASE_URL."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
