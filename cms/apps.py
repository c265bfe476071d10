from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site content")

    def ready(self):
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import PageViewRestriction, Site, get_page_models

        from cms import page_cache, personal_cache, private_media, shell_cache
        from cms.models import City, County, FooterLink, Mark, MountainCountyMembership, MountainSeaPair, SiteSettings

        # Any page row written (created, published, renamed, moved) may change menus and links.
        # Cached pages follow the shell's version too (it is part of their key).
        shell_cache.connect(Site, SiteSettings, FooterLink, *get_page_models())
        # Snippets, images and documents that pages show, and view restrictions (a page turning private).
        page_cache.connect(
            City,
            County,
            Mark,
            MountainCountyMembership,
            MountainSeaPair,
            get_image_model(),
            get_document_model(),
            PageViewRestriction,
        )
        # A signed-in reader's name, groups and staff flag (their header and audience on cached pages).
        personal_cache.connect_users()
        # Thumbnails of private images (receipt photos) are private too.
        private_media.install_private_renditions()
        # Images and documents an editor puts into a restricted collection are moved to the private area.
        private_media.connect_restricted_collections()
