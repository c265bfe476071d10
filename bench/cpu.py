"""CPU time of process trees, read from /proc (Linux): what the app hosts and PostgreSQL spend on a rush.

`tree_seconds(pid)` is the user + system CPU of a process, of its live descendants and of the children they
have already reaped (cutime/cstime), so a snapshot before and one after a rush give what the tree spent in
between, even when worker processes or database backends came and went. Without /proc, None.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def _stat(pid):
    """(ppid, utime + stime + cutime + cstime in clock ticks) of a process, or None if it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": state is fields[0]
    return int(fields[1]), sum(int(f) for f in fields[11:15])


def _children():
    parents = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            found = _stat(entry.name)
            if found is not None:
                parents.setdefault(found[0], []).append(int(entry.name))
    return parents


def tree_seconds(*roots):
    """CPU seconds of the process trees under `roots` (see the module docstring); None without /proc."""
    if not PROC.is_dir() or not roots:
        return None
    children = _children()
    ticks, seen, todo = 0, set(), [int(r) for r in roots if r]
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        found = _stat(pid)
        if found is not None:
            ticks += found[1]
            todo.extend(children.get(pid, ()))
    return ticks / os.sysconf("SC_CLK_TCK")


def postmaster_pid(database_url):
    """The PostgreSQL server's main process, from postmaster.pid in its data directory (asked of the server,
    which needs a superuser, as on the bench's own cluster); None when it cannot be found."""
    try:
        import psycopg

        with psycopg.connect(database_url, autocommit=True, connect_timeout=5) as conn:
            directory = conn.execute("SHOW data_directory").fetchone()[0]
        return int((Path(directory) / "postmaster.pid").read_text().split()[0])
    except Exception:
        return None


class Meter:
    """CPU spent by the app hosts and PostgreSQL between start() and stop()."""

    def __init__(self, app_pids, postgres_pid):
        self.app_pids, self.postgres_pid = list(app_pids), postgres_pid

    def start(self):
        self.before = (tree_seconds(*self.app_pids), tree_seconds(self.postgres_pid) if self.postgres_pid else None)

    def stop(self, operations):
        """{"app_s", "postgres_s", "app_ms_per_op", "postgres_ms_per_op"} for `operations` operations."""
        after = (tree_seconds(*self.app_pids), tree_seconds(self.postgres_pid) if self.postgres_pid else None)
        out = {}
        for name, b, a in zip(("app", "postgres"), self.before, after, strict=True):
            spent = None if a is None or b is None else max(a - b, 0.0)
            out[f"{name}_s"] = spent
            out[f"{name}_ms_per_op"] = spent * 1000 / operations if spent is not None and operations else None
        return out


def describe(cpu, unit="op"):
    """ "CPU 4.1 ms app + 1.2 ms PostgreSQL per order" (parts that could not be measured are left out)."""
    parts = [
        f"{cpu[key]:.1f} ms {label}"
        for key, label in (("app_ms_per_op", "app"), ("postgres_ms_per_op", "PostgreSQL"))
        if cpu.get(key) is not None
    ]
    return f"CPU {' + '.join(parts)} per {unit}" if parts else "CPU not measured"
