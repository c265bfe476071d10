"""bench.cpu: CPU time of process trees from /proc, counted the same whether children are alive or reaped."""

import os
import subprocess
import sys
import time

import pytest

from bench import cpu

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs Linux /proc")

BURN = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"


def test_a_tree_counts_its_children_alive_and_reaped(tmp_path):
    done = tmp_path / "done"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time\ntime.sleep(0.5)\n"
            f"subprocess.run([sys.executable, '-c', {BURN!r}])\nopen({str(done)!r}, 'w').close()\ntime.sleep(60)",
        ],
    )
    try:
        before = cpu.tree_seconds(parent.pid)
        meter = cpu.Meter([parent.pid], None)
        meter.start()
        deadline = time.monotonic() + 60
        while not done.exists() and time.monotonic() < deadline:  # the child burns 0.3 s of CPU, is reaped
            time.sleep(0.1)
        spent = meter.stop(3)
        assert before is not None
        assert spent["app_s"] >= 0.25 and spent["postgres_s"] is None
        assert spent["app_ms_per_op"] == pytest.approx(spent["app_s"] * 1000 / 3)
        assert cpu.describe(spent, "order").startswith("CPU ") and "per order" in cpu.describe(spent, "order")
    finally:
        parent.kill()
        parent.wait()


def test_gone_processes_and_no_operations_are_not_errors():
    assert cpu.tree_seconds(2**22 + 12345) == 0
    meter = cpu.Meter([], None)
    meter.start()
    assert meter.stop(0) == {"app_s": None, "app_ms_per_op": None, "postgres_s": None, "postgres_ms_per_op": None}
    assert cpu.describe({}) == "CPU not measured"
