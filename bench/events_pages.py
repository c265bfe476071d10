"""The fair pages the benchmark measures (see bench/README.md): a fair page and its stall-map JSON."""

from bench.pages import BenchPage, first_live


def stall_map():
    """/api/fairs/<id>/stalls/ of the first live fair that has stalls (the demo's fairs do)."""
    from events.models import FairPage

    fair = FairPage.objects.live().public().filter(stalls__isnull=False).order_by("path").first()
    return None if fair is None else f"/api/fairs/{fair.pk}/stalls/"


PAGES = [
    BenchPage("fair", first_live("events.FairPage")),
    BenchPage("stall map", stall_map, "the floor plan's JSON: every stall with its state"),
]
