"""PIPL retention: mask attendees' names and mobile numbers EVENTS_PERSONAL_DATA_DAYS (90) days after a fair
ends. Idempotent; schedule daily (deploy/systemd/shanhai-daily.service)."""

from django.core.management.base import BaseCommand

from events.registration.personal_data import purge_ended_fairs


class Command(BaseCommand):
    help = "Mask attendees' names and mobile numbers at fairs that ended more than EVENTS_PERSONAL_DATA_DAYS ago."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="override EVENTS_PERSONAL_DATA_DAYS")

    def handle(self, *args, **options):
        count = purge_ended_fairs(days=options["days"])
        if options["verbosity"]:
            self.stdout.write(f"{count}")
