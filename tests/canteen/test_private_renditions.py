"""Renditions (thumbnails) of private images — receipt photos in the private collection — are private too
(#18 point 1): Wagtail's admin makes them under private/images/, outside MEDIA_ROOT, and an anonymous GET of a
rendition URL gets no bytes; only those who may see the image may see its renditions."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from cms.private_media import delete_public_renditions_of_private_images
from tests.support.private_media import ALLOWED, body, fetch, png, roles

pytestmark = pytest.mark.django_db


def test_admin_thumbnails_of_a_receipt_photo_are_private(received):
    photo = received["part"].inspection_photo
    admin = Client()
    admin.force_login(received["staff"])
    listing = admin.get(f"/admin/images/?collection_id={photo.collection_id}")
    assert listing.status_code == 200
    renditions = list(photo.renditions.all())
    assert renditions, "the admin's image listing made thumbnails"
    html = listing.content.decode()
    for rendition in renditions:
        name = rendition.file.name
        assert name.startswith("private/images/"), name
        path = Path(default_storage.path(name))
        assert path.is_file() and Path(settings.PRIVATE_MEDIA_ROOT) in path.parents
        assert not (Path(settings.MEDIA_ROOT) / "images" / Path(name).name).exists()
        assert rendition.url.startswith("/private-media/images/") and rendition.url in html
    assert "/media/images/" not in html

    url = renditions[0].url
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert body(anonymous) == b""
    assert Client().get("/media/images/" + Path(renditions[0].file.name).name).status_code == 404


def test_each_role_sees_the_rendition_as_the_image(received, unit_a, unit_b, make_vendor, changshan):
    rendition = received["part"].inspection_photo.get_rendition("max-120x120")
    expected = rendition.file.open("rb").read()
    for role, user in roles(unit_a, unit_b, received, make_vendor, changshan).items():
        response = fetch(user, rendition.url)
        if role in ALLOWED:
            assert response.status_code == 200, role
            assert body(response) == expected
        else:
            assert response.status_code in (302, 404), role
            assert body(response) != expected


def test_public_images_keep_public_renditions(received):
    from wagtail.images import get_image_model

    image = get_image_model().objects.create(title="胡柚", file=png(name="huyou.png"))
    rendition = image.get_rendition("max-120x120")
    assert rendition.file.name.startswith("images/") and rendition.url.startswith("/media/images/")


def test_old_public_renditions_of_private_images_are_deleted(received):
    photo = received["part"].inspection_photo
    rendition = photo.get_rendition("max-120x120")
    # As before: a thumbnail of the private photo written to public media.
    public = default_storage.save("images/old-thumbnail.png", ContentFile(rendition.file.open("rb").read()))
    type(rendition).objects.filter(pk=rendition.pk).update(file=public)
    assert delete_public_renditions_of_private_images() == 1
    assert not default_storage.exists(public) and not photo.renditions.exists()
    assert delete_public_renditions_of_private_images() == 0
