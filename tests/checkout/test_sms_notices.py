"""Order messages reach people where they are: a buyer with only a mobile number gets SMS (with a link that
works), a buyer with an e-mail gets e-mail; vendors get both; a broken SMS provider or mail server never breaks
or rolls back the order."""

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from cms import sms
from cms.sms import SmsError
from cms.sms.backends import BaseSmsBackend
from marketplace.checkout import services
from marketplace.checkout.models import Order, Payment, PaymentMethod, VendorOrder
from tests.factories import mails_to, make_user, make_vendor_user, place_order, texts

pytestmark = pytest.mark.django_db

MOBILE = "13912345678"
VENDOR_PHONE = "13700137000"


@pytest.fixture
def shop(make_vendor, make_product, changshan):
    vendor = make_vendor("常山胡柚合作社", changshan, contact_email="shop@huyou.example.cn", contact_phone=VENDOR_PHONE)
    return {
        "vendor": vendor,
        "product": make_product(vendor, "常山胡柚", "39.00", stock=50),
        "vendor_user": make_vendor_user(vendor, "vendor-a"),
        "phone_buyer": make_user(MOBILE, email=""),
        "mail_buyer": make_user("buyer", email="buyer@example.cn"),
        "admin": make_user("finance", is_superuser=True, is_staff=True),
    }


def place(shop, buyer, method=PaymentMethod.BANK_TRANSFER):
    return place_order(shop[buyer], (shop["product"], 2), method=method)


def path_of(link):
    base = "http://127.0.0.1:8000"
    assert link.startswith(base + "/"), link
    return link[len(base) :]


@override_settings(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8000")
def test_mobile_only_buyer_gets_sms_with_a_working_link(client, shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, "phone_buyer")
    ((key, params),) = texts(MOBILE)
    assert key == "order_placed"
    assert params["number"] == order.number and params["total"] == "78.00"
    assert not mails_to(MOBILE) and not [m for m in mail.outbox if "已提交" in m.subject]
    client.force_login(shop["phone_buyer"])
    response = client.get(path_of(params["link"]))
    assert response.status_code == 200 and order.number in response.content.decode()
    # The Chinese text is short and carries the link.
    text = sms.outbox[0].text
    assert params["link"] in text and "订单" in text and len(text) < 140


def test_email_buyer_gets_email_not_sms(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, "mail_buyer")
    assert [m.subject for m in mails_to("buyer@example.cn")] == [f"订单已提交 / Order placed: {order.number}"]
    assert f"/orders/{order.number}/" in mails_to("buyer@example.cn")[0].body
    assert [m.phone for m in sms.outbox] == [VENDOR_PHONE]  # only the vendor's SMS


def test_vendor_gets_email_and_sms_for_a_bank_transfer_order_when_placed(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, "mail_buyer")
    part = order.vendor_orders.get()
    ((key, params),) = texts(VENDOR_PHONE)
    assert key == "vendor_new_order" and params["number"] == order.number and params["total"] == "78.00"
    assert params["link"].endswith(f"/admin/vendor-orders/{part.pk}/")
    assert [m.to for m in mail.outbox if "新订单" in m.subject] == [["shop@huyou.example.cn", "vendor-a@example.com"]]
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.record_bank_transfer(
            order, amount=order.total, received_on=timezone.localdate(), bank_reference="R", user=shop["admin"]
        )
    assert texts(VENDOR_PHONE) == []  # told once, at placement


def test_vendor_hears_of_an_online_order_when_it_is_paid(shop, stripe_settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, "phone_buyer", method=PaymentMethod.ALIPAY)
    assert texts(VENDOR_PHONE) == [] and not [m for m in mail.outbox if "新订单" in m.subject]
    assert [key for key, _params in texts(MOBILE)] == ["order_placed"]
    payment = Payment.objects.create(order=order, method=PaymentMethod.ALIPAY, amount=order.total)
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_paid(order, payment)
    assert [key for key, _params in texts(VENDOR_PHONE)] == ["vendor_new_order"]
    assert [m.to for m in mail.outbox if "新订单" in m.subject] == [["shop@huyou.example.cn", "vendor-a@example.com"]]
    assert [key for key, _params in texts(MOBILE)] == ["order_placed", "order_paid"]


def test_shipped_cancelled_and_expired_by_sms(client, shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, "phone_buyer")
        services.record_bank_transfer(
            order, amount=order.total, received_on=timezone.localdate(), bank_reference="R", user=shop["admin"]
        )
    part = order.vendor_orders.get()
    client.force_login(shop["vendor_user"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/vendor-orders/{part.pk}/ship/", {"carrier": "sf", "tracking_number": "SF42"})
    assert response.status_code == 302
    key, params = texts(MOBILE)[-1]
    assert key == "order_shipped" and (params["carrier"], params["tracking"]) == ("顺丰速运", "SF42")

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = place(shop, "phone_buyer")
        services.cancel_order(cancelled, user=shop["phone_buyer"])
    assert texts(MOBILE)[-1] == ("order_cancelled", {"number": cancelled.number, "link": texts(MOBILE)[-1][1]["link"]})

    with django_capture_on_commit_callbacks(execute=True):
        late = place(shop, "phone_buyer")
        services.expire_unpaid_orders(now=late.payment_due_at + timezone.timedelta(minutes=1))
    key, params = texts(MOBILE)[-1]
    assert key == "order_expired" and params["number"] == late.number


class DownProvider(BaseSmsBackend):
    def send(self, message):
        raise SmsError("isv.BUSINESS_LIMIT_CONTROL")


@override_settings(
    SMS_BACKEND="tests.checkout.test_sms_notices.DownProvider",
    EMAIL_BACKEND="tests.cms.test_notify.BrokenMail",
    SMS_MAX_ATTEMPTS=2,
)
def test_a_provider_failure_never_breaks_the_order(client, shop, django_capture_on_commit_callbacks, caplog):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, "phone_buyer")
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT and order.lines.count() == 1
    assert "failed for good" in caplog.text
    # A view whose after-commit message fails still answers normally and keeps its change.
    with django_capture_on_commit_callbacks(execute=True):
        services.record_bank_transfer(
            order, amount=order.total, received_on=timezone.localdate(), bank_reference="R", user=shop["admin"]
        )
    part = order.vendor_orders.get()
    client.force_login(shop["vendor_user"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/vendor-orders/{part.pk}/ship/", {"carrier": "sf", "tracking_number": "SF1"})
    assert response.status_code == 302
    part.refresh_from_db()
    assert part.status == VendorOrder.Status.SHIPPED
