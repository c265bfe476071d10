"""PIPL: "download my data" (JSON and Excel) and "delete my account", collected from every app through the
cms.privacy registry, never showing another person's data."""

import io
import json
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cms.models import ApiToken, Consent
from cms.privacy import record_consent
from events.models import Registration, TicketType
from events.registration import services as ticketing
from marketplace.checkout.models import DeliveryAddress, Order, OrderLine

pytestmark = pytest.mark.django_db

PASSWORD = "Shanhai-pass-2024"


@pytest.fixture
def people(make_fair, django_user_model):
    today = timezone.localdate()
    fair = make_fair(start_date=today, end_date=today + timedelta(days=1), stalls=0)
    ticket = TicketType.objects.create(fair=fair, name="普通票", price=Decimal("0"), capacity=100, per_person_limit=4)
    (slot, *_rest) = ticketing.create_slots(
        fair=fair, days=ticketing.fair_days(fair), times=[(time(0), time(23, 59))], capacity=10
    )
    made = []
    for username, name, phone, street in [
        ("13800000000", "张三", "13800000000", "湖墅南路 1 号"),
        ("13900000000", "李四", "13900000000", "解放路 99 号"),
    ]:
        user = django_user_model.objects.create_user(username, f"{username}@example.cn", PASSWORD, first_name=name)
        DeliveryAddress.objects.create(
            user=user, recipient=name, phone=phone, city="杭州市", district="拱墅区", street=street
        )
        order = Order.objects.create(
            buyer=user,
            payment_method="bank_transfer",
            total=Decimal("30.00"),
            recipient=name,
            phone=phone,
            city="杭州市",
            street=street,
        )
        OrderLine.objects.create(
            order=order, name=f"{name}的胡柚", unit_price=Decimal("10.00"), quantity=3, line_total=Decimal("30.00")
        )
        ticketing.register(
            fair=fair,
            user=user,
            request=ticketing.RegistrationRequest(
                ticket_type=ticket,
                slot=slot,
                name=name,
                phone=phone,
                email="",
                people=2,
                attendees=[name, "同伴"],
                join_waitlist=False,
                payment_method="",
            ),
        )
        record_consent(purpose=Consent.Purpose.SIGNUP, user=user)
        ApiToken.objects.create(user=user, name="app", key_prefix=username[:8], key_hash=username)
        made.append((user, order))
    return made


def test_download_my_data_as_json_has_every_app_and_only_my_data(client, people):
    (me, _order), _other = people
    client.force_login(me)
    page = client.get(reverse("account_my_data")).content.decode()
    assert f'href="{reverse("account_delete")}"' in page and "?format=xlsx" in page
    assert f'href="{reverse("account_my_data")}"' in client.get(reverse("account")).content.decode()
    response = client.get(reverse("account_my_data") + "?format=json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["profile"][0]["username"] == "13800000000"
    assert data["addresses"][0]["street"] == "湖墅南路 1 号"
    assert data["orders"][0]["lines"][0]["item"] == "张三的胡柚"
    assert data["registrations"][0]["attendees"] == ["张三", "同伴"]
    assert data["consents"][0]["purpose"] == "signup" and data["api_tokens"][0]["name"] == "app"
    text = response.content.decode()
    assert "李四" not in text and "13900000000" not in text and "解放路" not in text


def test_download_my_data_as_excel_has_a_sheet_per_kind(client, people):
    (me, _order), _other = people
    client.force_login(me)
    response = client.get(reverse("account_my_data") + "?format=xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert {"profile", "addresses", "orders", "registrations", "consents"} <= set(workbook.sheetnames)
    cells = [str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row]
    assert "湖墅南路 1 号" in cells and not any("李四" in c or "13900000000" in c for c in cells)


def test_my_data_needs_login(client, people):
    response = client.get(reverse("account_my_data") + "?format=json")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_delete_needs_the_password_and_the_confirmation(client, people):
    (me, _order), _other = people
    client.force_login(me)
    assert client.get(reverse("account_delete")).status_code == 200
    response = client.post(reverse("account_delete"), {"password": "wrong-one", "confirm": "on"})
    assert response.status_code == 200 and response.context["form"].errors["password"]
    response = client.post(reverse("account_delete"), {"password": PASSWORD})
    assert response.status_code == 200 and response.context["form"].errors["confirm"]
    me.refresh_from_db()
    assert me.is_active and DeliveryAddress.objects.filter(user=me).exists()


def test_delete_anonymises_me_masks_my_orders_and_leaves_the_other_person_alone(client, people):
    (me, order), (other, other_order) = people
    client.force_login(me)
    response = client.post(reverse("account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    me.refresh_from_db()
    assert not me.is_active and not me.has_usable_password()
    assert (me.first_name, me.email) == ("", "") and "13800000000" not in me.username
    assert not DeliveryAddress.objects.filter(user=me).exists() and not ApiToken.objects.filter(user=me).exists()
    order.refresh_from_db()
    assert (order.recipient, order.phone, order.total) == ("张**", "138****0000", Decimal("30.00"))
    assert order.lines.get().name == "张三的胡柚"
    registration = Registration.objects.get(user=me)
    assert (registration.name, registration.phone, registration.people) == ("张**", "138****0000", 2)
    assert sorted(a.name for a in registration.attendees.all()) == ["同**", "张**"]
    # Logged out, and the old number no longer signs in.
    assert "_auth_user_id" not in client.session
    assert not client.login(username="13800000000", password=PASSWORD)

    other.refresh_from_db()
    other_order.refresh_from_db()
    assert other.is_active and other.first_name == "李四"
    assert (other_order.recipient, other_order.phone) == ("李四", "13900000000")
    assert DeliveryAddress.objects.filter(user=other).count() == 1
    assert Registration.objects.get(user=other).phone == "13900000000"
