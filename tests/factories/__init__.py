"""Shared test data builders: factory-boy / wagtail-factories classes and small helpers around them.

Import from here (`from tests.factories import make_user, place_order, ADDRESS …`), never from a conftest
or another test module. Fixtures that wrap these live in tests/fixtures/ (registered in tests/conftest.py).

Scarce state (stock after an order, capacity, places, stalls, order and registration status) is never
written directly: `place_order` calls the checkout service, `register` the ticketing service, stall bookings
go through events.stalls.services. The only direct writes are first records with nothing to contend for (a new
product's stock row, like the admin's create hook) and dated history for reports (`make_paid_unit_order`).
"""

from .canteen import make_paid_unit_order, make_unit_with_members, place_unit_order, set_budget
from .catalogue import (
    CategoryFactory,
    CityFactory,
    CountyFactory,
    ImageFactory,
    ProductPageFactory,
    VendorPageFactory,
    make_county,
    make_image,
    make_product,
    make_uscc,
    make_vendor,
)
from .checkout import ADDRESS, ADDRESS_FIELDS, lines, pay_by_transfer, place_order, png_upload, ship, stock
from .content import body, make_photo
from .events import make_fair, stall
from .outbox import mails_to, sent_mails, texts
from .reviews import approved_review, line_of, received_order, ship_part
from .users import MOBILE, PASSWORD, UserFactory, make_mobile_buyer, make_user, make_vendor_user, moderator

__all__ = [
    "ADDRESS",
    "ADDRESS_FIELDS",
    "MOBILE",
    "PASSWORD",
    "CategoryFactory",
    "CityFactory",
    "CountyFactory",
    "ImageFactory",
    "ProductPageFactory",
    "UserFactory",
    "VendorPageFactory",
    "approved_review",
    "body",
    "line_of",
    "lines",
    "mails_to",
    "make_county",
    "make_fair",
    "make_image",
    "make_mobile_buyer",
    "make_paid_unit_order",
    "make_photo",
    "make_product",
    "make_unit_with_members",
    "make_uscc",
    "make_user",
    "make_vendor",
    "make_vendor_user",
    "moderator",
    "pay_by_transfer",
    "place_order",
    "place_unit_order",
    "png_upload",
    "received_order",
    "sent_mails",
    "ship",
    "set_budget",
    "ship_part",
    "stall",
    "stock",
    "texts",
]
