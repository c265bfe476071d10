"""The fair pages: index, fair page with the SVG stall map and table, iCal, applying, booking, my stalls, pass."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import FairPage, StallApplication, StallBooking
from events.stalls import services
from marketplace.checkout import services as checkout
from tests.factories import stall

pytestmark = pytest.mark.django_db


def test_index_and_fair_page_show_map_table_and_exhibitors(client, make_fair, vendor_user, organiser):
    fair = make_fair(booking_mode=FairPage.Booking.SELF)
    vendor, user = vendor_user()
    booking = services.self_book(fair=fair, vendor=vendor, user=user, stall=stall(fair, "A02"))
    checkout.record_bank_transfer(
        booking.order, amount=booking.order.total, received_on="2025-01-01", bank_reference="B", user=organiser
    )
    blocked = stall(fair, "A05")
    blocked.blocked = True
    blocked.save()

    index = client.get(fair.get_parent().url)
    assert index.status_code == 200 and fair.title in index.content.decode()

    html = client.get(fair.url).content.decode()
    assert "<svg" in html and 'data-stall="A01" data-state="available"' in html
    assert 'data-stall="A02" data-state="booked"' in html and 'data-stall="A05" data-state="blocked"' in html
    assert "<table" in html and vendor.title in html  # exhibitor list and table


def test_ical(client, fair):
    response = client.get(fair.url + "ical/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and "SUMMARY:山海协作展销会" in body and "DTSTART:" in body


def test_apply_form(client, fair, vendor_user, django_user_model):
    vendor, user = vendor_user()
    url = fair.url + "apply/"
    assert client.get(url).status_code == 302  # log in first
    buyer = django_user_model.objects.create_user("13800138000", "", "pw")
    client.force_login(buyer)
    assert client.get(url).status_code == 302  # not a vendor: back to the fair with a message
    client.force_login(user)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "vendor": vendor.pk,
            "stall_type": fair.stall_types.first().pk,
            "preferred_stalls": [stall(fair, "A01").pk],
            "needs_power": "on",
        },
    )
    assert response.status_code == 302
    application = StallApplication.objects.get()
    assert application.needs_power and list(application.preferred_stalls.all()) == [stall(fair, "A01")]
    again = client.post("/en" + url, {"vendor": vendor.pk})  # English page: the message is compared in English
    assert again.status_code == 200 and "already applied" in again.content.decode()
    mine = client.get(fair.get_parent().url + "mine/")
    assert mine.status_code == 200 and fair.title in mine.content.decode()


def test_book_page_and_taken_stall(client, make_fair, vendor_user):
    fair = make_fair(booking_mode=FairPage.Booking.SELF)
    (v1, u1), (v2, u2) = vendor_user("甲"), vendor_user("乙")
    url = f"{fair.url}book/{stall(fair, 'A01').pk}/"
    client.force_login(u1)
    response = client.post(url, {"vendor": v1.pk, "payment_method": "bank_transfer"})
    booking = StallBooking.objects.get()
    assert response.status_code == 302 and booking.order.number in response["Location"]
    client.force_login(u2)
    response = client.post(url, {"vendor": v2.pk, "payment_method": "bank_transfer"})
    # The page speaks Chinese: "展位 A01 已被预订…" ("Stall A01 has already been taken").
    assert response.status_code == 200 and "已被预订" in response.content.decode()
    assert StallBooking.objects.count() == 1


def test_exhibitor_pass(client, make_fair, vendor_user):
    fair = make_fair(price="0.00", booking_mode=FairPage.Booking.SELF)
    vendor, user = vendor_user()
    booking = services.self_book(fair=fair, vendor=vendor, user=user, stall=stall(fair, "A01"))
    url = f"{fair.get_parent().url}pass/{booking.pass_code}/"
    anonymous = client.get(url)  # a vendor logged out is asked to log in, then comes back here
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/?next=")
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200 and "<svg" in response.content.decode()


def test_fair_page_shows_each_exhibitors_first_six_products(client, make_fair, vendor_user, organiser, make_product):
    fair = make_fair(booking_mode=FairPage.Booking.SELF)
    exhibitors = [vendor_user(), vendor_user("开化龙顶茶社")]
    for (vendor, user), code in zip(exhibitors, ["A02", "A03"], strict=True):
        booking = services.self_book(fair=fair, vendor=vendor, user=user, stall=stall(fair, code))
        checkout.record_bank_transfer(
            booking.order, amount=booking.order.total, received_on="2025-01-01", bank_reference=code, user=organiser
        )
    for vendor, _user in exhibitors:
        for i in range(8):
            make_product(vendor, f"{vendor.title}货品{i}", "10.00")

    client.get(fair.url)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(fair.url).content.decode()
    # The database picks the six (a vendor may list thousands): no query loads exhibitors' products unranked.
    product_queries = [
        q["sql"] for q in queries.captured_queries if '"marketplace_productpage"."vendor_id" IN' in q["sql"]
    ]
    assert product_queries and all("ROW_NUMBER()" in sql for sql in product_queries)
    for vendor, _user in exhibitors:
        # The first six by id are shown, in order, for each exhibitor; the rest are not.
        shown = [f"{vendor.title}货品{i}" for i in range(6)]
        assert all(name in html for name in shown)
        assert html.index(shown[0]) < html.index(shown[5])
        assert f"{vendor.title}货品6" not in html and f"{vendor.title}货品7" not in html
