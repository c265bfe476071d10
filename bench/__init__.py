"""Benchmark harness for Shanhai Market: `python -m bench` (see bench/README.md).

Speed is measured, never asserted: the harness prints requests per second, latency percentiles and SQL
queries per page, relative to the floor (`/healthz`), and writes the same figures as JSON.
"""
