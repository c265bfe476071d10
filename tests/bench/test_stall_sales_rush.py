"""The stall-sales rush's harness: who sends which sale, when the counts are exact, and a tiny rush over two real
gunicorn hosts on PostgreSQL (every sale recorded once, retries answered with the same sale, stock exact). No
timing is asserted."""

from collections import Counter

import pytest

from bench import checkout_rush, http_rush
from bench.__main__ import parse_args


def test_plan_spreads_each_vendor_over_several_clients_and_retries_on_another():
    plans, sales, retries = http_rush.sales_plan(vendors=6, sales_per_vendor=5, clients=6, retry_every=10)

    assert (sales, retries) == (30, 3)
    tasks = [(c, task) for c, plan in enumerate(plans) for task in plan]
    assert len(tasks) == 33
    firsts = [task["client_id"] for _c, task in tasks if not task["retry"]]
    per_vendor = Counter(task["vendor"] for _c, task in tasks if not task["retry"])
    assert len(set(firsts)) == 30 and per_vendor == dict.fromkeys(range(6), 5)
    # Clients 0-3 share the even vendors, clients 4-5 the odd ones: one vendor's sales come from several clients,
    # and so from both hosts (client i talks to host i mod 2).
    for vendor in range(6):
        clients = {c for c, task in tasks if task["vendor"] == vendor}
        assert len(clients) > 1 and {c % 2 for c in clients} == {0, 1}
    # A retry has the client id of a first send, from another client.
    first_client = {task["client_id"]: c for c, task in tasks if not task["retry"]}
    again = [(c, task) for c, task in tasks if task["retry"]]
    assert all(task["client_id"] in first_client and c != first_client[task["client_id"]] for c, task in again)


def test_plan_without_retries_and_with_one_client():
    plans, sales, retries = http_rush.sales_plan(vendors=2, sales_per_vendor=3, clients=1, retry_every=0)
    assert (sales, retries, len(plans), len(plans[0])) == (6, 0, 1, 6)


def _db(sales=30, stock=None, sold=None):
    return {
        "sales": sales,
        "client_ids": sales,
        "recorded": sales,
        "units": sales,
        "stock_taken": sales,
        "stock": stock or dict.fromkeys(map(str, range(6)), 0),
        "sold": sold or {str(p): 5 for p in range(6)},
    }


def test_sales_exact_only_when_every_sale_is_recorded_once_and_stock_follows():
    kwargs = {"sales": 30, "retries": 3, "stock": 5}
    answers = {"201": 30, "200": 3}
    assert http_rush.judge_sales(answers=answers, same_sale=3, db=_db(), **kwargs)
    # a retry recorded as a second sale
    assert not http_rush.judge_sales(answers={"201": 31, "200": 2}, same_sale=2, db=_db(31), **kwargs)
    # a retry answered with another sale
    assert not http_rush.judge_sales(answers=answers, same_sale=2, db=_db(), **kwargs)
    # stock that did not move, or went below zero
    assert not http_rush.judge_sales(answers=answers, same_sale=3, db=_db(stock={"0": 5, "1": 0}), **kwargs)
    assert not http_rush.judge_sales(
        answers=answers,
        same_sale=3,
        db=_db(stock={"0": -1}, sold={"0": 6, **{str(p): 5 for p in range(1, 6)}}),
        **kwargs,
    )
    # anything else in the answers
    assert not http_rush.judge_sales(answers={**answers, "500": 1}, same_sale=3, db=_db(), **kwargs)
    assert not http_rush.judge_sales(
        answers={"201": 29, "200": 3, "out_of_stock": 1}, same_sale=3, db=_db(29), **kwargs
    )


def test_flags_and_the_smoke_size():
    args = parse_args(["--smoke"])
    assert (args.figures.sale_vendors, args.figures.sales_per_vendor, args.figures.retry_every) == (6, 5, 10)
    args = parse_args(["--sale-vendors", "3", "--sales-per-vendor", "7", "--retry-every", "0"])
    assert (args.figures.sale_vendors, args.figures.sales_per_vendor, args.figures.retry_every) == (3, 7, 0)
    assert (parse_args([]).figures.sale_vendors, parse_args([]).figures.sales_per_vendor) == (50, 40)
    with pytest.raises(SystemExit):
        parse_args(["--sales-per-vendor", "0"])
    assert "stall-sales rush" in dict(http_rush.RUSHES) and http_rush.CPU_PER["stall-sales rush"] == "sale"


@pytest.mark.postgres
def test_a_tiny_rush_over_two_hosts_records_each_sale_once(checkout_pg_database):
    from bench.env import bench_environ
    from bench.server import hosts

    figures = http_rush.Figures(sale_vendors=3, sales_per_vendor=4, clients=4, retry_every=3)
    settings, env = checkout_rush.bench_settings()
    scenes = {"sales": http_rush.make_sales_scene(checkout_pg_database, figures, settings=settings, env=env)}
    scenes["url"] = checkout_pg_database
    assert len(scenes["sales"]["vendors"]) == 3 and scenes["sales"]["stock"] == 4

    with hosts(bench_environ(checkout_pg_database), 2, workers=1, prefix="test-sales-host", log=lambda *a: None) as up:
        result = http_rush.stall_sales([(h, p) for h, p, _info in up], scenes, figures, log=lambda *a: None)

    assert result["exact"] is True, result
    assert result["answers"] == {"201": 12, "200": 4} and result["same_sale"] == 4
    assert set(result["per_host"]) == {"0", "1"}
    db = result["database"]
    assert db["sales"] == db["client_ids"] == 12 and set(db["stock"].values()) == {0}
    assert result["p99_ms"] >= result["p50_ms"] and result["ops_per_second"] > 0
