"""The bench's Django settings: production's, plus the one switch a bench row needs (bench/README.md).

`SEARCH_AFRESH_HEADER`: the search page honours the header `X-Bench-Search-Afresh` (marketplace.views), ranking
and rendering its results as for a query nobody asked; the `search 胡柚 ·cold` row sends it. Production never
sets it, so there the header does nothing.
"""

from config.settings.production import *  # noqa: F403

SEARCH_AFRESH_HEADER = True
