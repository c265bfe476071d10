"""An image or document an editor puts into a restricted collection through Wagtail's own forms is moved to the
private area: `/media/` no longer has it, and only people who may choose or change it in the admin get its bytes
(#18 point 1)."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from cms.private_media import private_collection
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def jpeg():
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (200, 40, 40)).save(buffer, format="JPEG")
    return ImageFile(buffer, name="收据.jpg")


def fetch(user, url):
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.status_code == 302:
        content = b""  # the log-in redirect's body is not the file
    return response.status_code, content


def test_an_image_uploaded_into_the_private_collection_is_moved_to_the_private_area():
    image = get_image_model().objects.create(title="发票照片", file=jpeg(), collection=private_collection())
    image.refresh_from_db()
    name = image.file.name
    assert name.startswith("private/collections/images/"), name
    path = Path(default_storage.path(name))
    assert path.is_file() and Path(settings.PRIVATE_MEDIA_ROOT) in path.parents
    assert not list(Path(settings.MEDIA_ROOT).rglob("收据*.jpg")), "the public copy is deleted"

    url = image.file.url
    assert url.startswith("/private-media/")
    assert fetch(None, url)[1] == b""  # anonymous: a log-in redirect, no bytes
    assert fetch(make_user("visitor"), url)[0] in (403, 404)
    status, content = fetch(make_user("boss", is_superuser=True, is_staff=True), url)
    assert status == 200 and content.startswith(b"\xff\xd8")


def test_an_image_moved_into_the_private_collection_leaves_the_public_area():
    image = get_image_model().objects.create(title="门店照片", file=jpeg())
    public_name = image.file.name
    assert not public_name.startswith("private/") and default_storage.exists(public_name)
    image.get_rendition("fill-40x40")  # a public thumbnail made while it was public
    image.collection = private_collection()
    image.save()
    image.refresh_from_db()
    assert image.file.name.startswith("private/") and not default_storage.exists(public_name)
    assert not image.renditions.exists()
    assert image.get_rendition("fill-40x40").file.name.startswith("private/images/")


def test_a_document_uploaded_into_the_private_collection_is_private_and_public_ones_stay():
    document = get_document_model().objects.create(
        title="合同", file=ContentFile(b"%PDF-1.4 contract", name="合同.pdf"), collection=private_collection()
    )
    document.refresh_from_db()
    assert document.file.name.startswith("private/collections/documents/")
    public = get_document_model().objects.create(title="菜单", file=ContentFile(b"%PDF-1.4 menu", name="菜单.pdf"))
    assert not public.file.name.startswith("private/")
