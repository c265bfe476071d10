from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Fairs")

    def ready(self):
        from . import services, ticketing  # noqa: F401  (connect the receivers of the checkout's order signals)
