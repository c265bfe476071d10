"""Background jobs of the marketplace (django-tasks). Services enqueue them after commit."""

from django.conf import settings
from django_tasks import task

from cms import mail


@task()
def send_marketplace_email(subject: str, body: str, recipients: list[str]) -> int:
    """Superseded by cms.notify (kept for tasks queued before it).
    Send one plain-text e-mail. Arguments are plain strings so any task backend can store them."""
    if not recipients:
        return 0
    return mail.send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
