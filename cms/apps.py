from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site content")

    def ready(self):
        from wagtail.models import Site, get_page_models

        from cms import shell_cache
        from cms.models import FooterLink, SiteSettings

        # Any page row written (created, published, renamed, moved) may change menus and links.
        shell_cache.connect(Site, SiteSettings, FooterLink, *get_page_models())
