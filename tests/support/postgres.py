"""Throwaway PostgreSQL clusters for tests, and Django subprocesses that talk to them.

No Django import at module level: the CLI runs before any settings exist.

    with throwaway_cluster() as url:      # postgres://postgres@127.0.0.1:PORT/postgres
        run_django(["migrate", "--noinput"], url)

    python -m tests.support.postgres run -- pytest -m "not browser"

The cluster lives in a fresh temporary directory (data, log and unix socket), listens on a free port on
127.0.0.1 only, trusts every local connection and trades durability for speed (fsync off). It is stopped
and its directory removed on the way out, also when the body raises. initdb refuses to run as root, so
as root every PostgreSQL binary runs as the `postgres` system user via runuser.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parents[2]
SYSTEM_USER = "postgres"  # the account the binaries run as when we are root
SUPERUSER = "postgres"  # the database superuser initdb creates

# Speed over durability: the data is thrown away anyway.
SERVER_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_connections": "200",
    "shared_buffers": "64MB",
    "checkpoint_timeout": "30min",
    "autovacuum": "off",
    "jit": "off",
    "log_min_messages": "warning",
}


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries (initdb, pg_ctl) are not installed."""


class PostgresStartError(RuntimeError):
    """initdb or the server failed; the message carries their output."""


class DjangoProcessError(subprocess.CalledProcessError):
    """A Django subprocess failed; unlike CalledProcessError its message shows what it printed."""

    def __str__(self):
        return f"{super().__str__()}\n--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"


def _version_key(path: Path) -> tuple:
    # /usr/lib/postgresql/15/bin -> (15,); "9.6" -> (9, 6); anything odd sorts first.
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (-1,)


def find_bin_dir() -> Path | None:
    """The directory holding initdb and pg_ctl: the newest /usr/lib/postgresql/*/bin, else PATH."""
    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").is_file()]
    if candidates:
        return max(candidates, key=_version_key)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl", path=str(Path(initdb).parent)):
        return Path(initdb).parent
    return None


def unavailable_reason() -> str | None:
    """Why no cluster can be started here, or None when one can."""
    if find_bin_dir() is None:
        return "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb, no initdb on PATH)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            return f"running as root but there is no {SYSTEM_USER!r} system user to run initdb as"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_owner(argv: Sequence[str]) -> list[str]:
    """Prefix a command so it runs as the postgres system user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", SYSTEM_USER, "--", *argv]
    return list(argv)


def _run(argv: Sequence[str], what: str) -> None:
    result = subprocess.run(_as_owner(argv), capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise PostgresStartError(f"{what} failed ({result.returncode}):\n{result.stdout}{result.stderr}")


def _prepare_dir(directory: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
    directory.chmod(0o700)


def _initdb(bin_dir: Path, data: Path) -> None:
    _run(
        [
            str(bin_dir / "initdb"),
            "--pgdata",
            str(data),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C.UTF-8",
            "--no-sync",
        ],
        "initdb",
    )


def _start(bin_dir: Path, data: Path, log: Path, socket_dir: Path, port: int | None, settings: dict) -> int:
    """pg_ctl start on 127.0.0.1 (port, or a free one, retried if taken meanwhile); returns the port."""
    # A port can be taken between free_port() and the server binding it: try a few.
    for attempt in range(5):
        chosen = port or free_port()
        options = [
            "-c listen_addresses=127.0.0.1",
            f"-c port={chosen}",
            f"-c unix_socket_directories={socket_dir}",
            *(f"-c {name}={value}" for name, value in settings.items()),
        ]
        try:
            _run(
                [
                    str(bin_dir / "pg_ctl"),
                    "start",
                    "--pgdata",
                    str(data),
                    "--log",
                    str(log),
                    "--wait",
                    "--timeout",
                    "60",
                    "--silent",
                    "-o",
                    " ".join(options),
                ],
                "pg_ctl start",
            )
        except PostgresStartError as exc:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            if port is None and attempt < 4 and "could not bind" in server_log:
                log.unlink(missing_ok=True)
                continue
            raise PostgresStartError(f"{exc}\nserver log:\n{server_log}") from None
        return chosen
    raise AssertionError("unreachable")  # pragma: no cover


def _stop(bin_dir: Path, data: Path, mode: str) -> None:
    with contextlib.suppress(PostgresStartError):
        _run([str(bin_dir / "pg_ctl"), "stop", "--pgdata", str(data), "--mode", mode, "--wait"], "stop")


def stop_server(url: str, mode: str = "fast"):
    """Stop a throwaway cluster's server in the middle of a test (a database outage); returns a function that
    starts it again on the same port. The cluster's own `with` block still removes it afterwards."""
    bin_dir = find_bin_dir()
    assert bin_dir is not None
    with _connect(url) as conn:
        data = Path(conn.execute("SHOW data_directory").fetchone()[0])
    _stop(bin_dir, data, mode)
    workdir = data.parent  # throwaway_cluster's layout: data, server.log and the socket in one directory

    def start_again():
        _start(bin_dir, data, workdir / "server.log", workdir, urlsplit(url).port, SERVER_SETTINGS)

    return start_again


@contextlib.contextmanager
def throwaway_cluster(*, port: int | None = None, quiet: bool = True) -> Iterator[str]:
    """Start a fresh PostgreSQL cluster; yield its DATABASE_URL; stop it and delete it afterwards."""
    reason = unavailable_reason()
    if reason:
        raise PostgresUnavailable(reason)
    bin_dir = find_bin_dir()
    assert bin_dir is not None
    workdir = Path(tempfile.mkdtemp(prefix="shanhai-pg-"))
    data, log = workdir / "data", workdir / "server.log"
    started = False
    try:
        _prepare_dir(workdir)
        _initdb(bin_dir, data)
        chosen = _start(bin_dir, data, log, workdir, port, SERVER_SETTINGS)
        started = True
        url = f"postgres://{SUPERUSER}@127.0.0.1:{chosen}/postgres"
        if not quiet:
            print(f"PostgreSQL ({bin_dir.parent.name}) throwaway cluster at {url} in {workdir}", file=sys.stderr)
        yield url
    finally:
        if started:
            _stop(bin_dir, data, "immediate")
        shutil.rmtree(workdir, ignore_errors=True)


# Kept between runs so that the benchmark's demo data is reused. Still fsync off: the contents can always be
# loaded again (delete the directory), and it is always stopped cleanly. Autovacuum on, since the data lives on.
PERSISTENT_SETTINGS = {**SERVER_SETTINGS, "autovacuum": "on", "shared_buffers": "128MB"}


@contextlib.contextmanager
def project_cluster(directory: Path, *, quiet: bool = True) -> Iterator[str]:
    """A PostgreSQL cluster that lives in `directory` between runs (initdb the first time), started on a
    loopback port for the length of the `with` block and stopped (fast shutdown) afterwards, also on errors.

    The port is remembered in `directory/port` and reused when free, so the URL stays the same from run
    to run. Yields the server's URL (database `postgres`). If the cluster is already running (another run
    uses it), PostgresStartError: two runs never share it, and one never stops the other's server.
    """
    reason = unavailable_reason()
    if reason:
        raise PostgresUnavailable(reason)
    bin_dir = find_bin_dir()
    assert bin_dir is not None
    directory = Path(directory).resolve()
    data, log, port_file = directory / "data", directory / "server.log", directory / "port"
    directory.mkdir(parents=True, exist_ok=True)
    _prepare_dir(directory)
    if not (data / "PG_VERSION").is_file():
        shutil.rmtree(data, ignore_errors=True)  # a half-made cluster from an interrupted initdb
        _initdb(bin_dir, data)
    elif _running(bin_dir, data):
        raise PostgresStartError(
            f"the cluster in {directory} is already running (another run?); stop it with: "
            f"{_as_owner([str(bin_dir / 'pg_ctl'), 'stop', '--pgdata', str(data)])}"
        )
    remembered = None
    with contextlib.suppress(OSError, ValueError):
        remembered = int(port_file.read_text().strip())
    port = remembered if remembered and _port_free(remembered) else None
    chosen = _start(bin_dir, data, log, directory, port, PERSISTENT_SETTINGS)
    try:
        port_file.write_text(f"{chosen}\n")
        url = f"postgres://{SUPERUSER}@127.0.0.1:{chosen}/postgres"
        if not quiet:
            print(f"PostgreSQL ({bin_dir.parent.name}) cluster at {url} in {directory}", file=sys.stderr)
        yield url
    finally:
        _stop(bin_dir, data, "fast")


def _running(bin_dir: Path, data: Path) -> bool:
    """pg_ctl status: True when a server runs on this data directory (a stale postmaster.pid is not one)."""
    result = subprocess.run(
        _as_owner([str(bin_dir / "pg_ctl"), "status", "--pgdata", str(data)]),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    return result.returncode == 0


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=10)


def create_database(url: str, name: str) -> str:
    """CREATE DATABASE name on url's server; return its URL."""
    from psycopg import sql

    with _connect(url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))
    return with_database(url, name)


def drop_database(url: str, name: str) -> None:
    from psycopg import sql

    with _connect(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in {"postgres", "postgresql", "pgsql"}


def server_cpu_seconds(url: str) -> float:
    """CPU seconds (user + system) the server's postmaster and its ended backends have used so far: a server
    started by pg_ctl is no child of the process that started it, so `time` on a test run leaves it out."""
    with _connect(url) as conn:
        data = Path(conn.execute("SHOW data_directory").fetchone()[0])
    pid = int((data / "postmaster.pid").read_text().split()[0])
    # /proc/PID/stat fields 14-17 (utime, stime, cutime, cstime) after the ")" that ends the command name.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


# --- Django in a subprocess -------------------------------------------------------------------------------


def django_argv(code_or_args: str | Sequence[str]) -> list[str]:
    """A Python snippet (str) runs after django.setup(); a list is a manage.py command line."""
    if isinstance(code_or_args, str):
        code = "import django\ndjango.setup()\n" + textwrap.dedent(code_or_args)
        return [sys.executable, "-c", code]
    return [sys.executable, str(PROJECT_DIR / "manage.py"), *code_or_args]


def django_env(database_url: str, settings: str = "config.settings.test", extra: dict | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE=settings, PYTHONPATH=str(PROJECT_DIR))
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(extra or {})
    return env


def run_django(
    code_or_args: str | Sequence[str],
    database_url: str,
    *,
    settings: str = "config.settings.test",
    env: dict | None = None,
    timeout: float = 300,
    check: bool = True,
    input: str | None = None,
) -> subprocess.CompletedProcess:
    """Run a snippet or a management command in a fresh Python with Django set up against database_url.

    Output is captured (text). With check=True a non-zero exit raises DjangoProcessError (a CalledProcessError
    whose message includes stdout and stderr).
    """
    result = subprocess.run(
        django_argv(code_or_args),
        cwd=PROJECT_DIR,
        env=django_env(database_url, settings, env),
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
    )
    if check and result.returncode != 0:
        raise DjangoProcessError(result.returncode, result.args, result.stdout, result.stderr)
    return result


def spawn_django(
    code_or_args: str | Sequence[str],
    database_url: str,
    *,
    settings: str = "config.settings.test",
    env: dict | None = None,
) -> subprocess.Popen:
    """Like run_django but returns the running process (pipes for stdout/stderr), for concurrency tests."""
    return subprocess.Popen(
        django_argv(code_or_args),
        cwd=PROJECT_DIR,
        env=django_env(database_url, settings, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# --- CLI --------------------------------------------------------------------------------------------------


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.postgres", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start a cluster, run CMD with DATABASE_URL set, stop the cluster")
    run.add_argument("cmd", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        parser.error("give the command to run after --")
    # SIGTERM unwinds like Ctrl-C, so the cluster is stopped and removed.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        started = time.monotonic()
        with throwaway_cluster(quiet=False) as url:
            print(f"  (started in {time.monotonic() - started:.1f}s)", file=sys.stderr)
            child = subprocess.Popen(cmd, env={**os.environ, "DATABASE_URL": url})
            try:
                returncode = child.wait()
                with contextlib.suppress(Exception):  # a figure for the reader, never a reason to fail
                    print(f"  (PostgreSQL server CPU: {server_cpu_seconds(url):.1f} s)", file=sys.stderr)
                return 128 - returncode if returncode < 0 else returncode  # killed by a signal: 128+N
            except KeyboardInterrupt:
                child.send_signal(signal.SIGINT)
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
                return 130
    except (PostgresUnavailable, PostgresStartError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
