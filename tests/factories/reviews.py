"""Received orders and reviews, through the real services (checkout, then marketplace.reviews)."""

from marketplace.checkout import services as checkout
from marketplace.reviews import services as reviews

from .checkout import pay_by_transfer, place_order


def ship_part(order, vendor, staff):
    """The vendor's part of `order` shipped with a carrier and a tracking number."""
    part = order.vendor_orders.get(vendor=vendor)
    return checkout.mark_vendor_order_shipped(part, carrier="顺丰速运", tracking_number=f"SF{part.pk}", user=staff)


def received_order(buyer, staff, *items):
    """An order of `items` ((product, quantity) tuples) placed by `buyer`, paid by transfer, every part shipped
    and its receipt confirmed (确认收货) by the buyer. Returns the order, refreshed."""
    order = pay_by_transfer(place_order(buyer, *items), staff)
    for part in list(order.vendor_orders.all()):
        ship_part(order, part.vendor, staff)
        checkout.confirm_delivery(part, user=buyer)
    order.refresh_from_db()
    return order


def line_of(order, product):
    return order.lines.get(product=product)


def approved_review(order, product, moderator, *, rating=5, text="很好吃", photos=()):
    """A review of `product`'s line in `order` by the order's buyer, approved by `moderator`."""
    review = reviews.create_review(line_of(order, product), user=order.buyer, rating=rating, text=text, photos=photos)
    return reviews.approve_review(review, user=moderator)
