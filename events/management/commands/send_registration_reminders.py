"""E-mail every confirmed visitor whose slot (or fair) is tomorrow, once each. Schedule daily."""

from django.core.management.base import BaseCommand

from events.registration.services import send_reminders


class Command(BaseCommand):
    help = "Remind visitors whose fair time slot is tomorrow (each registration once)."

    def handle(self, *args, **options):
        count = send_reminders()
        if options["verbosity"]:
            self.stdout.write(f"{count}")
