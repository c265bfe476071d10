"""Listing columns for the Wagtail admin shared by the apps."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column


class YesNoColumn(Column):
    """A true/false value as 是/否 (yes/no): Wagtail prints a bare bool in listings as "True"/"False"."""

    def get_value(self, instance):
        value = super().get_value(instance)
        if value is None:
            return "—"
        return _("yes") if value else _("no")
