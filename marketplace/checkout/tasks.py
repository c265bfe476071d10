"""Background jobs of the checkout (django-tasks).

`expire_orders_task` cancels unpaid orders whose payment window has passed and releases their stock.
Enqueue it from a scheduler (or run `manage.py expire_orders` from cron / a systemd timer); a
`manage.py db_worker` process runs enqueued tasks in production.
"""

from django_tasks import task

from . import services


@task()
def expire_orders_task() -> list[str]:
    """Expire overdue unpaid orders; returns their numbers (plain strings, so any backend can store them)."""
    return services.expire_unpaid_orders()
