"""Demo product pictures and vendor logos, drawn with Pillow like cms's demo images.

A small pool is drawn once — a few pictures per category and one logo per vendor — and products share
the pool, so even `--scale 10000` stores no more image files. Each picture is found again by its title.
"""

import io
import random

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter
from wagtail.images import get_image_model
from wagtail.utils.file import hash_filelike

from cms.demo.images import blend, vertical_gradient

PRODUCT_SIZE = (800, 800)
LOGO_SIZE = (320, 320)
PICTURES_PER_CATEGORY = 3

# Sub-category: (what is drawn, palette of the things, background top and bottom).
CATEGORY_DRAWINGS = {
    "冷菜": ("bowl", [(170, 50, 30), (200, 80, 40), (120, 40, 20)], (120, 70, 40), (90, 50, 30)),
    "点心": ("cakes", [(240, 225, 190), (230, 200, 150), (250, 240, 220)], (150, 100, 60), (110, 70, 40)),
    "热菜": ("bowl", [(90, 110, 60), (60, 70, 50), (180, 120, 60)], (130, 80, 45), (95, 55, 35)),
    "水果": ("fruit", [(245, 150, 30), (250, 180, 40), (210, 200, 60)], (245, 240, 225), (215, 205, 180)),
    "茶叶": ("leaves", [(70, 130, 60), (100, 150, 70), (50, 100, 50)], (225, 210, 170), (190, 170, 120)),
    "食用菌": ("mushrooms", [(140, 95, 60), (110, 70, 45), (170, 120, 80)], (235, 230, 215), (200, 190, 170)),
    "粮油": ("grain", [(250, 245, 230), (235, 200, 90), (220, 180, 60)], (200, 170, 120), (160, 130, 90)),
    "畜禽水产": ("fish", [(200, 110, 100), (150, 170, 180), (230, 220, 210)], (210, 230, 235), (170, 195, 205)),
    "糕点小吃": ("cakes", [(220, 170, 90), (200, 140, 70), (245, 215, 150)], (180, 40, 40), (140, 30, 30)),
    "中药材": ("roots", [(120, 80, 40), (90, 60, 30), (150, 110, 60)], (230, 220, 195), (200, 185, 150)),
    "加工食品": ("jars", [(230, 160, 40), (190, 120, 50), (240, 200, 120)], (235, 230, 220), (205, 195, 180)),
}


def _scatter(rng, size, count, margin):
    width, height = size
    return [(rng.uniform(margin, width - margin), rng.uniform(margin, height - margin)) for _ in range(count)]


def draw_things(shape, palette, rng, size):
    width, height = size
    draw_colour = rng.choice
    picture = PILImage.new("RGB", size)
    draw = ImageDraw.Draw(picture)
    r = width // 11
    if shape == "fruit":
        for x, y in sorted(_scatter(rng, size, 14, r * 1.5), key=lambda p: p[1]):
            colour = draw_colour(palette)
            draw.ellipse([x - r, y - r, x + r, y + r], fill=colour, outline=blend(colour, (0, 0, 0), 0.25), width=3)
            draw.ellipse([x - r * 0.5, y - r * 0.6, x - r * 0.1, y - r * 0.3], fill=blend(colour, (255, 255, 255), 0.4))
            draw.polygon([(x, y - r), (x + r * 0.5, y - r * 1.3), (x + r * 0.2, y - r * 0.9)], fill=(70, 130, 50))
    elif shape == "leaves":
        for x in range(0, width, 24):
            draw.line([(x, 0), (x, height)], fill=(170, 150, 100), width=2)
        for x, y in _scatter(rng, size, 160, 20):
            a, b = rng.uniform(18, 30), rng.uniform(5, 9)
            draw.ellipse([x - a, y - b, x + a, y + b], fill=draw_colour(palette))
    elif shape == "mushrooms":
        for x, y in sorted(_scatter(rng, size, 10, r * 1.8), key=lambda p: p[1]):
            draw.rectangle([x - r * 0.25, y, x + r * 0.25, y + r * 0.9], fill=(235, 225, 200))
            colour = draw_colour(palette)
            draw.pieslice([x - r * 1.1, y - r * 0.8, x + r * 1.1, y + r * 0.6], 180, 360, fill=colour)
            for _ in range(5):
                dx, dy = rng.uniform(-r * 0.7, r * 0.7), rng.uniform(-r * 0.5, -r * 0.1)
                draw.ellipse([x + dx - 5, y + dy - 3, x + dx + 5, y + dy + 3], fill=blend(colour, (255, 255, 255), 0.5))
    elif shape == "grain":
        draw.rounded_rectangle(
            [width * 0.18, height * 0.2, width * 0.6, height * 0.85], radius=40, fill=(225, 205, 160), width=4
        )
        draw.rectangle([width * 0.68, height * 0.3, width * 0.84, height * 0.85], fill=palette[1])
        draw.rectangle([width * 0.73, height * 0.2, width * 0.79, height * 0.3], fill=(60, 90, 50))
        for x, y in _scatter(rng, (width, height * 0.15), 220, 5):
            draw.ellipse([x - 5, height * 0.85 + y - 3, x + 5, height * 0.85 + y + 3], fill=palette[0])
    elif shape == "fish":
        for i in range(3):
            y = height * (0.3 + i * 0.22)
            x = width * rng.uniform(0.15, 0.3)
            colour = palette[i % len(palette)]
            draw.ellipse([x, y - r * 0.9, x + width * 0.5, y + r * 0.9], fill=colour)
            tail = x + width * 0.5
            draw.polygon([(tail - 10, y), (tail + r * 1.2, y - r), (tail + r * 1.2, y + r)], fill=colour)
            draw.ellipse([x + r * 0.5, y - r * 0.3, x + r * 0.8, y], fill=(30, 30, 30))
    elif shape == "cakes":
        for x, y in sorted(_scatter(rng, size, 9, r * 1.6), key=lambda p: p[1]):
            colour = draw_colour(palette)
            draw.ellipse([x - r * 1.2, y - r * 0.8, x + r * 1.2, y + r * 0.8], fill=blend(colour, (0, 0, 0), 0.2))
            draw.ellipse([x - r * 1.2, y - r, x + r * 1.2, y + r * 0.6], fill=colour)
            for _ in range(12):
                dx, dy = rng.uniform(-r * 0.8, r * 0.8), rng.uniform(-r * 0.6, r * 0.3)
                draw.ellipse([x + dx - 3, y + dy - 2, x + dx + 3, y + dy + 2], fill=(250, 245, 230))
    elif shape == "roots":
        for _ in range(18):
            x, y = rng.uniform(width * 0.1, width * 0.8), rng.uniform(height * 0.15, height * 0.85)
            points = [(x, y)]
            for _ in range(6):
                x, y = x + rng.uniform(10, 40), y + rng.uniform(-20, 20)
                points.append((x, y))
            draw.line(points, fill=draw_colour(palette), width=int(rng.uniform(10, 22)), joint="curve")
    elif shape == "jars":
        for i in range(3):
            x = width * (0.12 + i * 0.28)
            top = height * rng.uniform(0.3, 0.4)
            colour = draw_colour(palette)
            draw.rounded_rectangle([x, top, x + width * 0.22, height * 0.85], radius=24, fill=colour)
            draw.rectangle([x + 10, top - 40, x + width * 0.22 - 10, top], fill=(170, 40, 40))
            draw.rectangle([x + 20, top + 60, x + width * 0.22 - 20, top + 140], fill=(250, 245, 235))
    else:  # bowl: one dish seen from above
        cx, cy, big = width / 2, height / 2, width * 0.38
        draw.ellipse([cx - big, cy - big, cx + big, cy + big], fill=(245, 245, 240))
        draw.ellipse([cx - big + 18, cy - big + 18, cx + big - 18, cy + big - 18], fill=(40, 90, 150))
        inner = big - 45
        draw.ellipse([cx - inner, cy - inner, cx + inner, cy + inner], fill=palette[0])
        for x, y in _scatter(rng, (inner * 1.4, inner * 1.4), 40, 10):
            px, py = cx - inner * 0.7 + x, cy - inner * 0.7 + y
            s = rng.uniform(8, 22)
            draw.ellipse([px - s, py - s * 0.6, px + s, py + s * 0.6], fill=draw_colour(palette[1:] + [(220, 40, 30)]))
    return picture, draw


def render_product_picture(category, seed, size=None):
    size = size or PRODUCT_SIZE
    shape, palette, top, bottom = CATEGORY_DRAWINGS[category]
    rng = random.Random(f"{category}-{seed}")
    background = vertical_gradient(size, top, bottom)
    things, _ = draw_things(shape, palette, rng, size)
    # Draw on a black canvas, then paste the non-black pixels over the background.
    mask = things.convert("L").point(lambda v: 255 if v else 0)
    background.paste(things, (0, 0), mask)
    return _jpeg(background.filter(ImageFilter.SMOOTH))


def render_logo(seed, size=None):
    """A round badge: coloured ground, a white disc, green hills over blue waves."""
    size = size or LOGO_SIZE
    rng = random.Random(f"logo-{seed}")
    width, height = size
    ground = rng.choice([(180, 40, 40), (30, 100, 80), (40, 80, 140), (200, 120, 30), (110, 60, 120)])
    picture = PILImage.new("RGB", size, ground)
    draw = ImageDraw.Draw(picture)
    m = width * 0.12
    draw.ellipse([m, m, width - m, height - m], fill=(250, 248, 240))
    peaks = rng.randint(2, 3)
    for i in range(peaks):
        x = width * (0.28 + i * 0.44 / max(peaks - 1, 1))
        h = height * rng.uniform(0.22, 0.32)
        draw.polygon(
            [(x - width * 0.2, height * 0.62), (x, height * 0.62 - h), (x + width * 0.2, height * 0.62)],
            fill=blend((40, 130, 80), ground, 0.25 * i),
        )
    for j in range(2):
        y = height * (0.66 + j * 0.07)
        draw.arc([width * 0.25, y - 12, width * 0.5, y + 12], 0, 180, fill=(40, 110, 170), width=6)
        draw.arc([width * 0.5, y - 12, width * 0.75, y + 12], 0, 180, fill=(40, 110, 170), width=6)
    return _jpeg(picture)


def _jpeg(picture):
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=82, optimize=True)
    return buffer.getvalue()


def _store(image_model, title, alt_text, file_name, data):
    image = image_model(
        title=title, description=alt_text, file_size=len(data), file_hash=hash_filelike(io.BytesIO(data))
    )
    image.file = ImageFile(io.BytesIO(data), name=file_name)
    image.save()
    return image


def product_picture_title(category, number):
    return f"商品图·{category}·{number}"


def load_product_pictures(tally):
    """{sub-category name: [images]}: PICTURES_PER_CATEGORY pictures per sub-category, drawn when missing."""
    image_model = get_image_model()
    wanted = {
        product_picture_title(category, n): (category, n)
        for category in CATEGORY_DRAWINGS
        for n in range(1, PICTURES_PER_CATEGORY + 1)
    }
    found = {}
    for image in image_model.objects.filter(title__in=wanted).order_by("pk"):
        found.setdefault(image.title, image)
    pool = {category: [] for category in CATEGORY_DRAWINGS}
    slugs = {}
    from .data import SUB_CATEGORIES

    for title, (category, n) in wanted.items():
        image = found.get(title)
        if image is None:
            slugs.setdefault(category, SUB_CATEGORIES[category][0])
            image = _store(
                image_model,
                title,
                f"{category}类商品的示意图",
                f"product-{slugs[category]}-{n}.jpg",
                render_product_picture(category, n),
            )
            tally.created("product pictures")
        else:
            tally.present("product pictures")
        pool[category].append(image)
    return pool


def load_logos(vendors, tally):
    """{vendor key: logo image} for `vendors` ({key: fields with title and name_en}), drawn when missing."""
    image_model = get_image_model()
    titles = {f"商家标志·{fields['title']}": key for key, fields in vendors.items()}
    found = {}
    for image in image_model.objects.filter(title__in=titles).order_by("pk"):
        found.setdefault(titles[image.title], image)
    logos = {}
    for title, key in titles.items():
        image = found.get(key)
        if image is None:
            image = _store(
                image_model, title, f"{vendors[key]['title']}的标志（示意图）", f"logo-{key}.jpg", render_logo(key)
            )
            tally.created("vendor logos")
        else:
            tally.present("vendor logos")
        logos[key] = image
    return logos
