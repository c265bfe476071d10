"""Approving or rejecting a canteen order asks for confirmation first (a data-confirm button, cms/js/site.js)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.canteen import services
from marketplace.checkout.services import LineRequest

pytestmark = pytest.mark.django_db


def test_approve_and_reject_buttons_ask_first(client, unit_a, goods):
    order = services.place_unit_order(
        user=unit_a.users["buyer"],
        unit=unit_a,
        lines=[LineRequest(goods["huyou"].pk, 50)],
        delivery=services.Delivery(
            address=unit_a.addresses.first(), date=timezone.localdate() + datetime.timedelta(days=3)
        ),
    )
    client.force_login(unit_a.users["approver"])
    page = client.get("/en" + reverse("canteen_order", args=[order.number])).content.decode()
    approve = page[page.index(reverse("canteen_order_approve", args=[order.number])) :]
    assert f'data-confirm="Approve order {order.number}' in approve.split("</form>")[0]
    reject = page[page.index(reverse("canteen_order_reject", args=[order.number])) :]
    assert f'data-confirm="Reject order {order.number}?' in reject.split("</form>")[0]
