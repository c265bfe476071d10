from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Fairs")

    def ready(self):
        from cms import page_cache

        # Importing the services connects their receivers of the checkout's order signals.
        from events.registration import personal_data
        from events.registration import services as registration_services  # noqa: F401
        from events.stalls import services as stall_services  # noqa: F401

        personal_data.register()  # registrations in "download my data" / "delete my account"
        from .models import Stall, StallBooking, StallType, TicketType

        # A fair page shows each stall's state (available, held, booked, blocked) and whether it sells tickets
        # (not how many are left: ticket types' counters change with every registration, so only their
        # creation and deletion count).
        page_cache.connect(Stall, StallBooking, StallType)
        page_cache.connect_rows(TicketType)
