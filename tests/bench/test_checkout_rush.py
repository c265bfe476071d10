"""The checkout rush benchmark's harness on a tiny rush: the counts must be exact; timings are not checked.

One tiny rush per module (`tiny_rush`): the exact test reads its result, and the FAIL test runs rush_on's counting
and verdict again on that rush's database and answers (the scene and the worker processes replayed, not made
again), with one count read off by one."""

from types import SimpleNamespace

import pytest

from bench import checkout_rush

pytestmark = pytest.mark.postgres

FIGURES = {"attempts": 12, "stock": 5, "workers": 3}


@pytest.fixture(scope="module")
def tiny_rush(postgres_url, checkout_pg_template):
    """The tiny rush, run once on a fresh copy of the migrated template: its result and printed lines, and the
    scene and worker answers it got (to replay); the database stays until the module is done."""
    name, url = checkout_rush.template_copy(postgres_url, checkout_pg_template)
    made = {}

    def recorded(function, key):
        def call(*args, **kwargs):
            made[key] = function(*args, **kwargs)
            return made[key]

        return call

    lines = []
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(checkout_rush, "setup", recorded(checkout_rush.setup, "scene"))
            patch.setattr(checkout_rush, "rush", recorded(checkout_rush.rush, "answers"))
            result = checkout_rush.rush_on(url, **FIGURES, out=lines.append)
        yield SimpleNamespace(url=url, result=result, lines=lines, **made)
    finally:
        checkout_rush.drop_database(postgres_url, name)


def test_a_tiny_rush_sells_exactly_the_stock(tiny_rush):
    result, lines = tiny_rush.result, tiny_rush.lines

    assert result["ok"] is True
    assert result["placed"] == 5 and result["refused_out_of_stock"] == 7 and result["errors"] == 0
    assert result["final_stock"] == 0 and result["orders_in_db"] == 5
    assert result["p50_ms"] is not None and result["p99_ms"] >= result["p50_ms"]
    assert lines[-1].endswith("OK")


def test_the_rush_reports_fail_when_counts_are_off(tiny_rush, monkeypatch):
    real = checkout_rush.stock_and_orders

    def one_order_too_many(url, product_ids):
        final = real(url, product_ids)
        return {**final, "orders": final["orders"] + 1}

    monkeypatch.setattr(checkout_rush, "stock_and_orders", one_order_too_many)
    monkeypatch.setattr(checkout_rush, "setup", lambda *args, **kwargs: tiny_rush.scene)
    monkeypatch.setattr(checkout_rush, "rush", lambda *args, **kwargs: tiny_rush.answers)
    lines = []
    result = checkout_rush.rush_on(tiny_rush.url, **FIGURES, out=lines.append)

    assert result["ok"] is False and lines[-1].endswith("FAIL")


def test_arguments_are_checked():
    with pytest.raises(SystemExit):
        checkout_rush.main(["--workers", "0"])
