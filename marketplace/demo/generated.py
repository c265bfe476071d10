"""`load_demo --scale N`: N generated products for benchmarks, written in bulk.

Product i (0-based) is always the same product — its name, vendor, price and marks come from a random
generator seeded with i — and lives under generated vendor i // PRODUCTS_PER_VENDOR, so a re-run with
the same N finds every product by its slug and creates nothing, and a larger N adds only the difference.

Saving ten thousand Wagtail pages one by one (add_child, revisions, signals) takes many minutes, so
products are inserted in bulk: we compute the treebeard materialised paths ourselves, bulk-insert the
`wagtailcore_page` rows, then the `marketplace_productpage` rows of the multi-table child (Django's
bulk_create refuses multi-table models, so the child rows go through the queryset's batched insert with
the child's local fields only), fix the vendors' `numchild`, bulk-create stock, marks, images and tier
prices, and index the products for search synchronously: Wagtail would otherwise enqueue one task per
page, and with the database tasks backend and no worker running they would never be indexed.
"""

import datetime
import math
import random
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connections, router
from django.db.models import F
from django.utils import timezone
from wagtail.models import Locale, Page
from wagtail.search.backends import get_search_backends

from cms.models import County, Mark
from marketplace.models import ProductImage, ProductPage, ProductStock, ProductTierPrice, VendorPage

from .content import all_products, make_uscc, tier_prices, traceability_code
from .data import COUNTY_CODES, PHONE_AREA, PRODUCTS

PRODUCTS_PER_VENDOR = 100
VENDOR_SLUG = "gen-vendor-{:04d}"
PRODUCT_SLUG = "gen-{:06d}"
INDEX_CHUNK = 2000
DISH_CATEGORIES = {"冷菜", "点心", "热菜"}
VENDOR_KINDS = [
    ("cooperative", "合作社", "Co-operative"),
    ("farm", "家庭农场", "Family Farm"),
    ("brand", "食品", "Foods"),
]


def short_county(name):
    for suffix in ("畲族自治县", "自治县", "县", "市", "区"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def index_now(model, objects):
    """Add `objects` to every auto-updated search backend now, in chunks, without the task queue."""
    for backend in get_search_backends(with_auto_update=True):
        for start in range(0, len(objects), INDEX_CHUNK):
            backend.add_bulk(model, objects[start : start + INDEX_CHUNK])


def ensure_generated_vendors(market, count, logos, tally):
    """Generated vendors 1 … count, found by slug; the missing ones are added (no revisions, published)."""
    existing = {v.slug: v for v in VendorPage.objects.child_of(market).filter(slug__startswith="gen-vendor-")}
    counties = {c.name: c for c in County.objects.filter(name__in=COUNTY_CODES).select_related("city")}
    county_names = list(COUNTY_CODES)
    logo_list = list(logos.values())
    now = timezone.now()
    vendors, created = [], []
    for k in range(count):
        slug = VENDOR_SLUG.format(k + 1)
        vendor = existing.get(slug)
        if vendor is None:
            county = counties[county_names[k % len(county_names)]]
            kind, kind_zh, kind_en = VENDOR_KINDS[k % len(VENDOR_KINDS)]
            code = COUNTY_CODES[county.name]
            vendor = VendorPage(
                title=f"{short_county(county.name)}山海好物{kind_zh}{k + 1}号",
                slug=slug,
                name_en=f"{county.name_en} Shanhai Goods {kind_en} No. {k + 1}",
                county=county,
                kind=kind,
                uscc=make_uscc({"cooperative": "93", "farm": "92", "brand": "91"}[kind], code, 500000 + k),
                tagline=f"{county.name}的山区好物，产地直供",
                story=[{"type": "paragraph", "value": f"<p>为性能测试生成的{county.name}商家。</p>"}],
                logo=logo_list[k % len(logo_list)],
                contact_name="测试联系人",
                contact_phone=f"{PHONE_AREA[county.city.name]}-{86000000 + k:08d}",
                contact_email=f"{slug}@vendors.shanhai.example",
                address=f"浙江省{county.city.name}{county.name}示例路{k + 100}号",
                approval_status=VendorPage.Approval.APPROVED,
                live=True,
                first_published_at=now,
                last_published_at=now,
            )
            market.add_child(instance=vendor)
            created.append(vendor)
            tally.created("generated vendors")
        else:
            tally.present("generated vendors")
        vendors.append(vendor)
    if created:
        index_now(VendorPage, created)
    return vendors


def generated_product(i, vendor, bases, categories, pictures, marks):
    """Field values (a dict of ProductPage attributes), stock, image ids, tiers and mark ids of product i."""
    rng = random.Random(f"shanhai-generated-{i}")
    base = rng.choice(bases)
    details = PRODUCTS[base["name"]][1]
    category_name = base["category"]
    county = vendor.county
    low, high = (Decimal(str(x)) for x in base["price"])
    price = (low + (high - low) * Decimal(rng.random())).quantize(Decimal("0.1"), ROUND_HALF_UP)
    price = max(price, Decimal("0.5")).quantize(Decimal("0.01"))
    dish = category_name in DISH_CATEGORIES
    roll = rng.random()
    audience = "public" if dish else ("canteens" if roll < 0.1 else "public" if roll < 0.15 else "both")
    if dish:
        stock = None
    else:
        roll = rng.random()
        stock = 0 if roll < 0.04 else rng.randint(1, 9) if roll < 0.14 else rng.randint(20, 800)
    moq = 5 if audience == "canteens" and stock and stock >= 20 else 1
    tiers = tier_prices(price, [(10, 0.95), (50, 0.9)]) if stock and rng.random() < 0.3 else []
    chosen_marks = [marks[m] for m in base["marks"] if rng.random() < 0.7]
    pool = pictures[category_name]
    images = [pool[(i + n) % len(pool)].pk for n in range(1 + rng.randrange(3))]
    title = f"{short_county(county.name)}特产·{base['name']} #{i + 1}"
    summary = f"{county.name}山区直供的{base['name']}，{details['pack']}，产地直发。"
    fields = {
        "title": title,
        "draft_title": title,
        "slug": PRODUCT_SLUG.format(i + 1),
        "name_en": f"{county.name_en} specialty: {base['name_en']} #{i + 1}",
        "category_id": categories[category_name].pk,
        "summary": summary,
        "search_description": summary,
        "description": f"<p>{summary}</p><p>{details['detail']}</p>",
        "unit": base["unit"],
        "pack_size": details["pack"],
        "unit_price": price,
        "track_stock": not dish,
        "min_order_quantity": moq,
        "shelf_life": details["shelf_life"],
        "storage": details["storage"],
        "traceability_code": traceability_code(COUNTY_CODES[county.name], (700000 + i) % 1000000)
        if rng.random() < 0.2
        else "",
        "audience": audience,
        "cover_image_id": images[0],
    }
    return fields, stock, images, tiers, [m.pk for m in chosen_marks]


def load_generated(market, scale, categories, pictures, logos, tally):
    """Make sure generated products 1 … scale exist; returns how many were created."""
    vendors = ensure_generated_vendors(market, math.ceil(scale / PRODUCTS_PER_VENDOR), logos, tally)
    vendor_ids = [v.pk for v in vendors]
    present = set(
        ProductPage.objects.filter(vendor_id__in=vendor_ids, slug__startswith="gen-").values_list("slug", flat=True)
    )
    missing = [i for i in range(scale) if PRODUCT_SLUG.format(i + 1) not in present]
    tally.present("generated products", scale - len(missing))
    if not missing:
        return 0

    bases = all_products()
    marks = {m.name: m for m in Mark.objects.all()}
    content_type = ContentType.objects.get_for_model(ProductPage)
    locale = Locale.get_default()
    now = timezone.now()

    # The last child step of each vendor that gets new products, read once.
    by_vendor = {}
    for i in missing:
        by_vendor.setdefault(i // PRODUCTS_PER_VENDOR, []).append(i)
    pages, extras = [], []
    vendors_by_pk = {v.pk: v for v in VendorPage.objects.filter(pk__in=vendor_ids).select_related("county__city")}
    for k, indexes in by_vendor.items():
        vendor = vendors_by_pk[vendors[k].pk]
        last_path = (
            Page.objects.filter(path__startswith=vendor.path, depth=vendor.depth + 1)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        step = Page._str2int(last_path[-Page.steplen :]) if last_path else 0
        for i in indexes:
            step += 1
            fields, stock, images, tiers, mark_ids = generated_product(i, vendor, bases, categories, pictures, marks)
            page = ProductPage(
                **fields,
                content_type_id=content_type.pk,
                locale_id=locale.pk,
                path=Page._get_path(vendor.path, vendor.depth + 1, step),
                depth=vendor.depth + 1,
                numchild=0,
                url_path=f"{vendor.url_path}{fields['slug']}/",
                live=True,
                has_unpublished_changes=False,
                first_published_at=now - datetime.timedelta(minutes=i + 1),
                last_published_at=now,
                vendor=vendor,
                origin_county_id=vendor.county_id,
            )
            pages.append(page)
            extras.append((stock, images, tiers, mark_ids))

    insert_product_pages(pages)

    for vendor_index, indexes in by_vendor.items():
        Page.objects.filter(pk=vendors[vendor_index].pk).update(numchild=F("numchild") + len(indexes))

    stock_rows, image_rows, tier_rows, mark_rows = [], [], [], []
    through = ProductPage.marks.through
    for page, (stock, images, tiers, mark_ids) in zip(pages, extras, strict=True):
        if stock is not None:
            stock_rows.append(ProductStock(product_id=page.pk, quantity=stock))
        image_rows.extend(ProductImage(product_id=page.pk, image_id=pk, sort_order=n) for n, pk in enumerate(images))
        tier_rows.extend(
            ProductTierPrice(product_id=page.pk, min_quantity=q, unit_price=p, sort_order=n)
            for n, (q, p) in enumerate(tiers)
        )
        mark_rows.extend(through(productpage_id=page.pk, mark_id=pk) for pk in mark_ids)
    ProductStock.objects.bulk_create(stock_rows, batch_size=2000)
    ProductImage.objects.bulk_create(image_rows, batch_size=2000)
    ProductTierPrice.objects.bulk_create(tier_rows, batch_size=2000)
    through.objects.bulk_create(mark_rows, batch_size=2000)

    index_now(ProductPage, pages)
    tally.created("generated products", len(pages))
    return len(pages)


def insert_product_pages(pages):
    """Insert ProductPage instances (paths and all fields set, no pk) as rows of both tables, in bulk."""
    db = router.db_for_write(ProductPage)
    page_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
    parents = [Page(**{f.attname: getattr(p, f.attname) for f in page_fields}) for p in pages]
    Page.objects.using(db).bulk_create(parents, batch_size=500)
    for page, parent in zip(pages, parents, strict=True):
        if parent.pk is None:  # a database that cannot return ids from a bulk insert
            raise RuntimeError("bulk insert returned no primary keys")
        page.id = page.page_ptr_id = parent.pk
        page._state.adding = False
        page._state.db = db

    # The child table: page_ptr plus ProductPage's own columns.
    child_fields = list(ProductPage._meta.local_concrete_fields)
    queryset = ProductPage._base_manager.using(db).all()
    queryset._for_write = True
    batch_size = max(connections[db].ops.bulk_batch_size(child_fields, pages), 1)
    queryset._batched_insert(pages, child_fields, min(batch_size, 500))
