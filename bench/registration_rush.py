"""Registration and check-in rushes: visitors registering for one scarce time slot, then door staff scanning
thousands of tickets at once, each worker its own process, on PostgreSQL.

    python -m bench.registration_rush                    # throwaway cluster; 2,000 visitors for 500 places, 8
                                                         # workers; then 5,000 tickets scanned by 10 scanners
    python -m bench.registration_rush --attempts 600 --capacity 100 --tickets 1000 --scanners 4
    python -m bench.registration_rush --database-url postgres://postgres@127.0.0.1:5432/postgres
    python -m bench                                      # the HTTP versions against two hosts: bench/http_rush.py

Same machinery as bench/checkout_rush.py (fresh migrated database, worker processes with Django set up under
config.settings.production, a FIFO barrier, per-attempt latency); only the worker code and the scene differ.

Registration rush: a fair open for registration, a free ticket type and one slot (tomorrow 09:00–11:00) with
`capacity` places. `attempts` visitors, one person each, are spread over `workers` processes; each attempt
loads the fair, ticket type and slot by id (as the view does) and calls events.registration.services.register. Every
`decline_every`-th visitor does not want the waiting list (refused "full" once the slot is full); the others are
waitlisted. Exact: confirmed == capacity (or attempts, if fewer), the slot's and the ticket type's counters say
the same, confirmed + waitlisted + refused == attempts, the database holds the same rows, no errors.

Check-in rush: `tickets` confirmed registrations of a second (day, no slot) ticket type, created directly with
the ticket type's counter set to match, and `scanners` staff accounts with the check-in role. Scanner i scans
tickets[i::scanners]; every `double_every`-th ticket is scanned again by the next scanner at the same position
of its list, so both scans race. Each scan loads the fair (as the view does) and calls
events.checkin.services.check_in with the ticket code. Exact: every ticket checked in exactly once (one "valid"
per ticket, one CheckIn row per ticket), every double scan answered "already", nothing else.

Reported: registrations (all attempts) and scans per second (÷ seconds from the start until the last worker
finished), p50/p99 latency of one attempt/scan, the counts and OK/FAIL; exit status 1 on FAIL.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench import checkout_rush  # noqa: E402
from tests.support import postgres  # noqa: E402  (no Django import at module level)

RushError = checkout_rush.RushError

# --- the scene (created in a subprocess) ----------------------------------------------------------------------

SETUP_CODE = r"""
import json, os
from datetime import time as t, timedelta
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from wagtail.models import Page, Site
from cms.models import City
from events.registration import services as ticketing
from events.models import FairIndexPage, FairPage, Registration, TicketType

spec = json.loads(os.environ["RUSH_SETUP"])
city, _ = City.objects.get_or_create(code="330800", defaults={"name": "衢州市", "name_en": "Quzhou"})
# Under the default site's root, so that the pages have URLs (the confirmation e-mail links to the ticket).
site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
if site is None:
    site = Site.objects.create(hostname="localhost", root_page=Page.get_first_root_node(), is_default_site=True)
index = site.root_page.add_child(instance=FairIndexPage(title="展销会", slug="rush-fairs"))
today = timezone.localdate()
fair = index.add_child(instance=FairPage(
    title="百县千碗美食节", slug="rush-fair", start_date=today, end_date=today + timedelta(days=1),
    venue="会展中心", host_city=city, status="open"))
# The slot is the scarce thing; the ticket type has room for everybody.
ticket = TicketType.objects.create(fair=fair, name="免费预约", price=Decimal("0"),
                                   capacity=max(spec["capacity"], spec["attempts"]), per_person_limit=5)
(slot,) = ticketing.create_slots(fair=fair, days=[today + timedelta(days=1)], times=[(t(9), t(11))],
                                 capacity=spec["capacity"])
# Check-in: confirmed day tickets (no slot, so any hour of the fair's days will do), counters consistent.
n = spec["tickets"]
day = TicketType.objects.create(fair=fair, name="入场日票", price=Decimal("0"), capacity=max(n, 1),
                                per_person_limit=5, requires_slot=False, waitlist=False)
now = timezone.now()
regs = Registration.objects.bulk_create([
    Registration(fair=fair, ticket_type=day, name=f"观众{i}", phone="137%08d" % i, people=1,
                 status="confirmed", created_at=now, confirmed_at=now) for i in range(n)], batch_size=1000)
TicketType.objects.filter(pk=day.pk).update(confirmed=n)
password = make_password(None)
User = get_user_model()
User.objects.bulk_create([User(username=f"rush-door-{i}", password=password) for i in range(spec["scanners"])])
staff = list(User.objects.filter(username__startswith="rush-door-").order_by("pk").values_list("pk", flat=True))
for pk in staff:
    ticketing.grant_checkin_role(fair, User.objects.get(pk=pk))
print(json.dumps({"fair": fair.pk, "ticket": ticket.pk, "slot": slot.pk, "day_ticket": day.pk,
                  "tickets": sorted(r.pk for r in regs), "staff": staff}))
"""


def setup(url, *, capacity, attempts, tickets, scanners, settings="config.settings.test", env=None):
    spec = json.dumps({"capacity": capacity, "attempts": attempts, "tickets": tickets, "scanners": scanners})
    result = postgres.run_django(SETUP_CODE, url, settings=settings, env={**(env or {}), "RUSH_SETUP": spec})
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- workers ------------------------------------------------------------------------------------------------

# Same protocol as checkout_rush.WORKER_CODE (RUSH_SPEC, ready files, FIFO barrier, one JSON line per task);
# RUSH_SCENE carries the fair, ticket type and slot ids. Tasks: {"op": "register", "i", "wait"} or
# {"op": "scan", "reg", "staff"}.
WORKER_CODE = r"""
import json, os, sys, time, traceback
from django.contrib.auth import get_user_model
from django.db import connections
from events.checkin import services as checkin_services
from events.registration import services as ticketing
from cms.errors import DomainError
from events.models import FairPage, Registration, TicketType, TimeSlot

spec = json.loads(os.environ["RUSH_SPEC"])
scene = json.loads(os.environ["RUSH_SCENE"])

def run(index, tasks):
    staff = {u.pk: u for u in get_user_model().objects.filter(pk__in=[t["staff"] for t in tasks if "staff" in t])}
    codes = dict(Registration.objects.filter(pk__in=[t["reg"] for t in tasks if "reg" in t])
                 .values_list("pk", "ticket_code"))
    open(f"{spec['ready']}{index}", "w").close()
    os.close(os.open(spec["go"], os.O_RDONLY))  # the barrier
    out = []
    for task in tasks:
        op, started = task["op"], time.perf_counter()
        row = {"op": op, "ok": True, "code": None}
        try:
            if op == "register":
                i = task["i"]
                fair = FairPage.objects.get(pk=scene["fair"])
                reg = ticketing.register(fair=fair, request=ticketing.RegistrationRequest(
                    ticket_type=TicketType.objects.get(pk=scene["ticket"]),
                    slot=TimeSlot.objects.get(pk=scene["slot"]),
                    name=f"访客{i}", phone="139%08d" % i, email=f"visitor{i}@example.cn", people=1,
                    join_waitlist=task["wait"]))
                row["status"] = reg.status
            elif op == "scan":
                fair = FairPage.objects.get(pk=scene["fair"])
                result = checkin_services.check_in(fair=fair, code=codes[task["reg"]], user=staff[task["staff"]])
                row.update(kind=result.kind, reg=task["reg"], ok=result.kind in ("valid", "already"))
            else:
                raise ValueError(op)
        except DomainError as exc:
            row.update(ok=False, code=exc.code)
        except Exception as exc:
            row.update(ok=False, code="error", error=repr(exc), tb=traceback.format_exc()[-1500:])
        row["ms"] = (time.perf_counter() - started) * 1000
        row["t"] = time.time()
        out.append(json.dumps(row))
    sys.stdout.write("\n".join(out) + "\n")
    sys.stdout.flush()

run(spec["offset"], spec["groups"][0])
connections.close_all()
"""


def _rush(url, shares, scene, *, settings, env):
    env = {**(env or {}), "RUSH_SCENE": json.dumps({k: scene[k] for k in ("fair", "ticket", "slot")})}
    return checkout_rush.rush(
        url, [[share] for share in shares], settings=settings, env=env, timeout=600, code=WORKER_CODE
    )


def _pct(values, pct):
    return checkout_rush.percentile(values, pct) if values else None


def _query(url, sql, *params):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def _errors(rows, out):
    for row in [r for r in rows if r["code"] == "error"][:3]:
        out(f"  error: {row.get('error')}\n{row.get('tb', '')}")


# --- the registration rush ----------------------------------------------------------------------------------


def registration_counts(url, scene):
    """What the database says afterwards: registrations by status for the slot, and both sets of counters."""
    sql = "SELECT status, count(*) FROM events_registration WHERE slot_id = %s GROUP BY status"
    by_status = dict(_query(url, sql, scene["slot"]))
    slot = _query(url, "SELECT confirmed, held FROM events_timeslot WHERE id = %s", scene["slot"])[0]
    ticket = _query(url, "SELECT confirmed, held FROM events_tickettype WHERE id = %s", scene["ticket"])[0]
    return {"by_status": by_status, "slot": list(slot), "ticket_type": list(ticket)}


def registration_rush(url, scene, *, attempts, capacity, workers, decline_every, settings, env, out=print):
    workers = max(1, min(workers, attempts))
    tasks = [
        {"op": "register", "i": i, "wait": not (decline_every and (i + 1) % decline_every == 0)}
        for i in range(attempts)
    ]
    out(
        f"registration rush: {attempts} visitors (1 person each) by {workers} worker processes for one slot of "
        f"{capacity} places" + (f", every {decline_every}. declines the waiting list" if decline_every else "")
    )
    rows, seconds = _rush(url, [tasks[i::workers] for i in range(workers)], scene, settings=settings, env=env)
    statuses = Counter(r.get("status") for r in rows if r["ok"])
    confirmed, waitlisted = statuses["confirmed"], statuses["waitlisted"]
    refused = sum(1 for r in rows if r["code"] == "full")
    errors = len(rows) - confirmed - waitlisted - refused
    db = registration_counts(url, scene)
    expected = min(capacity, attempts)
    ok = (
        len(rows) == attempts
        and confirmed == expected
        and confirmed + waitlisted + refused == attempts
        and errors == 0
        and db["by_status"] == {k: v for k, v in (("confirmed", confirmed), ("waitlisted", waitlisted)) if v}
        and db["slot"] == [expected, 0]
        and db["ticket_type"] == [expected, 0]
    )
    latencies = [r["ms"] for r in rows]
    result = {
        "attempts": attempts,
        "workers": workers,
        "capacity": capacity,
        "decline_every": decline_every,
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "refused_full": refused,
        "errors": errors,
        "seconds": seconds,
        "registrations_per_second": len(rows) / seconds if seconds else None,
        "p50_ms": _pct(latencies, 50),
        "p99_ms": _pct(latencies, 99),
        "database": db,
        "ok": ok,
    }
    out(
        f"registration rush: {confirmed} confirmed, {waitlisted} waitlisted, {refused} refused (full), {errors} "
        f"errors in {seconds:.2f} s: {result['registrations_per_second']:.0f} registrations/s; latency p50 "
        f"{result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms"
    )
    out(
        f"registration rush: database {db['by_status']}, slot confirmed/held {db['slot']}, ticket type "
        f"{db['ticket_type']} (expected {expected} confirmed, {confirmed + waitlisted + refused} = {attempts}): "
        + ("OK" if ok else "FAIL")
    )
    _errors(rows, out)
    return result


# --- the check-in rush --------------------------------------------------------------------------------------


def scan_plan(tickets, staff, double_every):
    """Per scanner, its list of scans: its share of the tickets, plus every `double_every`-th ticket of the
    previous scanner at the same position (so both scans race). Returns (lists, number of double scans)."""
    scanners = len(staff)
    keyed = [[] for _ in range(scanners)]
    doubles = 0
    for i in range(scanners):
        for position, reg in enumerate(tickets[i::scanners]):
            keyed[i].append(((position, 0), {"op": "scan", "reg": reg, "staff": staff[i]}))
            if double_every and (position * scanners + i) % double_every == double_every - 1:
                j = (i + 1) % scanners
                keyed[j].append(((position, 1), {"op": "scan", "reg": reg, "staff": staff[j]}))
                doubles += 1
    return [[task for _key, task in sorted(plan, key=lambda kt: kt[0])] for plan in keyed], doubles


def checkin_counts(url, scene):
    rows, distinct = _query(
        url,
        "SELECT count(*), count(DISTINCT c.registration_id) FROM events_checkin c "
        "JOIN events_registration r ON r.id = c.registration_id WHERE r.ticket_type_id = %s",
        scene["day_ticket"],
    )[0]
    return {"checkins": rows, "tickets_checked_in": distinct}


def checkin_rush(url, scene, *, double_every, settings, env, out=print):
    tickets, staff = scene["tickets"], scene["staff"]
    plans, doubles = scan_plan(tickets, staff, double_every)
    out(
        f"check-in rush: {len(tickets)} confirmed tickets scanned by {len(staff)} scanner processes, plus {doubles} "
        "double scans across scanners"
    )
    rows, seconds = _rush(url, plans, scene, settings=settings, env=env)
    kinds = Counter(r.get("kind") or r["code"] for r in rows)
    valid_per_ticket = Counter(r["reg"] for r in rows if r.get("kind") == "valid")
    once = sum(1 for reg in tickets if valid_per_ticket[reg] == 1)
    db = checkin_counts(url, scene)
    n = len(tickets)
    ok = (
        len(rows) == n + doubles
        and kinds["valid"] == n
        and kinds["already"] == doubles
        and sum(kinds.values()) == kinds["valid"] + kinds["already"]
        and once == n
        and db == {"checkins": n, "tickets_checked_in": n}
    )
    latencies = [r["ms"] for r in rows]
    result = {
        "tickets": n,
        "scanners": len(staff),
        "double_scans": doubles,
        "scans": len(rows),
        "kinds": dict(kinds),
        "tickets_valid_once": once,
        "seconds": seconds,
        "scans_per_second": len(rows) / seconds if seconds else None,
        "p50_ms": _pct(latencies, 50),
        "p99_ms": _pct(latencies, 99),
        "database": db,
        "ok": ok,
    }
    out(
        f"check-in rush: {len(rows)} scans in {seconds:.2f} s: {result['scans_per_second']:.0f} scans/s; latency "
        f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms; answers {dict(kinds)}"
    )
    out(
        f"check-in rush: {once} of {n} tickets valid exactly once, {kinds['already']} of {doubles} double scans "
        f"'already', {db['checkins']} check-ins for {db['tickets_checked_in']} tickets in the database: "
        + ("OK" if ok else "FAIL")
    )
    _errors(rows, out)
    return result


# --- both ---------------------------------------------------------------------------------------------------


def rush_on(
    url,
    *,
    attempts=2000,
    capacity=500,
    workers=8,
    decline_every=2,
    tickets=5000,
    scanners=10,
    double_every=10,
    settings="config.settings.test",
    env=None,
    out=print,
):
    """Both rushes on an existing migrated database; returns {"registration", "checkin", "ok"}."""
    scene = setup(
        url, capacity=capacity, attempts=attempts, tickets=tickets, scanners=scanners, settings=settings, env=env
    )
    registration = registration_rush(
        url,
        scene,
        attempts=attempts,
        capacity=capacity,
        workers=workers,
        decline_every=decline_every,
        settings=settings,
        env=env,
        out=out,
    )
    checkin = checkin_rush(url, scene, double_every=double_every, settings=settings, env=env, out=out)
    return {"registration": registration, "checkin": checkin, "ok": registration["ok"] and checkin["ok"]}


def run_rush(server_url, *, settings, env, keep=False, out=print, **figures):
    """Create and migrate a database on server_url, run both rushes, drop it (unless keep)."""
    name, url = checkout_rush.migrated_database(server_url, prefix="shanhai_regrush", settings=settings, env=env)
    try:
        return rush_on(url, settings=settings, env=env, out=out, **figures)
    finally:
        if not keep:
            checkout_rush.drop_database(server_url, name)


FIGURES = ("attempts", "capacity", "workers", "decline_every", "tickets", "scanners", "double_every")


def add_arguments(parser, prefix=""):
    add = parser.add_argument
    add(f"--{prefix}attempts", type=int, default=2000, help="visitors registering, one each (default 2000)")
    add(f"--{prefix}capacity", type=int, default=500, help="places in the slot (default 500)")
    add(f"--{prefix}workers", type=int, default=8, help="registering worker processes (default 8)")
    add(
        f"--{prefix}decline-every",
        type=int,
        default=2,
        help="every N-th visitor declines the waiting list (default 2; 0: all wait)",
    )
    add(f"--{prefix}tickets", type=int, default=5000, help="confirmed tickets to check in (default 5000)")
    add(f"--{prefix}scanners", type=int, default=10, help="scanner processes (default 10)")
    add(
        f"--{prefix}double-every",
        type=int,
        default=10,
        help="every N-th ticket is scanned again by another scanner (default 10; 0: none)",
    )


def figures_from(args, prefix=""):
    """The figures add_arguments parsed (prefix as given to it, e.g. "reg-"), as rush_on keywords."""
    dest = prefix.replace("-", "_")
    return {name: getattr(args, dest + name) for name in FIGURES}


def check_figures(figures):
    """A problem with the figures, or None."""
    f = figures
    if not 1 <= f["workers"] <= 64 or not 1 <= f["scanners"] <= 64:
        return "need 1 <= workers <= 64 and 1 <= scanners <= 64"
    if f["attempts"] < 1 or f["capacity"] < 1 or f["tickets"] < 1:
        return "need attempts, capacity and tickets >= 1"
    if f["decline_every"] < 0 or f["double_every"] < 0:
        return "need decline-every and double-every >= 0"
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.registration_rush", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (default: start a throwaway cluster)")
    parser.add_argument("--keep", action="store_true", help="keep the rush database afterwards")
    parser.add_argument("--json", action="store_true", help="print the result as JSON too")
    add_arguments(parser)
    args = parser.parse_args(argv)
    figures = figures_from(args)
    problem = check_figures(figures)
    if problem:
        parser.error(problem)
    settings, env = checkout_rush.bench_settings()
    try:
        with checkout_rush.server(args.database_url) as url:
            result = run_rush(url, settings=settings, env=env, keep=args.keep, **figures)
    except (postgres.PostgresUnavailable, postgres.PostgresStartError) as exc:
        print(f"registration_rush: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
