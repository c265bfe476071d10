"""Background jobs of the checkout (django-tasks).

`expire_orders_task` cancels unpaid orders whose payment window has passed and releases their stock, and
confirms receipt of shipped parts the buyer left unconfirmed for ORDER_AUTO_CONFIRM_DAYS, sends after-sale
requests the vendor left unanswered for ORDER_AFTER_SALE_VENDOR_HOURS to staff, and retries Stripe refunds that
are still pending.
Enqueue it from a scheduler (or run `manage.py expire_orders` from cron / a systemd timer); a
`manage.py db_worker` process runs enqueued tasks in production.
"""

from django_tasks import task

from . import after_sale, services


@task()
def expire_orders_task() -> list[str]:
    """Expire overdue unpaid orders and confirm receipt of parts shipped ORDER_AUTO_CONFIRM_DAYS ago; returns the
    numbers of the expired orders (plain strings, so any backend can store them)."""
    expired = services.expire_unpaid_orders()
    services.auto_confirm_deliveries()
    after_sale.escalate_unanswered()
    services.retry_pending_refunds()
    return expired
