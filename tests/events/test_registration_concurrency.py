"""Visitors registering for one slot at once, and two door staff scanning one ticket at once, each in its own
process on PostgreSQL: the slot never holds more than its capacity, the rest are waitlisted in order, and a
ticket is checked in once. Same barrier technique as test_concurrency.py (a FIFO opened by the test)."""

import json

import psycopg
import pytest

from tests.support import postgres, race

pytestmark = pytest.mark.postgres

SETUP = r"""
import json, os
from datetime import time as t, timedelta
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page
from cms.models import City
from events.registration import services as ticketing
from events.models import FairIndexPage, FairPage, TicketType

root = Page.get_first_root_node()
city = City.objects.create(code="330800", name="衢州市")
index = root.add_child(instance=FairIndexPage(title="展销会", slug="fairs"))
today = timezone.localdate()
fair = index.add_child(instance=FairPage(
    title="百县千碗美食节", slug="fair", start_date=today, end_date=today + timedelta(days=1),
    venue="会展中心", host_city=city, status="open"))
ticket = TicketType.objects.create(fair=fair, name="普通票", price=Decimal("0"), capacity=1000, per_person_limit=5)
(slot,) = ticketing.create_slots(fair=fair, days=[today + timedelta(days=1)], times=[(t(9), t(11))],
                                 capacity=int(os.environ["CAPACITY"]))
(today_slot,) = ticketing.create_slots(fair=fair, days=[today], times=[(t(0), t(23, 59))], capacity=10)
staff = []
for i in range(2):
    user = get_user_model().objects.create_user(f"door{i}", "", "pw")
    ticketing.grant_checkin_role(fair, user)
    staff.append(user.pk)
reg = ticketing.register(fair=fair, request=ticketing.RegistrationRequest(
    ticket_type=ticket, slot=today_slot, name="王五", phone="13800138000", people=2))
print(json.dumps({"fair": fair.pk, "ticket": ticket.pk, "slot": slot.pk, "staff": staff, "code": reg.ticket_code}))
"""

REGISTER = r"""
import json, os, traceback
from events.registration import services as ticketing
from cms.errors import DomainError
from events.models import FairPage, TicketType, TimeSlot
fair = FairPage.objects.get(pk=int(os.environ["FAIR_ID"]))
ticket = TicketType.objects.get(pk=int(os.environ["TICKET_ID"]))
slot = TimeSlot.objects.get(pk=int(os.environ["SLOT_ID"]))
open(os.environ["READY"], "w").close()
os.close(os.open(os.environ["GO"], os.O_RDONLY))
row = {"code": None}
try:
    reg = ticketing.register(fair=fair, request=ticketing.RegistrationRequest(
        ticket_type=ticket, slot=slot, name="访客",
        phone=os.environ.get("PHONE") or "139%08d" % int(os.environ["I"]), people=1,
        join_waitlist=os.environ.get("WAITLIST") == "1"),
        idempotency_key=os.environ.get("KEY", ""), idempotency_fingerprint=os.environ.get("KEY", ""))
    row.update(status=reg.status, id=reg.pk)
except DomainError as exc:
    row.update(code=exc.code)
except Exception:
    row.update(code="error", error=traceback.format_exc()[-1500:])
print(json.dumps(row))
"""

CHECKIN = r"""
import json, os, traceback
from django.contrib.auth import get_user_model
from events.checkin import services as checkin_services
from events.models import FairPage
fair = FairPage.objects.get(pk=int(os.environ["FAIR_ID"]))
user = get_user_model().objects.get(pk=int(os.environ["USER_ID"]))
open(os.environ["READY"], "w").close()
os.close(os.open(os.environ["GO"], os.O_RDONLY))
try:
    row = {"kind": checkin_services.check_in(fair=fair, code=os.environ["CODE"], user=user).kind}
except Exception:
    row = {"kind": "error", "error": traceback.format_exc()[-1500:]}
print(json.dumps(row))
"""


def query(url, sql, *params):
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def together(url, code, envs):
    """One process per env (forked by tests.support.race), released at once; their JSON rows in env order."""
    rows = []
    for result in race.together(url, code, envs):
        assert result.returncode == 0, result.stderr[-2000:]
        rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return rows


def scene(url, capacity):
    out = postgres.run_django(SETUP, url, env={"CAPACITY": str(capacity)}).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("waitlist", [True, False])
def test_many_visitors_one_slot_exactly_capacity_confirmed(checkout_pg_database, waitlist):
    url, capacity, visitors = checkout_pg_database, 3, 10
    s = scene(url, capacity)
    env = {"FAIR_ID": str(s["fair"]), "TICKET_ID": str(s["ticket"]), "SLOT_ID": str(s["slot"])}
    rows = together(url, REGISTER, [{**env, "WAITLIST": "1" if waitlist else "0"}] * visitors)

    assert not [r for r in rows if r["code"] == "error"], rows
    confirmed = [r for r in rows if r.get("status") == "confirmed"]
    assert len(confirmed) == capacity
    if waitlist:
        assert sorted(r.get("status") for r in rows).count("waitlisted") == visitors - capacity
    else:
        assert [r["code"] for r in rows if r["code"]] == ["full"] * (visitors - capacity)
    assert query(url, "SELECT confirmed, held FROM events_timeslot WHERE id = %s", s["slot"]) == [(capacity, 0)]
    assert query(
        url, "SELECT count(*) FROM events_registration WHERE slot_id = %s AND status = 'confirmed'", s["slot"]
    ) == [(capacity,)]

    if waitlist:
        # Cancelling one confirmed place offers it to the earliest waiting registration, and to one only.
        run = (
            "from events.registration import services as ticketing; from events.models import Registration; "
            f"ticketing.cancel(Registration.objects.get(pk={confirmed[0]['id']}))"
        )
        postgres.run_django(run, url)
        offered = query(url, "SELECT id FROM events_registration WHERE status = 'offered'")
        first_waiting = query(
            url,
            "SELECT id FROM events_registration WHERE slot_id = %s AND status IN ('waitlisted', 'offered') "
            "ORDER BY created_at, id LIMIT 1",
            s["slot"],
        )
        assert offered == first_waiting and len(offered) == 1


def test_one_idempotency_key_retried_at_once_registers_once(checkout_pg_database):
    url = checkout_pg_database
    s = scene(url, 5)
    env = {"FAIR_ID": str(s["fair"]), "TICKET_ID": str(s["ticket"]), "SLOT_ID": str(s["slot"])}
    rows = together(url, REGISTER, [{**env, "KEY": "retry-1", "PHONE": "13900000000"}] * 6)
    assert not [r for r in rows if r["code"]], rows
    assert len({r["id"] for r in rows}) == 1 and {r["status"] for r in rows} == {"confirmed"}
    assert query(url, "SELECT confirmed, held FROM events_timeslot WHERE id = %s", s["slot"]) == [(1, 0)]


def test_two_staff_scanning_one_ticket_check_it_in_once(checkout_pg_database):
    url = checkout_pg_database
    s = scene(url, 3)
    envs = [{"FAIR_ID": str(s["fair"]), "USER_ID": str(pk), "CODE": s["code"]} for pk in s["staff"]]
    rows = together(url, CHECKIN, envs)
    assert sorted(r["kind"] for r in rows) == ["already", "valid"], rows
    assert query(url, "SELECT count(*) FROM events_checkin") == [(1,)]


CROSS_SETUP = r"""
import json
from datetime import time as t, timedelta
from decimal import Decimal
from django.utils import timezone
from wagtail.models import Page
from cms.models import City
from events.registration import services as ticketing
from events.models import FairIndexPage, FairPage, TicketType

root = Page.get_first_root_node()
city = City.objects.create(code="330800", name="衢州市")
index = root.add_child(instance=FairIndexPage(title="展销会", slug="fairs"))
day = timezone.localdate() + timedelta(days=5)
fair = index.add_child(instance=FairPage(
    title="百县千碗美食节", slug="fair", start_date=day, end_date=day, venue="会展中心", host_city=city, status="open"))
# The ticket type's own capacity (4) is the limit, not the slots (10 each).
ticket = TicketType.objects.create(fair=fair, name="品鉴票", price=Decimal("0"), capacity=4, per_person_limit=5)
a, b, c, d = ticketing.create_slots(
    fair=fair, days=[day], times=[(t(9), t(10)), (t(10), t(11)), (t(11), t(12)), (t(12), t(13))], capacity=10)

def reg(slot, i):
    return ticketing.register(fair=fair, request=ticketing.RegistrationRequest(
        ticket_type=ticket, slot=slot, name="访客", phone="137%08d" % i)).pk

confirmed = [reg(a, 1), reg(a, 2), reg(b, 3), reg(b, 4)]
waiting = [reg(c, 5), reg(a, 6), reg(d, 7), reg(c, 8), reg(b, 9)]  # in this order, all for the ticket type
print(json.dumps({"fair": fair.pk, "ticket": ticket.pk, "slots": [a.pk, b.pk, c.pk, d.pk],
                  "confirmed": confirmed, "waiting": waiting}))
"""

CROSS_ACT = r"""
import json, os, traceback
from events.registration import services as ticketing
from cms.errors import DomainError
from events.models import FairPage, Registration, TicketType, TimeSlot
open(os.environ["READY"], "w").close()
os.close(os.open(os.environ["GO"], os.O_RDONLY))
row = {"code": None}
try:
    if os.environ["ACTION"] == "cancel":
        reg = ticketing.cancel(Registration.objects.get(pk=int(os.environ["REG_ID"])))
    elif os.environ["ACTION"] == "expire":
        ticketing.expire_offers()
        reg = None
    else:
        reg = ticketing.register(fair=FairPage.objects.get(pk=int(os.environ["FAIR_ID"])),
            request=ticketing.RegistrationRequest(
                ticket_type=TicketType.objects.get(pk=int(os.environ["TICKET_ID"])),
                slot=TimeSlot.objects.get(pk=int(os.environ["SLOT_ID"])),
                name="新来的", phone="139%08d" % int(os.environ["I"])))
    row.update(status=reg.status if reg else None, id=reg.pk if reg else None)
except DomainError as exc:
    row.update(code=exc.code)
except Exception:
    row.update(code="error", error=traceback.format_exc()[-1500:])
print(json.dumps(row))
"""


def test_cancellations_in_two_slots_offer_ticket_type_places_across_slots_once_each(checkout_pg_database):
    """Two cancellations (slots A and B) and three newcomers (slots C and D) at once, the ticket type full:
    the two freed ticket-type places go to the two earliest waiting visitors (slots C and A), each offered once
    and held in its own slot; the newcomers queue; the counters match the rows; nothing deadlocks."""
    url = checkout_pg_database
    s = json.loads(postgres.run_django(CROSS_SETUP, url).stdout.strip().splitlines()[-1])
    a, b, c, d = s["slots"]
    base = {"FAIR_ID": str(s["fair"]), "TICKET_ID": str(s["ticket"])}
    envs = [
        {**base, "ACTION": "cancel", "REG_ID": str(s["confirmed"][0])},
        {**base, "ACTION": "cancel", "REG_ID": str(s["confirmed"][2])},
        {**base, "ACTION": "register", "SLOT_ID": str(c)},
        {**base, "ACTION": "register", "SLOT_ID": str(d)},
        {**base, "ACTION": "register", "SLOT_ID": str(d)},
    ]
    rows = together(url, CROSS_ACT, envs)
    assert not [r for r in rows if r["code"]], rows
    assert [r["status"] for r in rows] == ["cancelled", "cancelled", "waitlisted", "waitlisted", "waitlisted"], rows

    offered = query(url, "SELECT id, slot_id FROM events_registration WHERE status = 'offered' ORDER BY id")
    assert offered == [(s["waiting"][0], c), (s["waiting"][1], a)]
    assert query(url, "SELECT confirmed, held, capacity FROM events_tickettype WHERE id = %s", s["ticket"]) == [
        (2, 2, 4)
    ]
    # Every slot's counters equal its rows (held = offered or held registrations, confirmed = confirmed ones).
    counters = {
        pk: (confirmed, held) for pk, confirmed, held in query(url, "SELECT id, confirmed, held FROM events_timeslot")
    }
    rows_by_slot = {
        pk: (conf, held)
        for pk, conf, held in query(
            url,
            "SELECT slot_id, COALESCE(SUM(people) FILTER (WHERE status = 'confirmed'), 0), "
            "COALESCE(SUM(people) FILTER (WHERE status IN ('offered', 'held')), 0) "
            "FROM events_registration GROUP BY slot_id",
        )
    }
    assert {pk: rows_by_slot.get(pk, (0, 0)) for pk in counters} == counters

    # The offers lapse in two expiry jobs at once: the places go on to the next two waiting (D, then C), once.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "UPDATE events_registration SET offer_expires_at = now() - interval '1 minute' WHERE status = 'offered'"
        )
    rows = together(url, CROSS_ACT, [{**base, "ACTION": "expire"}] * 2)
    assert not [r for r in rows if r["code"]], rows
    offered = query(url, "SELECT id FROM events_registration WHERE status = 'offered' ORDER BY created_at, id")
    assert offered == [(s["waiting"][2],), (s["waiting"][3],)]
    assert query(url, "SELECT confirmed, held FROM events_tickettype WHERE id = %s", s["ticket"]) == [(2, 2)]
