"""cms's demo data, loaded by `manage.py load_demo`.

The protocol every app follows: an app that has demo data gives it a `demo` module (or package)
with a function

    load(*, scale: int, stdout) -> None

which `load_demo` calls inside one transaction, app by app in INSTALLED_APPS order, so an app can
rely on the demo data of the apps before it (marketplace on cms's counties and marks, events on
marketplace's vendors). `scale` is the number of generated extra records an app may add for
benchmarks (0 for the plain demo; cms ignores it). `stdout` is the command's output: write
one line per message. Loaders must be idempotent: find things by natural key, create what is
missing, never duplicate. `facts()` gives the reference facts and `Tally` a created/present summary.
"""

from .images import load_images
from .pages import load_pages
from .site import ensure_admin, load_site_settings
from .support import Tally, facts, sync_rows
from .taxonomy import load_taxonomy

__all__ = ["Tally", "facts", "load", "sync_rows"]


def load(*, scale, stdout):
    """Taxonomy, images, the page tree, site settings and the admin account; `scale` is not used."""
    tally = Tally("cms")
    load_taxonomy(tally)
    images = load_images(tally)
    site, pages = load_pages(images, tally)
    load_site_settings(site, pages, tally)
    ensure_admin(tally, stdout)
    tally.write(stdout)
