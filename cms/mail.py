"""Outgoing e-mail: every message the apps send goes through here, so that none is sent while this thread holds
row locks (cms.locking): a slow mail server must never hold up a stall or a fair place."""

from django.core import mail

from . import locking


def send_message(message):
    """Send a prepared `EmailMessage`; returns the number sent (0 or 1)."""
    locking.assert_no_locks_held("sending e-mail")
    return message.send()


def send_mail(subject, body, from_email, recipients, **kwargs):
    """As `django.core.mail.send_mail`."""
    locking.assert_no_locks_held("sending e-mail")
    return mail.send_mail(subject, body, from_email, recipients, **kwargs)
