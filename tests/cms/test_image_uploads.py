"""Uploads are capped in size and pixel count, and a non-image gets a clear message."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.users.models import UserProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@shanhai.example", "pw")


@pytest.fixture
def admin_client(client, editor):
    """An editor whose admin is in English, so messages can be compared with Wagtail's own."""
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(editor)
    return client


def png_bytes(size, mode="RGB"):
    buffer = io.BytesIO()
    PILImage.new(mode, size, "white").save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, name, content):
    return client.post(
        reverse("wagtailimages:add"), {"title": name, "file": SimpleUploadedFile(name, content), "collection": 1}
    )


def errors_of(response, language="en"):
    # Some messages are lazy: render them in the language under test, not whatever is active now.
    with translation.override(language):
        return " ".join(str(e) for errors in response.context["form"].errors.values() for e in errors)


def test_a_real_image_is_accepted(admin_client):
    response = upload(admin_client, "hill.png", png_bytes((640, 480)))
    assert response.status_code == 302
    assert get_image_model().objects.filter(title="hill.png").exists()


def test_a_non_image_is_refused(admin_client):
    response = upload(admin_client, "notes.jpg", b"this is a text file, not a picture")
    assert response.status_code == 200
    assert "Upload a valid image" in errors_of(response)
    assert not get_image_model().objects.exists()


def test_an_oversized_file_is_refused(admin_client, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 50 * 1024
    # A valid PNG padded past the limit: the size check must not depend on the picture being broken.
    picture = png_bytes((64, 64))
    big = picture + b"\0" * (settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE + 1 - len(picture))
    response = upload(admin_client, "big.png", big)
    assert response.status_code == 200
    assert "too big" in errors_of(response)
    assert not get_image_model().objects.exists()


def test_a_decompression_bomb_is_refused_before_decoding(admin_client, settings):
    # 8000 x 8000 one-bit pixels compress to a few kilobytes but would decode to 64 megapixels.
    bomb = png_bytes((8000, 8000), "1")
    assert len(bomb) < 100_000
    response = upload(admin_client, "bomb.png", bomb)
    assert response.status_code == 200
    assert "too many pixels" in errors_of(response)
    assert not get_image_model().objects.exists()


def test_upload_errors_are_in_chinese_for_chinese_editors(client, editor):
    # The admin speaks the site's default language, Chinese, unless the editor chose otherwise.
    client.force_login(editor)
    response = upload(client, "bomb.png", png_bytes((8000, 8000), "1"))
    assert response.status_code == 200
    message = errors_of(response, language="zh-hans")
    assert "像素" in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
