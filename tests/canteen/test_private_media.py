"""Receipt photos (验收) and invoices (发票) are private: stored outside MEDIA_ROOT, absent from the public API v2,
handed out only to the order's unit, the vendor concerned and staff (issue #18, points 1 and 4)."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from cms.errors import DomainError
from marketplace.canteen import services
from marketplace.checkout.models import VendorOrder
from marketplace.checkout.services import record_bank_transfer
from tests.factories import place_unit_order
from tests.support.private_media import ALLOWED, PDF, body, fetch, png, roles, ship

pytestmark = pytest.mark.django_db


def stored_uploads():
    """Files in the private area, but not the thumbnails (private renditions under images/) pages make."""
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.relative_to(root).parts[0] != "images")


def test_files_are_stored_outside_media_root(received):
    part = received["part"]
    for item in (part.inspection_photo, part.invoice_file):
        assert item.file.name.startswith("private/")
        path = Path(default_storage.path(item.file.name))
        assert path.is_file()
        assert Path(settings.PRIVATE_MEDIA_ROOT) in path.parents
        assert Path(settings.MEDIA_ROOT) not in path.parents
        assert not (Path(settings.MEDIA_ROOT) / item.file.name).exists()
        assert item.collection.name == "私密文件 · Private files"
    assert part.inspection_photo.file.url.startswith("/private-media/")
    # /media/ has nothing to hand out, even in DEBUG's static serving.
    assert Client().get("/media/" + part.inspection_photo.file.name).status_code == 404


@pytest.mark.parametrize("kind", ["receipt photo", "invoice"])
def test_each_role(kind, unit_a, unit_b, received, make_vendor, changshan):
    part = received["part"]
    if kind == "receipt photo":
        urls = [part.inspection_photo.file.url]
        expected = part.inspection_photo.file.open("rb").read()
    else:
        urls = [part.invoice_file.url, part.invoice_file.file.url]  # Wagtail's document view and the private view
        expected = PDF
    for role, user in roles(unit_a, unit_b, received, make_vendor, changshan).items():
        for url in urls:
            response = fetch(user, url)
            if role in ALLOWED:
                assert response.status_code == 200, (role, url)
                assert body(response) == expected
                if url.startswith("/private-media/"):
                    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
            elif user is None:
                assert response.status_code == 302 and "/login/" in response["Location"], (role, url)
            else:
                assert response.status_code == 404, (role, url)


def test_x_accel_redirect_in_production(settings, unit_a, received):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/_private-media/"
    photo = received["part"].inspection_photo
    response = fetch(unit_a.users["buyer"], photo.file.url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/_private-media/" + photo.file.name.removeprefix("private/")
    assert response["Content-Type"] == "image/png"
    # Refused requests never get the header.
    assert "X-Accel-Redirect" not in fetch(None, photo.file.url)
    invoice = received["part"].invoice_file
    via_wagtail = fetch(unit_a.users["finance"], invoice.url)
    assert via_wagtail["X-Accel-Redirect"] == "/_private-media/" + invoice.file.name.removeprefix("private/")


def test_path_tricks_are_not_found(unit_a, received):
    for url in ("/private-media/../../etc/passwd", "/private-media/receipts/%2e%2e/%2e%2e/x", "/private-media/nope"):
        assert fetch(received["staff"], url).status_code == 404


def test_api_v2_lists_only_public_images_and_documents(received, unit_a):
    part = received["part"]
    public_image = get_image_model().objects.create(title="西湖风景", file=png(name="public.png"))
    public_document = get_document_model().objects.create(
        title="展会须知", file=SimpleUploadedFile("notice.pdf", PDF, content_type="application/pdf")
    )
    client = Client()
    images = client.get("/api/v2/images/?limit=20").json()
    listed = {item["id"] for item in images["items"]}
    assert public_image.pk in listed and part.inspection_photo.pk not in listed
    assert images["meta"]["total_count"] == get_image_model().objects.count() - 1
    assert client.get(f"/api/v2/images/{part.inspection_photo.pk}/").status_code == 404
    assert client.get(f"/api/v2/images/{public_image.pk}/").status_code == 200
    documents = client.get("/api/v2/documents/").json()
    assert [item["id"] for item in documents["items"]] == [public_document.pk]
    assert client.get(f"/api/v2/documents/{part.invoice_file.pk}/").status_code == 404
    text = client.get("/api/v2/images/?search=" + received["order"].number).content.decode()
    assert received["order"].number not in text
    assert "33012345" not in client.get("/api/v2/documents/?limit=20").content.decode()


def test_existing_public_files_are_moved(unit_a, received):
    """Files stored before the private area (migration 0013): moved out of MEDIA_ROOT, renditions dropped."""
    part = received["part"]
    old_image = get_image_model().objects.create(title="old receipt", file=png(name="old.png"))
    old_document = get_document_model().objects.create(
        title="old invoice", file=SimpleUploadedFile("old.pdf", PDF, content_type="application/pdf")
    )
    old_image.get_rendition("fill-10x10")
    old_path = Path(default_storage.path(old_image.file.name))
    assert Path(settings.MEDIA_ROOT) in old_path.parents
    VendorOrder.objects.filter(pk=part.pk).update(inspection_photo=old_image, invoice_file=old_document)
    assert services.make_files_private() == 2
    assert services.make_files_private() == 0
    old_image.refresh_from_db()
    old_document.refresh_from_db()
    assert old_image.file.name.startswith("private/receipts/") and old_document.file.name.startswith("private/")
    assert not old_path.exists() and not old_image.renditions.exists()
    assert old_image.collection == old_document.collection == Collection.objects.get(name="私密文件 · Private files")
    assert fetch(unit_a.users["buyer"], old_image.file.url).status_code == 200
    assert old_image.pk not in {item["id"] for item in fetch(None, "/api/v2/images/?limit=20").json()["items"]}


# -- point 4: the receipt photo goes through Wagtail's image checks ----------------------------------------


def bomb():
    """A 12,000 × 12,000 (144-megapixel) PNG of about 17 KB."""
    upload = png(size=(12000, 12000), mode="1", name="bomb.png")
    assert upload.size < 40 * 1024
    return upload


@pytest.mark.parametrize(
    "language, words", [("en", "too many pixels"), ("zh-hans", "像素")], ids=["English", "Chinese"]
)
def test_decompression_bomb_is_refused_and_nothing_stored(language, words, unit_a, goods, django_user_model):
    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw")
    order = place_unit_order(unit_a, (goods["huyou"], 10))
    record_bank_transfer(order, amount=order.total, received_on=timezone.localdate(), bank_reference="B", user=staff)
    part = ship(order.vendor_orders.get(), staff)
    images_before = get_image_model().objects.count()

    files_before = stored_uploads()
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(unit_a.users["buyer"])
    prefix = "/en" if language == "en" else ""
    response = client.post(
        prefix + reverse("canteen_receive", args=[order.number, part.pk]),
        {"note": "", "photo": bomb()},
        follow=True,
    )
    assert response.status_code == 200
    shown = " ".join(str(message) for message in response.context["messages"])
    assert words in shown.lower(), shown
    part.refresh_from_db()
    assert part.received_at is None and part.inspection_photo is None
    assert get_image_model().objects.count() == images_before
    assert stored_uploads() == files_before


def test_service_checks_the_image_too(unit_a, received):
    with pytest.raises(DomainError) as refused:
        services.confirm_receipt(received["part"], user=unit_a.users["buyer"], photo=bomb())
    assert refused.value.field == "photo"
    not_an_image = SimpleUploadedFile("x.png", b"hello", content_type="image/png")
    with pytest.raises(DomainError):
        services.confirm_receipt(received["part"], user=unit_a.users["buyer"], photo=not_an_image)


def test_refused_receipt_creates_no_image(client, unit_a, received):
    """A second receipt of the same part is refused before anything is stored."""
    order, part = received["order"], received["part"]
    images_before = get_image_model().objects.count()

    files_before = stored_uploads()
    client.force_login(unit_a.users["buyer"])
    response = client.post(
        "/en" + reverse("canteen_receive", args=[order.number, part.pk]), {"note": "again", "photo": png()}, follow=True
    )
    assert "already been received" in " ".join(str(m) for m in response.context["messages"])
    assert get_image_model().objects.count() == images_before
    assert stored_uploads() == files_before


def test_a_member_without_a_role_stores_nothing(unit_b, received):
    images_before = get_image_model().objects.count()
    with pytest.raises(DomainError):
        services.confirm_receipt(received["part"], user=unit_b.users["buyer"], photo=png())
    assert get_image_model().objects.count() == images_before


def test_invoice_pdf_size_limit(settings, received):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 10
    with pytest.raises(DomainError) as refused:
        services.record_invoice(
            received["part"],
            user=received["staff"],
            number="2",
            date=datetime.date(2026, 3, 2),
            upload=SimpleUploadedFile("fapiao.pdf", PDF, content_type="application/pdf"),
        )
    assert refused.value.field == "pdf"


# -- point 8: an issued invoice is immutable; a correction is a new invoice with an audit event ---------------


def test_issued_invoice_cannot_be_replaced_in_place(received):
    from marketplace.checkout.models import OrderEvent

    part, staff = received["part"], received["staff"]
    first_document = part.invoice_file
    with pytest.raises(DomainError) as refused:
        services.record_invoice(
            part,
            user=staff,
            number="33012345",
            date=datetime.date(2026, 3, 3),
            upload=SimpleUploadedFile("other.pdf", PDF + b"%changed", content_type="application/pdf"),
        )
    assert refused.value.code == "invalid_state"
    part.refresh_from_db()
    assert part.invoice_file == first_document and part.invoice_date == datetime.date(2026, 3, 2)
    assert not OrderEvent.objects.filter(order=received["order"], action="invoice_corrected").exists()

    services.record_invoice(
        part,
        user=staff,
        number="33012399",
        date=datetime.date(2026, 3, 5),
        upload=SimpleUploadedFile("fapiao-2.pdf", PDF, content_type="application/pdf"),
    )
    part.refresh_from_db()
    assert part.invoice_number == "33012399" and part.invoice_file != first_document
    event = OrderEvent.objects.get(order=received["order"], action="invoice_corrected")
    assert event.data["old_number"] == "33012345" and event.data["old_document"] == first_document.pk
    first_document.refresh_from_db()  # kept, unchanged
    assert first_document.file.open("rb").read() == PDF
