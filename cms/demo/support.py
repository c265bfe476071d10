"""Helpers shared by the apps' demo loaders: the reference facts and an idempotent row sync."""

import json
from collections import Counter
from functools import cache
from pathlib import Path

FACTS_FILE = Path(__file__).resolve().parent.parent / "demo_data" / "zhejiang.json"


@cache
def facts():
    """The reference facts (cities, counties, pairs, marks, products, fairs …) shipped with the project."""
    with FACTS_FILE.open(encoding="utf-8") as f:
        return json.load(f)


class Tally:
    """Counts what a loader created, updated or found already present, per kind of thing."""

    def __init__(self, app_label):
        self.app_label = app_label
        self.counts = {}

    def add(self, kind, outcome, n=1):
        self.counts.setdefault(kind, Counter())[outcome] += n

    def created(self, kind, n=1):
        self.add(kind, "created", n)

    def updated(self, kind, n=1):
        self.add(kind, "updated", n)

    def present(self, kind, n=1):
        self.add(kind, "present", n)

    def total(self, outcome):
        return sum(c[outcome] for c in self.counts.values())

    def lines(self):
        for kind, c in self.counts.items():
            parts = [f"{c[o]} {o}" for o in ("created", "updated", "present") if c[o]]
            yield f"  {self.app_label} {kind}: {', '.join(parts)}"

    def write(self, stdout):
        for line in self.lines():
            stdout.write(line)


def sync_rows(model, key, rows, tally, kind):
    """Create or update `rows` (dicts of field values, foreign keys as `…_id`) matched on the `key` fields.

    Existing rows are read in one query and an unchanged row costs no write, so a re-run is cheap.
    Rows are saved one by one rather than in bulk so that signals (such as search indexing) run;
    the counts here are small and fixed. Returns {key tuple: instance}.
    """
    existing = {tuple(getattr(obj, f) for f in key): obj for obj in model.objects.all()}
    result = {}
    for row in rows:
        row_key = tuple(row[f] for f in key)
        obj = existing.get(row_key)
        if obj is None:
            obj = model(**row)
            obj.save()
            tally.created(kind)
        else:
            changed = [f for f, value in row.items() if getattr(obj, f) != value]
            if changed:
                for f in changed:
                    setattr(obj, f, row[f])
                obj.save(update_fields=changed)
                tally.updated(kind)
            else:
                tally.present(kind)
        result[row_key] = obj
    return result


def fill_english(found, demo_page):
    """Give a page made by an older demo the English texts it lacks; what an editor wrote stays."""
    missing = {}
    for field in type(found)._meta.concrete_fields:
        if not field.name.endswith("_en"):
            continue
        ours, theirs = getattr(demo_page, field.name), getattr(found, field.name)
        empty = len(theirs) == 0 if hasattr(theirs, "raw_data") else not theirs
        if empty and (len(ours) if hasattr(ours, "raw_data") else ours):
            missing[field.name] = ours
    if missing:
        for name, value in missing.items():
            setattr(found, name, value)
        found.save_revision().publish()
