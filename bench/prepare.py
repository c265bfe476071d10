"""Prepare the bench database and static files: migrate, load_demo (once per scale), collectstatic.

Each step runs `manage.py` in a subprocess with the bench environment, so the harness itself never
depends on what a command leaves behind in the process.
"""

import hashlib
import json
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.env import BASE_DIR, PYTHON, VAR_DIR, child_environ


class PrepareError(RuntimeError):
    pass


def manage(args, environ, *, check=True, timeout=1800):
    """Run `python manage.py ARGS` under the bench environment; return the CompletedProcess."""
    proc = subprocess.run(
        [PYTHON, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=child_environ(environ),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise PrepareError(f"manage.py {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return proc


def sqlite_path(database_url):
    """The file of a sqlite:/// URL, or None for other databases (and in-memory SQLite)."""
    parts = urlsplit(database_url)
    if parts.scheme != "sqlite" or not parts.path or parts.path in ("/", "/:memory:"):
        return None
    # sqlite:////abs/path -> path "//abs/path"; sqlite:///rel/path -> "/rel/path"
    path = parts.path[1:]
    return Path(path) if Path(path).is_absolute() else BASE_DIR / path


def stamp_path(database_url):
    """Where the "demo data loaded at scale N" stamp lives: beside a SQLite file, else keyed by the URL."""
    db_file = sqlite_path(database_url)
    if db_file is not None:
        return db_file.with_name(db_file.name + ".stamp.json")
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return VAR_DIR / f"stamp-{digest}.json"


# Each app's demo package (README "Where things live"), its data and the command that runs them.
DEMO_SOURCES = ["*/demo/**/*", "*/demo_data/**/*", "*/management/commands/load_demo.py"]


def demo_files(base_dir=BASE_DIR):
    """The demo loaders and their data files, sorted."""
    files = sorted({p for pattern in DEMO_SOURCES for p in base_dir.glob(pattern) if p.is_file()})
    return [
        path
        for path in files
        if path.suffix != ".pyc" and not any(part in (".venv", "var", "__pycache__") for part in path.parts)
    ]


def demo_fingerprint(base_dir=BASE_DIR):
    """A hash of the demo loaders and their data, so that changed demo code loads again (it is idempotent)."""
    digest = hashlib.sha256()
    for path in demo_files(base_dir):
        digest.update(str(path.relative_to(base_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def read_stamp(database_url, path=None):
    path = path or stamp_path(database_url)
    db_file = sqlite_path(database_url)
    if db_file is not None and not db_file.exists():
        path.unlink(missing_ok=True)  # the database went away, so did its data
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def write_stamp(database_url, scale, fingerprint, path=None):
    path = path or stamp_path(database_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    loaded_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    path.write_text(json.dumps({"scale": scale, "demo_fingerprint": fingerprint, "loaded_at": loaded_at}))


def prepare(database_url, environ, *, scale=0, reload=False, stamp=None, log=print):
    """Migrate, load demo data unless the stamp says it is there at this scale, collect static files.

    Returns a dict describing what happened, for the report.
    """
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    db_file = sqlite_path(database_url)
    if db_file is not None:
        db_file.parent.mkdir(parents=True, exist_ok=True)

    info = {"scale": scale, "demo": None}
    started = time.monotonic()
    log("bench: migrating the bench database …")
    manage(["migrate", "--noinput"], environ)

    stamp_file = stamp or stamp_path(database_url)
    stamp = read_stamp(database_url, stamp_file)
    fingerprint = demo_fingerprint()
    info["demo_fingerprint"] = fingerprint
    if stamp and stamp.get("scale") == scale and stamp.get("demo_fingerprint") == fingerprint and not reload:
        log(f"bench: demo data already loaded at scale {scale} (stamp {stamp_file.name})")
        info["demo"] = "already loaded"
    else:
        why = (
            "demo code changed since the last load"
            if stamp and stamp.get("scale") == scale
            else f"not yet loaded at scale {scale}"
        )
        log(f"bench: manage.py load_demo --scale {scale} ({why}) …")
        proc = manage(["load_demo", "--scale", str(scale)], environ, check=False)
        if proc.returncode == 0:
            write_stamp(database_url, scale, fingerprint, stamp_file)
            info["demo"] = "loaded"
        elif "Unknown command" in proc.stderr:
            log("bench: WARNING: manage.py load_demo does not exist yet; pages it would create are skipped")
            info["demo"] = "load_demo missing"
        else:
            raise PrepareError(f"manage.py load_demo failed ({proc.returncode}):\n{proc.stderr[-4000:]}")

    log("bench: collectstatic …")
    manage(["collectstatic", "--noinput"], environ)
    info["prepare_seconds"] = round(time.monotonic() - started, 1)
    return info
