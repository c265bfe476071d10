"""Waiting-list offers not accepted in time lapse; the place goes to the next person. Schedule every minute."""

from django.core.management.base import BaseCommand

from events.registration.services import expire_offers


class Command(BaseCommand):
    help = "Lapse expired waiting-list offers and offer the places to the next on the list."

    def handle(self, *args, **options):
        count = expire_offers()
        if options["verbosity"]:
            self.stdout.write(f"{count}")
