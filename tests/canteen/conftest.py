"""Canteen fixtures: `goods` from mountain and other counties, and `received` (a received, invoiced unit order with
private files; its helpers are in tests/support/private_media.py)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketplace.canteen import services
from marketplace.checkout.services import record_bank_transfer
from tests.factories import place_unit_order
from tests.support.private_media import PDF, png, ship


@pytest.fixture
def goods(make_vendor, make_product, changshan, kecheng, xihu):
    """Products from a mountain county (常山), one that left the list on 2024-08-01 (柯城) and one never on it."""
    mountain_vendor = make_vendor("常山胡柚合作社", changshan, lead_time_days=2)
    kecheng_vendor = make_vendor("柯城农场", kecheng)
    city_vendor = make_vendor("西湖食品", xihu)
    return {
        "huyou": make_product(mountain_vendor, "常山胡柚", "50.00", origin_county=changshan, min_order_quantity=5),
        "canteen_only": make_product(
            mountain_vendor, "胡柚整箱", "40.00", origin_county=changshan, audience="canteens", tiers=[(50, "35.00")]
        ),
        "kecheng": make_product(kecheng_vendor, "柯城椪柑", "30.00", origin_county=kecheng),
        "xihu": make_product(city_vendor, "西湖藕粉", "20.00", origin_county=xihu),
    }


@pytest.fixture
def received(unit_a, goods, django_user_model):
    """A paid unit order whose one part was received with a photo and invoiced with a PDF."""
    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw")
    order = place_unit_order(unit_a, (goods["huyou"], 10))
    record_bank_transfer(order, amount=order.total, received_on=timezone.localdate(), bank_reference="B", user=staff)
    part = ship(order.vendor_orders.get(), staff)
    client = Client()
    client.force_login(unit_a.users["buyer"])
    response = client.post(
        reverse("canteen_receive", args=[order.number, part.pk]), {"note": "ok", "photo": png(name="receipt.png")}
    )
    assert response.status_code == 302
    services.record_invoice(
        part,
        user=staff,
        number="33012345",
        date=datetime.date(2026, 3, 2),
        upload=SimpleUploadedFile("fapiao.pdf", PDF, content_type="application/pdf"),
    )
    part.refresh_from_db()
    return {"order": order, "part": part, "staff": staff}
