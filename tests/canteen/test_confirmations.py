"""Approving or rejecting a canteen order asks for confirmation first (a data-confirm button, cms/js/site.js)."""

import pytest
from django.urls import reverse

from tests.factories import place_unit_order

pytestmark = pytest.mark.django_db


def test_approve_and_reject_buttons_ask_first(client, unit_a, goods):
    order = place_unit_order(unit_a, (goods["huyou"], 50))
    client.force_login(unit_a.users["approver"])
    page = client.get("/en" + reverse("canteen_order", args=[order.number])).content.decode()
    approve = page[page.index(reverse("canteen_order_approve", args=[order.number])) :]
    assert f'data-confirm="Approve order {order.number}' in approve.split("</form>")[0]
    reject = page[page.index(reverse("canteen_order_reject", args=[order.number])) :]
    assert f'data-confirm="Reject order {order.number}?' in reject.split("</form>")[0]
