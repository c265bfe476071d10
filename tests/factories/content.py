"""Content for the cms pages: a JPEG photo in the image library and a one-paragraph StreamField body."""

import io

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.rich_text import RichText


def make_photo(title="西湖龙井茶园", description="", size=(1600, 1000), color=(40, 120, 90)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, format="JPEG")
    return Image.objects.create(
        title=title, description=description, file=ImageFile(buffer, name="test.jpg"), width=size[0], height=size[1]
    )


def body(text="正文内容"):
    return [("paragraph", RichText(f"<p>{text}</p>"))]
