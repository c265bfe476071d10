"""Payment choices that can be paid: only the methods usable now are offered (bank transfer alone and pre-selected
without Stripe's keys), a method that is not configured is refused before anything is created, and an unpaid
order can switch methods (online ↔ bank transfer) without cancelling, keeping what it holds."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.errors import DomainError
from marketplace.checkout import payment_methods, services, stripe_gateway
from marketplace.checkout.models import Order, OrderEvent, OrderLine, Payment, PaymentMethod
from marketplace.checkout.services import Fee, GuestContact
from tests.factories import make_mobile_buyer, place_order, stock

pytestmark = pytest.mark.django_db

ONLINE = ["card", "alipay", "wechat_pay"]


@pytest.fixture
def no_stripe(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PUBLISHABLE_KEY = ""
    return settings


@pytest.fixture
def product(make_vendor, make_product, changshan):
    return make_product(make_vendor("常山胡柚合作社", changshan), "常山胡柚", "58.00", stock=20)


@pytest.fixture
def buyer(db):
    return make_mobile_buyer()


def place(buyer, product, method=PaymentMethod.BANK_TRANSFER, quantity=2):
    return place_order(buyer, (product, quantity), method=method)


def fresh(obj):
    obj.refresh_from_db()
    return obj


# -- which methods are available ----------------------------------------------------------------------------


def test_without_stripe_keys_bank_transfer_is_the_only_and_default_method(no_stripe):
    assert payment_methods.available_payment_methods() == ["bank_transfer"]
    assert payment_methods.default_payment_method() == "bank_transfer"
    assert not payment_methods.online_payments_configured()
    # One key is not enough: the server could create an intent, but the browser could not confirm it.
    no_stripe.STRIPE_SECRET_KEY = "sk_test_x"
    assert payment_methods.available_payment_methods() == ["bank_transfer"]
    no_stripe.STRIPE_SECRET_KEY, no_stripe.STRIPE_PUBLISHABLE_KEY = "", "pk_test_x"
    assert payment_methods.available_payment_methods() == ["bank_transfer"]


def test_with_stripe_keys_every_enabled_method_in_the_settings_order(settings, stripe_settings):
    assert payment_methods.available_payment_methods() == ["card", "alipay", "wechat_pay", "bank_transfer"]
    settings.CHECKOUT_PAYMENT_METHODS = ["alipay", "bank_transfer", "nonsense"]
    assert payment_methods.available_payment_methods() == ["alipay", "bank_transfer"]
    assert payment_methods.default_payment_method() == "alipay"


def test_a_method_that_is_not_configured_is_refused_and_nothing_is_ordered(no_stripe, buyer, product):
    for method in [*ONLINE, "cash", ""]:
        with pytest.raises(DomainError) as refused:
            place(buyer, product, method=method)
        assert refused.value.code == "invalid_payment_method" and refused.value.field == "payment_method"
    with pytest.raises(DomainError) as refused:
        services.place_fee_order(
            buyer=None,
            guest=GuestContact("王五", "13600136000"),
            fees=[Fee(kind=OrderLine.Kind.TICKET, name="品鉴票", unit_price=Decimal("30.00"))],
            payment_method="wechat_pay",
        )
    assert refused.value.code == "invalid_payment_method"
    assert not Order.objects.exists() and stock(product) == 20


# -- switching methods (service) ----------------------------------------------------------------------------


def test_bank_transfer_to_online_and_back_keeps_the_stock_and_the_order(stripe_settings, buyer, product):
    order = place(buyer, product)
    reference, number = order.payment_reference, order.number
    before = timezone.now()
    order = services.change_payment_method(order, PaymentMethod.ALIPAY, user=buyer)
    assert order.payment_method == "alipay" and order.status == Order.Status.PENDING_PAYMENT
    # Online: 30 minutes from now.
    assert before + timedelta(minutes=30) <= order.payment_due_at <= timezone.now() + timedelta(minutes=30)
    assert stock(product) == 18 and order.lines.get().reserved_quantity == 2
    event = OrderEvent.objects.get(order=order, action="payment_method_changed")
    assert event.user == buyer and event.data["from"] == "bank_transfer" and event.data["to"] == "alipay"

    order = services.change_payment_method(order, PaymentMethod.BANK_TRANSFER, user=buyer)
    assert order.number == number and order.payment_method == "bank_transfer"
    # The reference the payer may already have written down stays the same.
    assert order.payment_reference == reference
    # Bank transfer: 72 hours, counted from now but never beyond 72 hours after placing the order.
    assert order.payment_due_at == order.placed_at + timedelta(hours=72)
    assert stock(product) == 18 and Order.objects.count() == 1
    assert OrderEvent.objects.filter(order=order, action="payment_method_changed").count() == 2
    # Switching to the method it already has changes nothing.
    services.change_payment_method(order, PaymentMethod.BANK_TRANSFER, user=buyer)
    assert OrderEvent.objects.filter(order=order, action="payment_method_changed").count() == 2


def test_the_deadline_never_goes_beyond_the_longer_window_from_placing(stripe_settings, buyer, product):
    order = place(buyer, product)
    placed = order.placed_at
    # 71 h 50 min after placing, 30 minutes online would end after the 72-hour hold: the hold's end wins.
    later = placed + timedelta(hours=71, minutes=50)
    order = services.change_payment_method(order, PaymentMethod.CARD, user=buyer, now=later)
    assert order.payment_due_at == placed + timedelta(hours=72)
    # An online order placed just now and switched to bank transfer gets the 72 hours, not 72 h + the minutes.
    other = place(buyer, product, method=PaymentMethod.CARD)
    other = services.change_payment_method(
        other, PaymentMethod.BANK_TRANSFER, user=buyer, now=other.placed_at + timedelta(minutes=20)
    )
    assert other.payment_due_at == other.placed_at + timedelta(hours=72)
    assert other.payment_reference and other.payment_reference.startswith("SHZ")


def test_switching_is_refused_when_paid_expired_cancelled_not_configured_or_not_yours(
    no_stripe, buyer, product, django_user_model
):
    order = place(buyer, product)
    stranger = django_user_model.objects.create_user("13700137000", "", "pw")

    def refused(order, method, code, **kwargs):
        with pytest.raises(DomainError) as error:
            services.change_payment_method(order, method, **{"user": buyer, **kwargs})
        assert error.value.code == code
        return error.value

    # Not configured: online without Stripe's keys.
    assert refused(order, PaymentMethod.CARD, "invalid_payment_method").field == "payment_method"
    refused(order, "cash", "invalid_payment_method")
    # Someone else's order.
    refused(order, PaymentMethod.BANK_TRANSFER, "forbidden", user=stranger)
    # Its time to pay has passed (the expiry job has not run yet).
    refused(order, PaymentMethod.BANK_TRANSFER, "invalid_state", now=order.payment_due_at + timedelta(seconds=1))
    # Paid.
    paid = place(buyer, product)
    services.record_bank_transfer(paid, amount=paid.total, received_on="2026-01-01", bank_reference="B1", user=buyer)
    refused(paid, PaymentMethod.BANK_TRANSFER, "invalid_state")
    # Cancelled.
    cancelled = services.cancel_order(place(buyer, product), user=buyer)
    refused(cancelled, PaymentMethod.BANK_TRANSFER, "invalid_state")
    assert not OrderEvent.objects.filter(action="payment_method_changed").exists()
    assert fresh(order).payment_method == "bank_transfer" and stock(product) == 16


def test_a_pending_payment_intent_is_cancelled_after_the_switch(
    stripe_fake, buyer, product, django_capture_on_commit_callbacks
):
    order = place(buyer, product, method=PaymentMethod.CARD)
    payment = stripe_gateway.start_payment(order)
    assert payment.status == Payment.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        services.change_payment_method(order, PaymentMethod.BANK_TRANSFER, user=buyer)
    assert fresh(payment).status == Payment.Status.CANCELLED
    intent = stripe_gateway.client().v1.payment_intents.retrieve(payment.stripe_payment_intent)
    assert intent.status == "canceled"
    # Back to online: a new intent (a new idempotency key), not the cancelled one.
    order = services.change_payment_method(fresh(order), PaymentMethod.CARD, user=buyer)
    again = stripe_gateway.start_payment(order)
    assert again.pk != payment.pk and again.stripe_payment_intent != payment.stripe_payment_intent
    assert again.status == Payment.Status.PENDING


def test_an_awaiting_approval_order_cannot_switch(stripe_settings, buyer, product):
    order = place(buyer, product)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.AWAITING_APPROVAL)
    with pytest.raises(DomainError) as error:
        services.change_payment_method(fresh(order), PaymentMethod.CARD, user=buyer)
    assert error.value.code == "invalid_state"


# -- pages ---------------------------------------------------------------------------------------------------


def put_in_cart(user, product, quantity=1):
    from marketplace.checkout.models import CartItem

    CartItem.objects.create(user=user, product=product, quantity=quantity, unit_price_seen=product.price_for(quantity))


def test_checkout_without_stripe_shows_bank_transfer_as_the_fixed_preselected_choice(
    no_stripe, buyer_client, buyer, product
):
    put_in_cart(buyer, product)
    page = buyer_client.get(reverse("checkout")).content.decode()
    assert 'data-payment-method="bank_transfer"' in page
    assert '<input type="hidden" name="payment_method" value="bank_transfer">' in page
    assert 'type="radio" name="payment_method"' not in page
    for method in ONLINE:
        assert f'value="{method}"' not in page


def test_checkout_with_stripe_offers_every_method_with_the_default_checked(
    stripe_settings, buyer_client, buyer, product
):
    put_in_cart(buyer, product)
    page = buyer_client.get(reverse("checkout")).content.decode()
    for method in [*ONLINE, "bank_transfer"]:
        assert f'name="payment_method" value="{method}"' in page
    assert re.search(r'name="payment_method" value="card"[^>]*checked', page)
    assert "data-payment-method=" not in page


def test_the_order_page_switches_between_methods(stripe_settings, buyer_client, buyer, product):
    order = place(buyer, product)
    page = buyer_client.get(reverse("order_detail", args=[order.number])).content.decode()
    switch_url = reverse("order_payment_method", args=[order.number])
    assert f'action="{switch_url}"' in page and "data-payment-switch" in page
    for method in ONLINE:
        assert f'name="payment_method" value="{method}"' in page
    assert 'name="payment_method" value="bank_transfer"' not in page  # the order's own method is not offered

    response = buyer_client.post(switch_url, {"payment_method": "wechat_pay"})
    assert response["Location"] == reverse("order_pay", args=[order.number])
    assert fresh(order).payment_method == "wechat_pay" and stock(product) == 18

    page = buyer_client.get(reverse("order_detail", args=[order.number])).content.decode()
    assert 'data-switch-to="bank_transfer"' not in page  # several other methods: radio buttons
    response = buyer_client.post(switch_url, {"payment_method": "bank_transfer"})
    assert response["Location"] == reverse("order_detail", args=[order.number])
    page = buyer_client.get(response["Location"]).content.decode()
    assert f'data-bank="reference"><code class="payment-reference">{order.payment_reference}' in page
    assert stock(product) == 18 and Order.objects.count() == 1


def test_the_order_page_refuses_a_method_that_is_not_configured(no_stripe, buyer_client, buyer, product):
    order = place(buyer, product)
    page = buyer_client.get(reverse("order_detail", args=[order.number])).content.decode()
    assert "data-payment-switch" not in page  # nothing else to switch to
    response = buyer_client.post(
        reverse("order_payment_method", args=[order.number]), {"payment_method": "alipay"}, follow=True
    )
    assert fresh(order).payment_method == "bank_transfer"
    assert "在线支付（银行卡、支付宝、微信支付）暂不可用，请使用对公转账。" in response.content.decode()


def test_an_online_order_whose_method_went_away_is_offered_bank_transfer(
    settings, stripe_settings, buyer_client, buyer, product
):
    """Placed while Stripe was configured; the keys are gone now: no dead end, the way out is shown first."""
    order = place(buyer, product, method=PaymentMethod.ALIPAY)
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    page = buyer_client.get(reverse("order_detail", args=[order.number])).content.decode()
    assert reverse("order_pay", args=[order.number]) not in page
    assert 'data-switch-to="bank_transfer"' in page
    response = buyer_client.get(reverse("order_pay", args=[order.number]))
    assert response["Location"] == reverse("order_detail", args=[order.number])
    buyer_client.post(reverse("order_payment_method", args=[order.number]), {"payment_method": "bank_transfer"})
    assert fresh(order).payment_method == "bank_transfer" and fresh(order).payment_reference


def test_someone_elses_order_cannot_be_switched(stripe_settings, client, product, django_user_model):
    owner = django_user_model.objects.create_user("13700137000", "", "pw")
    order = place(owner, product)
    client.force_login(django_user_model.objects.create_user("13900139000", "", "pw"))
    response = client.post(reverse("order_payment_method", args=[order.number]), {"payment_method": "card"})
    assert response.status_code == 404 and fresh(order).payment_method == "bank_transfer"


def test_the_cancel_button_asks_for_confirmation(buyer_client, buyer, product):
    order = place(buyer, product)
    page = buyer_client.get(f"/en/orders/{order.number}/").content.decode()
    assert 'data-confirm="Cancel this order?' in page and 'data-confirm-keep="Keep the order"' in page
