"""Private media helpers for the canteen tests (tests/canteen/test_private_media.py, test_private_renditions.py):
small uploads, who may see a private file, and fetching one as a given user. The `received` fixture that
builds the received, invoiced unit order is in tests/canteen/conftest.py."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image as PILImage

from marketplace.checkout.services import mark_vendor_order_shipped
from tests.factories import make_vendor_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# The roles (see `roles`) that may see a unit order's receipt photo and invoice.
ALLOWED = {"unit's member", "vendor", "staff"}


def png(size=(20, 20), mode="RGB", name="photo.png"):
    buffer = io.BytesIO()
    PILImage.new(mode, size).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def ship(part, staff):
    return mark_vendor_order_shipped(part, carrier="顺丰", tracking_number=f"SF{part.pk}", user=staff)


def roles(unit_a, unit_b, received, make_vendor, changshan):
    """Everyone who might ask for the private files of `received` (the fixture), by role."""
    part = received["part"]
    other_vendor = make_vendor("别家合作社", changshan)
    return {
        "anonymous": None,
        "other unit's member": unit_b.users["buyer"],
        "unit's member": unit_a.users["finance"],
        "vendor": make_vendor_user(part.vendor, "huyou-seller"),
        "another vendor": make_vendor_user(other_vendor, "other-seller"),
        "staff": received["staff"],
    }


def fetch(user, url):
    """GET `url` as `user` (None: anonymous)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def body(response):
    """The bytes of a response, streamed or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content
