"""Cancel unpaid orders whose payment window has passed, returning their stock; confirm receipt (确认收货) of
shipped parts the buyer has not confirmed within ORDER_AUTO_CONFIRM_DAYS; send after-sale requests the vendor left
unanswered for ORDER_AFTER_SALE_VENDOR_HOURS to staff; retry pending Stripe refunds.

Run it every minute from cron or a systemd timer (see README, "Background jobs"). Safe to run in
several places at once: each order is re-checked under a row lock before it is cancelled.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from marketplace.checkout.after_sale import escalate_unanswered
from marketplace.checkout.services import auto_confirm_deliveries, expire_unpaid_orders, retry_pending_refunds


class Command(BaseCommand):
    help = "Cancel unpaid orders whose payment window has passed and release their stock."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Enqueue expire_orders_task for the task worker instead of running it here.",
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            from marketplace.checkout.tasks import expire_orders_task

            result = expire_orders_task.enqueue()
            self.stdout.write(f"Enqueued expire_orders_task ({result.id}).")
            return
        now = timezone.now()
        expired = expire_unpaid_orders(now)
        for number in expired:
            self.stdout.write(f"Cancelled unpaid order {number} (payment window passed).")
        if expired:
            self.stdout.write(self.style.SUCCESS(f"{len(expired)} unpaid order(s) expired."))
        elif options["verbosity"] >= 1:
            self.stdout.write("No unpaid orders past their payment window.")
        for number, vendor in auto_confirm_deliveries(now):
            self.stdout.write(f"Confirmed receipt of {vendor}'s part of order {number} (not confirmed in time).")
        for request_id in escalate_unanswered(now):
            self.stdout.write(f"After-sale request {request_id} went to staff (the vendor did not answer in time).")
        retried = retry_pending_refunds()
        if retried:
            self.stdout.write(f"{retried} pending refund(s) completed.")
