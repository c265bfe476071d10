"""gunicorn settings for Shanhai Market: `gunicorn -c gunicorn.conf.py config.wsgi:application`.

Every setting can be changed by an environment variable (below) or a command-line flag, which wins over this
file (the benchmark passes --bind and --workers). Run behind a proxy that terminates TLS and buffers slow
clients (nginx); gunicorn's sync workers then only see fast loopback or LAN connections.

    GUNICORN_BIND              where to listen (default 127.0.0.1:8000; "0.0.0.0:8000" only behind a firewall)
    WEB_CONCURRENCY            worker processes (default 2 × CPUs + 1, at most 12)
    GUNICORN_THREADS           threads per worker (default 1: sync workers; above 1: gthread)
    GUNICORN_TIMEOUT           seconds before a silent worker is killed and replaced (default 30)
    GUNICORN_MAX_REQUESTS      a worker is replaced after this many requests, ± jitter (default 2000; 0 off)
    GUNICORN_ACCESS_LOG        "-" for stdout or a file path; off by default (nginx logs requests)
    GUNICORN_LOG_LEVEL         default info
    GUNICORN_PRELOAD           "true" to import the app once in the master before forking (less memory,
                               faster worker start; a code reload then needs a full restart)
"""

import multiprocessing
import os


def _int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _bool(name, default=False):
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in {"1", "true", "yes", "on"}


wsgi_app = "config.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 12))
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes longer than this is stuck (the slowest page is well under a second); the worker is
# replaced. graceful_timeout: on SIGTERM/HUP, how long running requests get to finish.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = 5  # seconds; only matters for gthread workers behind a keep-alive proxy
backlog = _int("GUNICORN_BACKLOG", 2048)

# Recycle workers now and then, so that slow memory growth never accumulates; the jitter keeps them from all
# restarting at the same moment.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10 if max_requests else 0

preload_app = _bool("GUNICORN_PRELOAD")

# Proxy headers (X-Forwarded-Proto) are trusted from these addresses only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Worker heartbeat files in RAM, not on a disk that may stall (Docker's overlay, slow volumes).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = "shanhai"
