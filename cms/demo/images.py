"""Demo pictures drawn with Pillow (stylised mountains, sea, bowls and fair stalls): no downloads, no fonts.

Each picture is a Wagtail image found again by its title, so a re-run draws and stores nothing.
"""

import io
import math
import random

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter
from wagtail.images import get_image_model
from wagtail.utils.file import hash_filelike

# key: (title, alt text, file name, drawing, palette seed)
DEMO_IMAGES = {
    "hero": ("山海集市·山海相连", "层叠青山延伸到晨光中的大海，山海协作的意象图", "shanhai-hero.jpg", "landscape", 1),
    "quzhou_hills": ("衢州青山绿水", "衢州的青山与江水，远处朝阳升起", "quzhou-hills.jpg", "landscape", 2),
    "harbour": ("海港晨光", "清晨的海面与远山，海浪层层", "harbour-morning.jpg", "seascape", 3),
    "bowls": ("百县千碗·一桌好菜", "桌面上摆着一碗碗各县特色菜的示意图", "baixian-qianwan-bowls.jpg", "bowls", 4),
    "fair": ("山海协作展销会", "展销会上一排排红白相间的展位帐篷", "shanhai-fair-stalls.jpg", "stalls", 5),
    "terraces": ("山区梯田", "山区层层梯田在阳光下泛着金绿色", "mountain-terraces.jpg", "terraces", 6),
}

SIZE = (1600, 900)


def vertical_gradient(size, top, bottom):
    width, height = size
    column = PILImage.new("RGB", (1, height))
    column.putdata(
        [
            tuple(round(t + (b - t) * y / max(height - 1, 1)) for t, b in zip(top, bottom, strict=True))
            for y in range(height)
        ]
    )
    return column.resize(size)


def ridge(rng, width, base, amplitude, roughness=7):
    """Points of a mountain ridge: a few sine waves of random phase plus a little jitter."""
    waves = [(rng.uniform(0.5, 1.0) / k, rng.uniform(1, 3) * k, rng.uniform(0, 6.3)) for k in (1, 2, 4)]
    step = width // 60
    points = []
    for x in range(0, width + step, step):
        t = x / width * math.pi
        height = sum(a * math.sin(f * t + phase) for a, f, phase in waves) / 1.75
        points.append((x, base - amplitude * height + rng.uniform(-1, 1) * amplitude / roughness))
    return points


def blend(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def draw_mountains(draw, rng, size, layers, near, far, base_top, base_bottom, amplitude):
    width, height = size
    for i in range(layers):
        t = i / max(layers - 1, 1)
        base = height * (base_top + (base_bottom - base_top) * t)
        points = ridge(rng, width, base, amplitude * (1 - 0.4 * t))
        draw.polygon([(0, height), *points, (width, height)], fill=blend(far, near, t))


def draw_sea(draw, rng, size, horizon, deep, light):
    width, height = size
    top = round(height * horizon)
    for y in range(top, height):
        draw.line([(0, y), (width, y)], fill=blend(light, deep, (y - top) / max(height - top, 1)))
    for _ in range(60):
        y = rng.uniform(top + 8, height)
        x = rng.uniform(0, width)
        length = rng.uniform(30, 140) * (y - top) / (height - top) + 10
        draw.line([(x, y), (x + length, y)], fill=blend(light, (255, 255, 255), 0.5), width=2)


def landscape(rng, size):
    picture = vertical_gradient(size, (255, 214, 170), (190, 225, 240))
    draw = ImageDraw.Draw(picture)
    width, height = size
    sun_x, sun_y, r = width * rng.uniform(0.55, 0.8), height * 0.16, height * 0.07
    draw.ellipse([sun_x - r, sun_y - r, sun_x + r, sun_y + r], fill=(255, 236, 200))
    draw_mountains(draw, rng, size, 4, (40, 110, 80), (160, 200, 190), 0.35, 0.62, height * 0.16)
    draw_sea(draw, rng, size, 0.78, (20, 80, 130), (110, 170, 200))
    return picture


def seascape(rng, size):
    picture = vertical_gradient(size, (250, 200, 160), (200, 225, 245))
    draw = ImageDraw.Draw(picture)
    width, height = size
    draw_mountains(draw, rng, size, 2, (90, 130, 140), (170, 195, 210), 0.45, 0.5, height * 0.08)
    draw_sea(draw, rng, size, 0.55, (15, 60, 110), (140, 190, 215))
    return picture


def bowls(rng, size):
    width, height = size
    picture = vertical_gradient(size, (150, 90, 50), (110, 60, 35))  # a wooden table
    draw = ImageDraw.Draw(picture)
    for x in range(0, width, 80):
        draw.line([(x, 0), (x + 40, height)], fill=(125, 75, 42), width=3)
    colours = [(200, 60, 40), (230, 160, 50), (110, 150, 60), (240, 220, 190), (170, 40, 50), (90, 120, 70)]
    radius = height // 7
    for row in range(3):
        for col in range(5):
            cx = width * (col + 0.5 + (row % 2) * 0.3) / 5.3
            cy = height * (row + 0.6) / 3.3
            draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=(245, 245, 240))
            draw.ellipse([cx - radius + 10, cy - radius + 10, cx + radius - 10, cy + radius - 10], fill=(40, 90, 150))
            inner = radius - 24
            draw.ellipse([cx - inner, cy - inner, cx + inner, cy + inner], fill=rng.choice(colours))
    return picture


def stalls(rng, size):
    width, height = size
    picture = vertical_gradient(size, (170, 210, 240), (230, 240, 245))
    draw = ImageDraw.Draw(picture)
    draw_mountains(draw, rng, size, 2, (100, 150, 120), (170, 200, 195), 0.3, 0.4, height * 0.08)
    draw.rectangle([0, height * 0.55, width, height], fill=(200, 190, 170))
    for row, (top, tent) in enumerate([(0.5, 150), (0.68, 210)]):
        y = height * top
        for i in range(-1, width // tent + 1):
            x = i * tent + (row * tent // 2)
            roof = [(x, y + tent * 0.35), (x + tent / 2, y), (x + tent, y + tent * 0.35)]
            draw.rectangle([x + 6, y + tent * 0.35, x + tent - 6, y + tent * 0.9], fill=(250, 250, 245))
            draw.polygon(roof, fill=(200, 40, 40) if i % 2 else (240, 240, 235))
            draw.rectangle(
                [x + 14, y + tent * 0.6, x + tent - 14, y + tent * 0.72],
                fill=rng.choice([(230, 150, 40), (120, 160, 60), (200, 80, 50)]),
            )
    return picture


def terraces(rng, size):
    width, height = size
    picture = vertical_gradient(size, (200, 225, 240), (240, 235, 210))
    draw = ImageDraw.Draw(picture)
    greens = [(120, 170, 70), (150, 190, 80), (190, 200, 90), (100, 150, 60)]
    for i in range(14):
        base = height * (0.25 + i * 0.06)
        points = ridge(rng, width, base, height * 0.03, roughness=14)
        draw.polygon([(0, height), *points, (width, height)], fill=greens[i % len(greens)])
        draw.line(points, fill=(90, 120, 50), width=3)
    return picture


DRAWINGS = {"landscape": landscape, "seascape": seascape, "bowls": bowls, "stalls": stalls, "terraces": terraces}


def render_jpeg(drawing, seed, size=None):
    picture = DRAWINGS[drawing](random.Random(seed), size or SIZE).filter(ImageFilter.SMOOTH)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85, optimize=True)
    return buffer.getvalue()


def load_images(tally):
    """Return {key: Wagtail image}, drawing only the pictures not stored yet."""
    image_model = get_image_model()
    titles = {spec[0]: key for key, spec in DEMO_IMAGES.items()}
    found = {}
    for image in image_model.objects.filter(title__in=titles).order_by("pk"):
        found.setdefault(titles[image.title], image)

    images = {}
    for key, (title, alt_text, file_name, drawing, seed) in DEMO_IMAGES.items():
        image = found.get(key)
        if image is not None:
            if image.description != alt_text:
                image.description = alt_text
                image.save(update_fields=["description"])
                tally.updated("images")
            else:
                tally.present("images")
        else:
            data = render_jpeg(drawing, seed)
            image = image_model(
                title=title, description=alt_text, file_size=len(data), file_hash=hash_filelike(io.BytesIO(data))
            )
            image.file = ImageFile(io.BytesIO(data), name=file_name)
            image.save()
            tally.created("images")
        images[key] = image
    return images
