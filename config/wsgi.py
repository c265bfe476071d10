import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

django_application = get_wsgi_application()

# Page-cache hits are answered before Django's handler (cms/page_cache_wsgi.py); everything else by Django's.
from cms.page_cache_wsgi import PageCacheApplication  # noqa: E402  (needs the apps loaded)

application = PageCacheApplication(django_application)
