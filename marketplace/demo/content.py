"""The hand-made marketplace demo: categories, the market page, vendors, products, home-page features, vendor login.

Everything is found by natural key (category slug, page slug under its parent, image title, username)
and created only when missing; what exists is left as it is, so an editor's changes survive a re-run
and a re-run on loaded data writes nothing.
"""

import os
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from cms.demo import facts, sync_rows
from cms.demo.pages import existing_child, paragraph
from cms.demo.support import fill_english
from cms.models import County, HomePage, Mark
from cms.validators import uscc_check_character
from marketplace.models import (
    Category,
    ProductImage,
    ProductPage,
    ProductStock,
    ProductTierPrice,
    VendorIndexPage,
    VendorMark,
    VendorPage,
)

from .data import (
    CERT_FROM,
    CERT_UNTIL,
    COUNTY_CODES,
    EXTRA_PRODUCTS,
    PHONE_AREA,
    PRODUCTS,
    SUB_CATEGORIES,
    TOP_CATEGORIES,
    VENDOR_LOGIN_VENDOR,
    VENDORS,
)
from .english import PRODUCTS_EN, VENDORS_EN

VENDOR_USERNAME = "vendor"
VENDOR_EMAIL = "vendor@shanhai.example"
DEFAULT_VENDOR_PASSWORD = "shanhai-vendor"

CENT = Decimal("0.01")
USCC_PREFIX = {"cooperative": "93", "farm": "92", "restaurant": "92", "brand": "91", "county_pavilion": "91"}


# --- categories ------------------------------------------------------------------------------------------------


def load_categories(tally):
    """{Chinese sub-category name: Category}, the two-level tree from the facts."""
    tree = facts()["categories"]
    top = sync_rows(
        Category,
        ["slug"],
        [
            {
                "slug": TOP_CATEGORIES[c["name"]],
                "name": c["name"],
                "name_en": c["name_en"],
                "parent_id": None,
                "sort_order": i,
            }
            for i, c in enumerate(tree)
        ],
        tally,
        "categories",
    )
    rows = []
    for c in tree:
        parent = top[(TOP_CATEGORIES[c["name"]],)]
        for i, child in enumerate(c["children"]):
            slug, name_en = SUB_CATEGORIES[child]
            rows.append({"slug": slug, "name": child, "name_en": name_en, "parent_id": parent.pk, "sort_order": i})
    children = sync_rows(Category, ["slug"], rows, tally, "categories")
    return {category.name: category for category in children.values()}


# --- prices and codes ---------------------------------------------------------------------------------------------


def demo_price(low, high):
    """A shop-like price inside [low, high]: the midpoint, to 0.5 under 10 元, whole 元 under 100, else …8 元."""
    low, high = Decimal(str(low)), Decimal(str(high))
    mid = (low + high) / 2
    if mid < 10:
        price = (mid * 2).quantize(Decimal("1"), ROUND_HALF_UP) / 2
    elif mid < 100:
        price = mid.quantize(Decimal("1"), ROUND_HALF_UP)
    else:
        price = (mid / 10).quantize(Decimal("1"), ROUND_HALF_UP) * 10 - 2
    return min(max(price, low), high).quantize(CENT)


def tier_prices(price, tiers):
    """[(from quantity, unit price)] from (quantity, factor) pairs, each price strictly below the one before."""
    result = []
    previous = price
    for quantity, factor in sorted(tiers):
        tier = (price * Decimal(str(factor))).quantize(Decimal("0.1"), ROUND_HALF_UP).quantize(CENT)
        tier = min(tier, previous - Decimal("0.10"))
        if tier <= 0:
            break
        result.append((quantity, tier))
        previous = tier
    return result


def make_uscc(prefix, county_code, serial):
    """A valid 统一社会信用代码: registration type, division code, a 9-character organisation code, check."""
    first_17 = f"{prefix}{county_code}MA2{serial:06d}"
    return first_17 + uscc_check_character(first_17)


def traceability_code(county_code, serial):
    """A 浙食链-style code: ZSL-<city 4 digits>-<county 2 digits><serial>."""
    return f"ZSL-{county_code[:4]}-{county_code[4:]}{serial:06d}"


# --- pages ----------------------------------------------------------------------------------------------------------


def publish_child(parent, page, tally, kind):
    found = existing_child(parent, page.slug, type(page))
    if found is not None:
        tally.present(kind)
        fill_english(found, page)
        return found, False
    parent.add_child(instance=page)
    page.save_revision().publish()
    tally.created(kind)
    return page, True


def load_market(tally):
    home = HomePage.objects.first()
    if home is None:
        raise RuntimeError("The marketplace demo needs cms's HomePage: run cms's demo loader first.")
    market = VendorIndexPage(
        title="山海市集",
        name_en="Market",
        slug="market",
        show_in_menus=True,
        intro="衢州六县（市、区）和丽水山区县的合作社、家庭农场、食品企业和“百县千碗”餐饮商家，"
        "在这里直接把好物卖给城市家庭和机关食堂。",
        intro_en="Co-operatives, family farms, food companies and Baixian Qianwan restaurants of Quzhou's six "
        "counties and Lishui's mountain counties sell straight to city households and government canteens.",
        search_description="山海市集：浙江山区县的县域商家和特色农产品。",
    )
    existing = VendorIndexPage.objects.first()
    if existing is not None:
        tally.present("market page")
        fill_english(existing, market)
        return existing
    market, _ = publish_child(home, market, tally, "market page")
    return market


def vendor_page(key, spec, serial, counties, marks, logo):
    county = counties[spec["county"]]
    county_code = COUNTY_CODES[spec["county"]]
    city = county.city.name
    tagline_en, story_en = VENDORS_EN[key]
    return VendorPage(
        title=spec["title"],
        slug=slugify(spec["name_en"]),
        name_en=spec["name_en"],
        county=county,
        kind=spec["kind"],
        store_tier=spec.get("tier", ""),
        uscc=make_uscc(USCC_PREFIX[spec["kind"]], county_code, 100000 + serial * 7919 % 900000),
        tagline=spec["tagline"],
        tagline_en=tagline_en,
        story=[paragraph(spec["story"])],
        story_en=[paragraph(story_en)],
        logo=logo,
        social_image=logo,
        contact_name=spec["contact"],
        contact_phone=f"{PHONE_AREA[city]}-{8100000 + serial * 3727:08d}",
        contact_email=f"{key.replace('_', '-')}@vendors.shanhai.example",
        address=f"浙江省{city}{spec['county']}示例路{serial + 8}号",
        address_en=f"No. {serial + 8} Shili Road, {county.name_en}, {county.city.name_en}, Zhejiang",
        approval_status=VendorPage.Approval.APPROVED,
        search_description=spec["tagline"],
        held_marks=[
            VendorMark(
                mark=marks[name],
                certificate_number=number,
                valid_from=CERT_FROM,
                valid_until=CERT_UNTIL,
                sort_order=i,
            )
            for i, (name, number) in enumerate(spec["marks"])
        ],
    )


def load_vendors(market, logos, tally):
    counties = {c.name: c for c in County.objects.select_related("city")}
    marks = {m.name: m for m in Mark.objects.all()}
    vendors = {}
    for serial, (key, spec) in enumerate(VENDORS.items(), start=1):
        page = vendor_page(key, spec, serial, counties, marks, logos[key])
        vendors[key], _ = publish_child(market, page, tally, "vendors")
    return vendors


def all_products():
    return [*facts()["products"], *EXTRA_PRODUCTS]


def check_county(product, vendor):
    """A product goes to a vendor of its county, or of its city when the facts name only the city."""
    if product["county"] not in (vendor.county.name, vendor.county.city.name):
        raise ValueError(f"{product['name']} is from {product['county']}, but {vendor.title} is in {vendor.county}")


def product_page(product, details, serial, vendor, category, marks, pictures):
    price = demo_price(*product["price"])
    made_to_order = vendor.kind == VendorPage.Kind.RESTAURANT
    mark_names = list(product["marks"])
    trace = details.get("trace") or "浙食链" in mark_names
    if trace and "浙食链" not in mark_names:
        mark_names.append("浙食链")
    county_code = COUNTY_CODES[vendor.county.name]
    images = [pictures[(serial + i) % len(pictures)] for i in range(1 + serial % 3)]
    origin = "、".join([vendor.county.city.name + vendor.county.name, *product["marks"]])
    description = (
        f"<p>{details['summary']}</p><p>{details['detail']}</p>"
        f"<ul><li>产地与标识：{origin}</li><li>规格：{details['pack']}</li>"
        f"<li>保质期：{details['shelf_life']}</li><li>储存：{details['storage']}</li></ul>"
    )
    pack_en, summary_en, detail_en, shelf_life_en, storage_en = PRODUCTS_EN[product["name"]]
    origin_en = ", ".join(
        [f"{vendor.county.name_en}, {vendor.county.city.name_en}", *(marks[m].name_en or m for m in product["marks"])]
    )
    description_en = (
        f"<p>{summary_en}</p><p>{detail_en}</p>"
        f"<ul><li>Origin and marks: {origin_en}</li><li>Pack: {pack_en}</li>"
        f"<li>Shelf life: {shelf_life_en}</li><li>Storage: {storage_en}</li></ul>"
    )
    page = ProductPage(
        title=product["name"],
        slug=slugify(product["name_en"]),
        name_en=product["name_en"],
        category=category,
        summary=details["summary"],
        summary_en=summary_en,
        description=description,
        description_en=description_en,
        unit=product["unit"],
        pack_size=details["pack"],
        pack_size_en=pack_en,
        unit_price=price,
        track_stock=not made_to_order,
        min_order_quantity=details.get("moq", 1),
        shelf_life=details["shelf_life"],
        shelf_life_en=shelf_life_en,
        storage=details["storage"],
        storage_en=storage_en,
        traceability_code=traceability_code(county_code, serial) if trace else "",
        audience=ProductPage.Audience.PUBLIC if made_to_order else details.get("audience", "both"),
        search_description=details["summary"],
        images=[ProductImage(image=image, sort_order=i) for i, image in enumerate(images)],
        tier_prices=[
            ProductTierPrice(min_quantity=q, unit_price=p, sort_order=i)
            for i, (q, p) in enumerate(tier_prices(price, details.get("tiers", [])))
        ],
    )
    page.marks = [marks[name] for name in mark_names]
    stock = None if made_to_order else details.get("stock", 200)
    return page, stock


def load_products(vendors, categories, pictures, tally):
    marks = {m.name: m for m in Mark.objects.all()}
    products = []
    for serial, product in enumerate(all_products(), start=1):
        vendor_key, details = PRODUCTS[product["name"]]
        vendor = VendorPage.objects.select_related("county__city").get(pk=vendors[vendor_key].pk)
        check_county(product, vendor)
        category = categories[product["category"]]
        page, stock = product_page(product, details, serial, vendor, category, marks, pictures[product["category"]])
        page, created = publish_child(vendor, page, tally, "products")
        if created and stock is not None:
            ProductStock.objects.create(product=page, quantity=stock)
            tally.created("stock rows")
        products.append(page)
    return products


# --- home page, vendor login -------------------------------------------------------------------------------------

FEATURED_PRODUCTS = ["常山胡柚", "龙游发糕", "开化龙顶", "衢州兔头", "庆元香菇", "江山蜂蜜"]
FEATURED_VENDORS = ["changshan_huyou", "shaoyongfeng", "fangmenjie", "qingyuan_mushroom"]
FEATURED_HEADINGS_EN = {"山海好物": "From the mountains to the sea", "县域商家": "County vendors"}


def feature_on_home(market, vendors, products, tally):
    """Add a featured-products and a featured-vendors block to the home page unless it has featured blocks."""
    home = HomePage.objects.first()
    if any(block.block_type == "featured" for block in home.sections):
        tally.present("home-page features")
        # A home page made by an older demo gets the English headings it lacks.
        sections = list(home.sections.raw_data)
        changed = False
        for block in sections:
            value = block.get("value") or {}
            if block.get("type") == "featured" and not value.get("heading_en"):
                english = FEATURED_HEADINGS_EN.get(value.get("heading"))
                if english:
                    value["heading_en"] = english
                    changed = True
        if changed:
            home.sections = sections
            home.save_revision().publish()
        return
    by_title = {p.title: p for p in products}
    sections = list(home.sections.raw_data)
    sections[:0] = [
        {
            "type": "featured",
            "value": {
                "heading": "山海好物",
                "heading_en": FEATURED_HEADINGS_EN["山海好物"],
                "pages": [by_title[t].pk for t in FEATURED_PRODUCTS if t in by_title],
                "more_link": market.pk,
            },
        },
        {
            "type": "featured",
            "value": {
                "heading": "县域商家",
                "heading_en": FEATURED_HEADINGS_EN["县域商家"],
                "pages": [vendors[k].pk for k in FEATURED_VENDORS if k in vendors],
                "more_link": market.pk,
            },
        },
    ]
    home.sections = sections
    home.save_revision().publish()
    tally.created("home-page features", 2)


def ensure_vendor_user(vendors, tally, stdout):
    from marketplace.services.vendors import grant_vendor_access

    user_model = get_user_model()
    vendor = vendors[VENDOR_LOGIN_VENDOR]
    user = user_model.objects.filter(username=VENDOR_USERNAME).first()
    password = None
    if user is None:
        password = os.environ.get("DEMO_VENDOR_PASSWORD") or DEFAULT_VENDOR_PASSWORD
        user = user_model.objects.create_user(
            VENDOR_USERNAME, VENDOR_EMAIL, password, first_name="卫东", last_name="徐"
        )
        tally.created("vendor users")
    else:
        tally.present("vendor users")
    grant_vendor_access(vendor, user)  # idempotent: group, page permissions, image collection, membership
    if password:
        stdout.write(f"Vendor login: /admin/  username: {VENDOR_USERNAME}  password: {password}  ({vendor.title})")
    else:
        stdout.write(
            f"Vendor login: /admin/  username: {VENDOR_USERNAME}  "
            f"(existing account, password unchanged)  ({vendor.title})"
        )
    return user
