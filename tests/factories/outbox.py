"""What was sent: the test SMS outbox (cms.sms.MemoryBackend) and Django's locmem mail outbox."""

from django.core import mail

from cms import sms


def texts(phone):
    """(template, params) of each SMS sent to `phone`."""
    return [(m.template, m.params) for m in sms.outbox if m.phone == phone]


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


def sent_mails():
    """(subject, recipients) of every mail sent, sorted."""
    return sorted((message.subject, tuple(message.to)) for message in mail.outbox)
