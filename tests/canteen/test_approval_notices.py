"""A unit order waiting for approval tells the unit's approvers (e-mail and SMS, never the buyer themself) and
tells the buyer it waits — without asking for payment; approval then asks the buyer to pay (bank details and
the link), rejection tells why; vendors hear of it only once approved."""

import pytest
from django.core import mail
from django.test import override_settings

from cms import sms
from marketplace.canteen import services
from marketplace.canteen.models import UnitMember
from marketplace.models import VendorPage
from tests.factories import mails_to, make_user, place_unit_order

pytestmark = pytest.mark.django_db

APPROVER_PHONE = "13811112222"
BASE = "http://127.0.0.1:8000"


@pytest.fixture
def unit(unit_a, goods):
    VendorPage.objects.filter(pk=goods["huyou"].vendor_id).update(
        contact_email="shop@huyou.example.cn", contact_phone="13700137000"
    )
    phone_approver = make_user(APPROVER_PHONE, email="")
    UnitMember.objects.create(unit=unit_a, user=phone_approver, role=UnitMember.Role.APPROVER)
    # The buyer is an approver too: they are not asked to approve their own order.
    UnitMember.objects.create(unit=unit_a, user=unit_a.users["buyer"], role=UnitMember.Role.APPROVER)
    unit_a.users["phone_approver"] = phone_approver
    return unit_a


def place_big(unit, goods):
    return place_unit_order(unit, (goods["huyou"], 50))  # 2500.00 > the 2000.00 threshold


@override_settings(WAGTAILADMIN_BASE_URL=BASE, BANK_ACCOUNT_NUMBER="3301 0400 0000 1234")
def test_awaiting_approval_then_approved(client, unit, goods, django_capture_on_commit_callbacks):
    buyer = unit.users["buyer"]
    with django_capture_on_commit_callbacks(execute=True):
        order = place_big(unit, goods)
    assert order.status == "awaiting_approval"
    # Approvers: the e-mail approver by e-mail, the phone approver by SMS; the buyer-approver is not asked.
    (approver_mail,) = mails_to(unit.users["approver"].email)
    assert order.number in approver_mail.subject and "审批" in approver_mail.subject
    ((phone, key, params),) = [(m.phone, m.template, m.params) for m in sms.outbox]
    assert (phone, key, params["number"]) == (APPROVER_PHONE, "order_approval_requested", order.number)
    client.force_login(unit.users["phone_approver"])
    response = client.get(params["link"].removeprefix(BASE))
    assert response.status_code == 200 and order.number in response.content.decode()
    # The buyer is told it waits for approval, and not asked to pay yet.
    (waiting,) = mails_to(buyer.email)
    assert "审批" in waiting.subject
    assert order.payment_reference not in waiting.body and "转账" not in waiting.body
    assert "please do not pay" in waiting.body
    assert not [m for m in mail.outbox if "新订单" in m.subject]  # vendors wait for the approval

    mail.outbox.clear()
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_order(order, user=unit.users["phone_approver"])
    (approved,) = mails_to(buyer.email)
    assert "请付款" in approved.subject
    assert order.payment_reference in approved.body and "3301 0400 0000 1234" in approved.body
    assert f"{BASE}/canteen/orders/{order.number}/" in approved.body
    assert [m.to for m in mail.outbox if "新订单" in m.subject] == [["shop@huyou.example.cn"]]  # now the vendor hears
    assert [(m.phone, m.template) for m in sms.outbox] == [("13700137000", "vendor_new_order")]


def test_rejection_tells_the_buyer_why(unit, goods, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = place_big(unit, goods)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_order(order, user=unit.users["approver"], reason="超出本月预算")
    (rejected,) = mails_to(unit.users["buyer"].email)
    assert "未获批准" in rejected.subject and "超出本月预算" in rejected.body


def test_mobile_only_buyer_is_told_by_sms(unit, goods, django_capture_on_commit_callbacks):
    phone_buyer = make_user("13833334444", email="")
    UnitMember.objects.create(unit=unit, user=phone_buyer, role=UnitMember.Role.BUYER)
    unit.users["buyer"] = phone_buyer
    with django_capture_on_commit_callbacks(execute=True):
        order = place_big(unit, goods)
    mine = [m for m in sms.outbox if m.phone == "13833334444"]
    assert [m.template for m in mine] == ["order_awaiting_approval"]
    assert "审批" in mine[0].text and "付款" in mine[0].text and "请付款" not in mine[0].text
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_order(order, user=unit.users["approver"], reason="重复下单")
    mine = [m for m in sms.outbox if m.phone == "13833334444"]
    assert mine[-1].template == "order_rejected" and mine[-1].params["reason"] == "重复下单"
