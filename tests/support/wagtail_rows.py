"""Wagtail's base rows (locale, root page, root collection, default site), put back after a flush."""


def ensure_wagtail_base_rows():
    """Wagtail's migrations create the locale, root page and root collection; a transactional test (live_server,
    the PostgreSQL races) flushes every table afterwards, so a test or fixture that needs them puts them back here.
    Returns the root page."""
    from django.conf import settings
    from wagtail.models import Collection, Locale, Page, Site

    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(
            hostname="localhost", site_name=settings.WAGTAIL_SITE_NAME, root_page=root, is_default_site=True
        )
    return root
