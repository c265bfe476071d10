"""The printed table and the JSON file under bench/results/."""

import json
import time

from bench.env import RESULTS_DIR

COLUMNS = [
    ("page", "<"),
    ("path", "<"),
    ("status", ">"),
    ("req/s", ">"),
    ("p50 ms", ">"),
    ("p99 ms", ">"),
    ("queries", ">"),
    ("× floor", ">"),
    ("× bare", ">"),
    ("CPU ms app/redis/wrk", ">"),
]


def _fmt(value, digits):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return f"{value:,.{digits}f}" if isinstance(value, float) else str(value)


def row_cells(row):
    return [
        row["name"],
        row["path"] or "(no page)",
        _fmt(row.get("status"), 0) + (f" {row['x_cache'].lower()}" if row.get("x_cache") else ""),
        _fmt(row.get("rps"), 0),
        _fmt(row.get("p50_ms"), 1),
        _fmt(row.get("p99_ms"), 1),
        _fmt(row.get("queries"), 0),
        _fmt(row.get("floor_fraction"), 2),
        _fmt(row.get("bare_fraction"), 2),
        _cpu(row.get("cpu_ms")),
    ]


def _cpu(found):
    """The CPU of one request: app hosts / Redis / load generator, in ms ("-" for a part not measured)."""
    if not found:
        return "-"
    return "/".join(f"{found[name]:.2f}" if found.get(name) is not None else "-" for name in ("app", "redis", "load"))


def _width(text):
    # CJK characters take two terminal columns.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def format_table(rows, max_path=48):
    cells = []
    for row in rows:
        line = row_cells(row)
        if len(line[1]) > max_path:
            line[1] = line[1][: max_path - 1] + "…"
        cells.append(line)
    headers = [name for name, _ in COLUMNS]
    widths = [max(_width(h), *(_width(c[i]) for c in cells)) if cells else _width(h) for i, h in enumerate(headers)]

    def render(line):
        out = []
        for (_, align), width, text in zip(COLUMNS, widths, line, strict=True):
            pad = " " * (width - _width(text))
            out.append(text + pad if align == "<" else pad + text)
        return "  ".join(out).rstrip()

    lines = [render(headers), render(["-" * w for w in widths])]
    lines.extend(render(line) for line in cells)
    return "\n".join(lines)


def add_floor_fraction(rows, floor_name, key="floor_fraction"):
    floor = next((r for r in rows if r["name"] == floor_name and r.get("rps")), None)
    for row in rows:
        row[key] = row["rps"] / floor["rps"] if floor and row.get("rps") is not None else None


def write_json(payload, results_dir=RESULTS_DIR):
    """Write payload to results/<timestamp>.json and results/latest.json; return the timestamped path."""
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = results_dir / f"bench-{stamp}.json"
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n"
    path.write_text(text)
    (results_dir / "latest.json").write_text(text)
    return path
