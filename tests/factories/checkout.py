"""Orders through the real checkout service, a delivery address, and reading stock back."""

from django.utils import timezone

from marketplace.checkout import services
from marketplace.checkout.models import PaymentMethod
from marketplace.checkout.services import Address, LineRequest
from marketplace.models import ProductStock

# The delivery address of every test order (the JSON API and the address book take it as a dict).
ADDRESS_FIELDS = {
    "recipient": "张三",
    "phone": "13800138000",
    "province": "浙江省",
    "city": "杭州市",
    "district": "拱墅区",
    "street": "湖墅南路 1 号",
}
ADDRESS = Address(**ADDRESS_FIELDS)


def lines(*items):
    """LineRequests from (product, quantity[, expected_unit_price]) tuples."""
    return [LineRequest(product.pk, quantity, *rest) for product, quantity, *rest in items]


def place_order(buyer, *items, method=PaymentMethod.BANK_TRANSFER, address=ADDRESS, **kwargs):
    """Place an order with `marketplace.checkout.services.place_order` (stock reserved under its locks);
    items are (product, quantity[, expected_unit_price]) tuples; kwargs go to the service."""
    return services.place_order(buyer=buyer, lines=lines(*items), payment_method=method, address=address, **kwargs)


def pay_by_transfer(order, user, *, reference=None):
    """Staff record the bank transfer for the whole total (the service marks the order paid)."""
    services.record_bank_transfer(
        order,
        amount=order.total,
        received_on=timezone.localdate(),
        bank_reference=reference or f"BANK-{order.pk}",
        user=user,
    )
    order.refresh_from_db()
    return order


def stock(product):
    """Units of `product` in stock now, read from the database."""
    return ProductStock.objects.get(product=product).quantity


# --- the order admin (tests/checkout/test_admin_orders.py, test_carriers.py) --------------------------------

VENDOR_ORDERS_URL = "/admin/vendor-orders/"
STAFF_ORDERS_URL = "/admin/orders/"


def in_english(user):
    """Admin pages follow the user's preferred language (zh-hans by default); the admin tests read the English
    msgids."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def two_vendor_shop(make_vendor, make_product, changshan, kecheng):
    """Vendor a (常山, two products) and vendor b (柯城, one), each with an English-speaking vendor user, a buyer
    and a superuser `admin`; make_vendor / make_product are the fixtures of tests/fixtures/catalogue.py."""
    from .users import make_user, make_vendor_user

    a = make_vendor("常山胡柚合作社", changshan)
    b = make_vendor("柯城橘子农场", kecheng)
    return {
        "a": a,
        "b": b,
        "a_tangelo": make_product(a, "常山胡柚", "39.00", stock=50),
        "a_paste": make_product(a, "胡柚膏", "58.00", stock=20, category="processed"),
        "b_orange": make_product(b, "柯城椪柑", "25.00", stock=80),
        "a_user": in_english(make_vendor_user(a, "vendor-a")),
        "b_user": in_english(make_vendor_user(b, "vendor-b")),
        "buyer": make_user("buyer", email="buyer@example.cn"),
        "admin": in_english(make_user("finance", is_superuser=True, is_staff=True)),
    }


def paid_mixed_order(shop):
    """One order of `two_vendor_shop`'s buyer with lines from both vendors, paid by bank transfer."""
    order = place_order(shop["buyer"], (shop["a_tangelo"], 2), (shop["a_paste"], 1), (shop["b_orange"], 3))
    return pay_by_transfer(order, shop["admin"])


def part_of(order, vendor):
    """The vendor's part (VendorOrder) of `order`."""
    return order.vendor_orders.get(vendor=vendor)


def ship(order, user, *, carrier="sf", tracking="SF1234567890"):
    """Each vendor part of a paid order shipped by `user` (staff may ship any) through the service."""
    for part in order.vendor_orders.order_by("pk"):
        services.mark_vendor_order_shipped(part, carrier=carrier, tracking_number=tracking, user=user)
    order.refresh_from_db()
    return order


def png_upload(name="photo.png", size=(32, 32), color="red"):
    """An uploaded PNG photo, as a browser sends it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
