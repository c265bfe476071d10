"""The registration and check-in rush harness on a tiny run: the counts must be exact; timings are not checked."""

import pytest

from bench import registration_rush

pytestmark = pytest.mark.postgres


def test_a_tiny_rush_confirms_exactly_the_places_and_checks_in_each_ticket_once(checkout_pg_database):
    lines = []
    result = registration_rush.rush_on(
        checkout_pg_database,
        attempts=60,
        capacity=20,
        workers=4,
        decline_every=2,
        tickets=200,
        scanners=4,
        double_every=10,
        out=lines.append,
    )

    reg, checkin = result["registration"], result["checkin"]
    assert result["ok"] is True, lines
    assert reg["confirmed"] == 20 and reg["errors"] == 0
    assert reg["confirmed"] + reg["waitlisted"] + reg["refused_full"] == 60
    assert reg["refused_full"] > 0 and reg["waitlisted"] > 0
    assert reg["database"]["slot"] == [20, 0] and reg["database"]["ticket_type"] == [20, 0]
    assert checkin["double_scans"] == 20 and checkin["scans"] == 220
    assert checkin["kinds"] == {"valid": 200, "already": 20}
    assert checkin["database"] == {"checkins": 200, "tickets_checked_in": 200}
    assert reg["p99_ms"] >= reg["p50_ms"] and checkin["p99_ms"] >= checkin["p50_ms"]
    assert [line.rsplit(" ", 1)[1] for line in lines if line.endswith(("OK", "FAIL"))] == ["OK", "OK"]


def test_the_rush_reports_fail_when_counts_are_off(checkout_pg_database, monkeypatch):
    real = registration_rush.checkin_counts

    def one_checkin_too_many(url, scene):
        counts = real(url, scene)
        return {**counts, "checkins": counts["checkins"] + 1}

    monkeypatch.setattr(registration_rush, "checkin_counts", one_checkin_too_many)
    lines = []
    result = registration_rush.rush_on(
        checkout_pg_database, attempts=6, capacity=2, workers=2, tickets=10, scanners=2, out=lines.append
    )

    assert result["registration"]["ok"] is True
    assert result["checkin"]["ok"] is False and result["ok"] is False and lines[-1].endswith("FAIL")


def test_scan_plan_gives_each_ticket_to_one_scanner_and_doubles_to_another():
    plans, doubles = registration_rush.scan_plan(list(range(100)), staff=[7, 8, 9], double_every=10)

    assert doubles == 10 and sum(len(p) for p in plans) == 110
    scans = [(task["reg"], task["staff"]) for plan in plans for task in plan]
    assert sorted({reg for reg, _staff in scans}) == list(range(100))
    twice = {reg for reg in range(100) if sum(1 for r, _s in scans if r == reg) == 2}
    assert len(twice) == 10 and all(len({s for r, s in scans if r == reg}) == 2 for reg in twice)


def test_arguments_are_checked():
    with pytest.raises(SystemExit):
        registration_rush.main(["--scanners", "0"])
