"""Order e-mails: placed (buyer and each vendor), paid, shipped, cancelled, refunded — each once, after commit.

The test settings use the locmem mail backend and run tasks inline; notifications are queued with
`transaction.on_commit`, so inside a test's transaction nothing goes out until the callbacks run.
"""

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.users.models import UserProfile

from cms.errors import DomainError
from marketplace.checkout import services
from marketplace.checkout.models import Order, PaymentMethod
from tests.factories import make_user, make_vendor_user, place_order, sent_mails

pytestmark = pytest.mark.django_db

BUYER_EMAIL = "buyer@example.cn"


@pytest.fixture
def shop(make_vendor, make_product, changshan, kecheng):
    a = make_vendor("常山胡柚合作社", changshan, contact_email="shop@huyou.example.cn")
    b = make_vendor("柯城橘子农场", kecheng)
    admin = make_user("finance", is_superuser=True, is_staff=True)
    profile = UserProfile.get_for_user(admin)
    profile.preferred_language = "en"
    profile.save()
    return {
        "a": a,
        "b": b,
        "a_tangelo": make_product(a, "常山胡柚", "39.00", stock=50),
        "b_orange": make_product(b, "柯城椪柑", "25.00", stock=80),
        "a_user": make_vendor_user(a, "vendor-a"),
        "b_user": make_vendor_user(b, "vendor-b"),
        "buyer": make_user("buyer", email=BUYER_EMAIL),
        "admin": admin,
    }


def place(shop, method=PaymentMethod.BANK_TRANSFER):
    return place_order(shop["buyer"], (shop["a_tangelo"], 2), (shop["b_orange"], 1), method=method)


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run `action`; assert nothing was mailed before commit; run the commit callbacks; return what was mailed."""

    def run(action):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            result = action()
        assert mail.outbox == [], "mailed before the transaction committed"
        for callback in callbacks:
            callback()
        return result, sent_mails()

    return run


@pytest.fixture
def paid_order(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop)
        services.record_bank_transfer(
            order, amount=order.total, received_on=timezone.localdate(), bank_reference="R", user=shop["admin"]
        )
    mail.outbox.clear()
    order.refresh_from_db()
    return order


def test_placed_mails_buyer_and_each_vendor(shop, after_commit):
    order, mails = after_commit(lambda: place(shop))
    assert mails == sorted(
        [
            (f"订单已提交 / Order placed: {order.number}", (BUYER_EMAIL,)),
            (f"新订单 / New order: {order.number}", ("shop@huyou.example.cn", "vendor-a@example.com")),
            (f"新订单 / New order: {order.number}", ("vendor-b@example.com",)),
        ]
    )
    body = {recipient: message.body for message in mail.outbox for recipient in message.to}
    assert "常山胡柚" in body["vendor-a@example.com"] and "柯城椪柑" not in body["vendor-a@example.com"]
    assert "柯城椪柑" in body["vendor-b@example.com"] and "常山胡柚" not in body["vendor-b@example.com"]
    assert order.payment_reference in body[BUYER_EMAIL]


def test_paid_mail_from_the_bank_transfer_view(client, shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop)
    mail.outbox.clear()
    client.force_login(shop["admin"])
    url = f"/admin/orders/{order.pk}/bank-transfer/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"amount": "1.00", "received_on": "2025-05-01", "bank_reference": "X"})  # wrong amount
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, {"amount": str(order.total), "received_on": "2025-05-01", "bank_reference": "X"})
    assert response.status_code == 302 and mail.outbox == []
    for callback in callbacks:
        callback()
    assert sent_mails() == [(f"订单已付款 / Order paid: {order.number}", (BUYER_EMAIL,))]


def test_shipped_mail_once_per_part(client, shop, paid_order, after_commit):
    part = paid_order.vendor_orders.get(vendor=shop["a"])
    client.force_login(shop["a_user"])
    response, mails = after_commit(
        lambda: client.post(f"/admin/vendor-orders/{part.pk}/ship/", {"carrier": "sf", "tracking_number": "SF42"})
    )
    assert response.status_code == 302
    assert mails == [(f"订单已发货 / Order shipped: {paid_order.number}", (BUYER_EMAIL,))]
    assert "SF42" in mail.outbox[0].body and "常山胡柚合作社" in mail.outbox[0].body
    _response, mails = after_commit(
        lambda: client.post(f"/admin/vendor-orders/{part.pk}/ship/", {"carrier": "sf", "tracking_number": "SF43"})
    )
    assert mails == []  # refused the second time: no second mail


def test_cancelled_mail(client, shop, django_capture_on_commit_callbacks, after_commit, stripe_settings):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, method=PaymentMethod.ALIPAY)
    client.force_login(shop["admin"])
    response, mails = after_commit(lambda: client.post(f"/admin/orders/{order.pk}/cancel/", {"reason": "test"}))
    assert response.status_code == 302
    assert mails == [(f"订单已取消 / Order cancelled: {order.number}", (BUYER_EMAIL,))]
    _response, mails = after_commit(lambda: client.post(f"/admin/orders/{order.pk}/cancel/", {"reason": "again"}))
    assert mails == []
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED


def test_refunded_mail(client, shop, paid_order, after_commit):
    line = paid_order.lines.get(name="常山胡柚")
    client.force_login(shop["admin"])
    url = f"/admin/orders/{paid_order.pk}/refund/"
    response, mails = after_commit(lambda: client.post(url, {f"line_{line.pk}": "1", "reason": "破损"}))
    assert response.status_code == 302
    assert mails == [(f"订单已退款 / Order refunded: {paid_order.number}", (BUYER_EMAIL,))]
    assert "39.00" in mail.outbox[0].body


def test_a_refused_operation_mails_nothing(shop, paid_order, after_commit):
    def refuse():
        with pytest.raises(DomainError):
            services.cancel_order(paid_order, user=shop["admin"], by_staff=True)

    _result, mails = after_commit(refuse)
    assert mails == []
