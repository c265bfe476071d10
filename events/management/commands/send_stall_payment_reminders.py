"""E-mail vendors whose held stall's fee falls due within the next hours (default 24).

Run it once a day from cron or a systemd timer (see README, "Background jobs"): the service keeps no record of
reminders sent, so running it more often than the window reminds the same vendor more than once.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from events.stalls.services import send_payment_reminders


class Command(BaseCommand):
    help = "E-mail vendors whose held stall's fee is due within the next --hours hours (default 24)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="Remind about fees due within this many hours.")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Enqueue send_stall_payment_reminders_task for the task worker instead of running it here.",
        )

    def handle(self, *args, hours=24, enqueue=False, **options):
        if hours < 1:
            raise CommandError("--hours must be 1 or more.")
        if enqueue:
            from events.tasks import send_stall_payment_reminders_task

            result = send_stall_payment_reminders_task.enqueue(hours=hours)
            self.stdout.write(f"Enqueued send_stall_payment_reminders_task ({result.id}).")
            return
        count = send_payment_reminders(within=timedelta(hours=hours))
        if count or options["verbosity"] >= 1:
            self.stdout.write(f"{count} stall payment reminder(s) sent.")
