"""The checkout rush benchmark's harness on a tiny rush: the counts must be exact; timings are not checked."""

import pytest

from bench import checkout_rush

pytestmark = pytest.mark.postgres


def test_a_tiny_rush_sells_exactly_the_stock(checkout_pg_database):
    lines = []
    result = checkout_rush.rush_on(checkout_pg_database, attempts=12, stock=5, workers=3, out=lines.append)

    assert result["ok"] is True
    assert result["placed"] == 5 and result["refused_out_of_stock"] == 7 and result["errors"] == 0
    assert result["final_stock"] == 0 and result["orders_in_db"] == 5
    assert result["p50_ms"] is not None and result["p99_ms"] >= result["p50_ms"]
    assert lines[-1].endswith("OK")


def test_the_rush_reports_fail_when_counts_are_off(checkout_pg_database, monkeypatch):
    real = checkout_rush.stock_and_orders

    def one_order_too_many(url, product_ids):
        final = real(url, product_ids)
        return {**final, "orders": final["orders"] + 1}

    monkeypatch.setattr(checkout_rush, "stock_and_orders", one_order_too_many)
    lines = []
    result = checkout_rush.rush_on(checkout_pg_database, attempts=4, stock=2, workers=2, out=lines.append)

    assert result["ok"] is False and lines[-1].endswith("FAIL")


def test_arguments_are_checked():
    with pytest.raises(SystemExit):
        checkout_rush.main(["--workers", "0"])
