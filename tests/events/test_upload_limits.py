"""Every upload outside Wagtail's image form goes through Wagtail's image checks (issue #18, point 4)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from events.stalls.forms import ApplicationForm


def png(size, mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return SimpleUploadedFile("licence.png", buffer.getvalue(), content_type="image/png")


def clean(upload):
    form = ApplicationForm.__new__(ApplicationForm)
    form.cleaned_data = {"food_licence": upload}
    return form.clean_food_licence()


def test_food_licence_image_over_the_pixel_limit_is_refused():
    bomb = png((12000, 12000), mode="1")  # 144 megapixels in about 17 KB
    assert bomb.size < 40 * 1024
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        clean(bomb)
    assert "too many pixels" in " ".join(refused.value.messages)


def test_food_licence_that_is_not_really_an_image_is_refused():
    with pytest.raises(ValidationError):
        clean(SimpleUploadedFile("licence.jpg", b"%PDF-1.4 not a jpeg", content_type="image/jpeg"))


def test_ordinary_licences_pass():
    assert clean(png((40, 30)))
    assert clean(SimpleUploadedFile("licence.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"))
