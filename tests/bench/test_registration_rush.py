"""The registration and check-in rush harness on a tiny run: the counts must be exact; timings are not checked.

One tiny run per module (`tiny_rush`): the exact test reads its result, and the FAIL test runs rush_on's counting
and verdicts again on that run's database and answers (the scene and the worker processes replayed, not made
again), with one count read off by one."""

from types import SimpleNamespace

import pytest

from bench import registration_rush

pytestmark = pytest.mark.postgres

FIGURES = {
    "attempts": 60,
    "capacity": 20,
    "workers": 4,
    "decline_every": 2,
    "tickets": 200,
    "scanners": 4,
    "double_every": 10,
}


@pytest.fixture(scope="module")
def tiny_rush(postgres_url, checkout_pg_template):
    """Both tiny rushes, run once on a fresh copy of the migrated template: the result and printed lines, and the
    scene and each rush's worker answers (to replay); the database stays until the module is done."""
    from bench import checkout_rush

    name, url = checkout_rush.template_copy(postgres_url, checkout_pg_template)
    made = {"answers": []}
    real_setup, real_rush = registration_rush.setup, registration_rush._rush

    def setup(*args, **kwargs):
        made["scene"] = real_setup(*args, **kwargs)
        return made["scene"]

    def rush(*args, **kwargs):
        made["answers"].append(real_rush(*args, **kwargs))
        return made["answers"][-1]

    lines = []
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(registration_rush, "setup", setup)
            patch.setattr(registration_rush, "_rush", rush)
            result = registration_rush.rush_on(url, **FIGURES, out=lines.append)
        yield SimpleNamespace(url=url, result=result, lines=lines, **made)
    finally:
        checkout_rush.drop_database(postgres_url, name)


def test_a_tiny_rush_confirms_exactly_the_places_and_checks_in_each_ticket_once(tiny_rush):
    result, lines = tiny_rush.result, tiny_rush.lines

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


def test_the_rush_reports_fail_when_counts_are_off(tiny_rush, monkeypatch):
    real = registration_rush.checkin_counts

    def one_checkin_too_many(url, scene):
        counts = real(url, scene)
        return {**counts, "checkins": counts["checkins"] + 1}

    monkeypatch.setattr(registration_rush, "checkin_counts", one_checkin_too_many)
    answers = iter(tiny_rush.answers)  # the registration rush's, then the check-in rush's
    monkeypatch.setattr(registration_rush, "setup", lambda *args, **kwargs: tiny_rush.scene)
    monkeypatch.setattr(registration_rush, "_rush", lambda *args, **kwargs: next(answers))
    lines = []
    result = registration_rush.rush_on(tiny_rush.url, **FIGURES, out=lines.append)

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
