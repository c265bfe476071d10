"""The marketplace's part of "download my data" and "delete my account" (registered with cms.privacy):
delivery addresses and orders with their lines. On deletion the addresses and cart go; orders are kept for
accounting with the buyer's name and number masked."""

from django.utils.translation import gettext_lazy as _

from cms import locking, privacy
from cms.phone import mask_phone

from .models import CartItem, DeliveryAddress, Order


def addresses(user):
    return [
        {
            "recipient": a.recipient,
            "phone": a.phone,
            "province": a.province,
            "city": a.city,
            "district": a.district,
            "street": a.street,
            "is_default": a.is_default,
            "created_at": a.created_at,
        }
        for a in DeliveryAddress.objects.filter(user=user).order_by("created_at", "pk")
    ]


def orders(user):
    rows = []
    for order in Order.objects.filter(buyer=user).prefetch_related("lines").order_by("placed_at", "pk"):
        rows.append(
            {
                "number": order.number,
                "status": order.status,
                "placed_at": order.placed_at,
                "paid_at": order.paid_at,
                "payment_method": order.payment_method,
                "total": order.total,
                "recipient": order.recipient,
                "phone": order.phone,
                "address": f"{order.province}{order.city}{order.district}{order.street}",
                "note": order.note,
                "lines": [
                    {
                        "item": line.name,
                        "vendor": line.vendor_name,
                        "unit": line.unit,
                        "unit_price": line.unit_price,
                        "quantity": line.quantity,
                        "line_total": line.line_total,
                    }
                    for line in order.lines.all()
                ],
            }
        )
    return rows


def erase_addresses(user):
    DeliveryAddress.objects.filter(user=user).delete()
    CartItem.objects.filter(user=user).delete()


def mask_orders(user):
    for order in locking.lock(Order.objects.filter(buyer=user)):
        order.recipient = privacy.mask_name(order.recipient)
        order.phone = mask_phone(order.phone)
        order.guest_name = privacy.mask_name(order.guest_name)
        order.guest_phone = mask_phone(order.guest_phone)
        order.guest_email = ""
        order.save(update_fields=["recipient", "phone", "guest_name", "guest_phone", "guest_email"])


def register():
    privacy.register_personal_data("addresses", label=_("Delivery addresses"), collect=addresses, erase=erase_addresses)
    privacy.register_personal_data("orders", label=_("Orders"), collect=orders, erase=mask_orders)
