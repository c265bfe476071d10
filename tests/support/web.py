"""Web checkout through the test client: a cart line and the checkout form with a new address."""

from django.urls import reverse

from marketplace.checkout.models import CartItem

NEW_ADDRESS = {
    "address": "new",
    "new-recipient": "张三",
    "new-phone": "138 0013 8000",
    "new-province": "浙江省",
    "new-city": "杭州市",
    "new-district": "拱墅区",
    "new-street": "湖墅南路 1 号",
}


def put_in_cart(user, product, quantity):
    CartItem.objects.create(user=user, product=product, quantity=quantity, unit_price_seen=product.price_for(quantity))


def checkout(client, **fields):
    """Post the checkout form (bank transfer, a new address, idempotency key `key`, default "key-1")."""
    data = {"payment_method": "bank_transfer", "idempotency_key": fields.pop("key", "key-1"), **NEW_ADDRESS}
    data.update(fields)
    return client.post(reverse("checkout"), data)
