"""Run one Python snippet in many processes at the same moment against a database: the multi-process races.

    results = together(url, CODE, [{"USER_ID": "1"}, {"USER_ID": "2"}, …])
    for result in results:                    # in the order of envs
        assert result.returncode == 0, result.stderr
        row = json.loads(result.stdout.strip().splitlines()[-1])

One Django process is started (tests.support.postgres.spawn_django); it sets Django up once, closes its
connections and forks one child per env, so every racer is still its own process with its own database
connection, without paying for a Python and Django start-up each. A child updates os.environ with its env
(plus READY, GO and I, its index), runs CODE, which prepares what it needs, touches READY and opens the FIFO
GO for reading; that blocks until the test opens GO for writing, which releases all of them at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support import postgres

FORKER = r"""
import json, os, sys, traceback
from django.db import connections

spec = json.loads(os.environ["RACE_SPEC"])
code = compile(spec["code"], "<race>", "exec")
connections.close_all()  # each child opens its own connection
children = []
for index, env in enumerate(spec["envs"]):
    pid = os.fork()
    if pid == 0:
        status = 0
        out = open(os.path.join(spec["dir"], f"out{index}"), "w")
        err = open(os.path.join(spec["dir"], f"err{index}"), "w")
        sys.stdout, sys.stderr = out, err
        try:
            os.environ.update(env)
            exec(code, {"__name__": "__main__"})
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
            status = 1
        finally:
            try:
                connections.close_all()
                if status:
                    open(os.path.join(spec["dir"], f"failed{index}"), "w").close()
            finally:
                out.flush()
                err.flush()
                os._exit(status)
    children.append(pid)
statuses = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
print(json.dumps(statuses))
"""


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def together(url: str, code: str, envs: list[dict], *, timeout: float = 120) -> list[Result]:
    """Run `code` in one forked process per env, all released at once; their results in the order of envs."""
    with tempfile.TemporaryDirectory(prefix="shanhai-race-") as tmp:
        go = os.path.join(tmp, "go")
        os.mkfifo(go)
        envs = [
            {**{k: str(v) for k, v in env.items()}, "READY": os.path.join(tmp, f"ready{i}"), "GO": go, "I": str(i)}
            for i, env in enumerate(envs)
        ]
        spec = json.dumps({"code": code, "envs": envs, "dir": tmp})
        # A session of its own, so that the forker and its children can be killed together.
        forker = subprocess.Popen(
            postgres.django_argv(FORKER),
            cwd=postgres.PROJECT_DIR,
            env=postgres.django_env(url, extra={"RACE_SPEC": spec}),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while sum(os.path.exists(env["READY"]) for env in envs) < len(envs):
                failed = forker.poll() is not None or any(Path(tmp).glob("failed*"))
                if failed or time.monotonic() > deadline:
                    _kill(forker)
                    out, err = forker.communicate()
                    children = "\n".join(_read(Path(tmp) / f"err{i}")[-2000:] for i in range(len(envs)))
                    raise AssertionError(f"the racers did not all get ready:\n{err[-2000:]}\n{children}")
                time.sleep(0.02)
            # Every child blocks opening GO for reading; opening it for writing releases them all at once.
            os.close(os.open(go, os.O_WRONLY))
            out, err = forker.communicate(timeout=timeout)
            assert forker.returncode == 0, err[-2000:]
            statuses = json.loads(out.strip().splitlines()[-1])
            return [
                Result(status, _read(Path(tmp) / f"out{i}"), _read(Path(tmp) / f"err{i}"))
                for i, status in enumerate(statuses)
            ]
        finally:
            if forker.poll() is None:
                _kill(forker)
                forker.wait()


def _kill(process: subprocess.Popen) -> None:
    """Kill the forker and any child of it still running (a racer blocked at the barrier)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""
