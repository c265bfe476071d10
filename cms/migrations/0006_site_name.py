"""The admin dashboard is titled with the Site's name, else its hostname ("localhost"): name unnamed sites.
And the roots of the page tree and the collections, which admins see, are 根目录 rather than Wagtail's "Root"."""

from django.conf import settings
from django.db import migrations


def name_sites(apps, schema_editor):
    apps.get_model("wagtailcore", "Site").objects.filter(site_name="").update(site_name=settings.WAGTAIL_SITE_NAME)
    apps.get_model("wagtailcore", "Page").objects.filter(depth=1, title="Root").update(title="根目录", draft_title="根目录")
    apps.get_model("wagtailcore", "Collection").objects.filter(depth=1, name="Root").update(name="根目录")


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0005_english_fields"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(name_sites, migrations.RunPython.noop)]
