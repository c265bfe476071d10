"""Cities, counties with dated mountain-county membership, mountain-sea pairs and marks, from the facts file."""

import datetime

from django.utils.text import slugify

from cms.models import City, County, Mark, MountainCountyMembership, MountainSeaPair

from .support import facts, sync_rows

# The facts file names the marks in Chinese only; English names and short Chinese descriptions live here.
MARK_DETAILS = {
    "百县千碗": (
        "Hundred Counties, Thousand Bowls",
        "浙江省“味美浙江·百县千碗”美食文化推广活动，认定体验店、旗舰店和美食街区（镇）。",
    ),
    "三衢味": ("Sanquwei", "衢州市全域全品类农产品区域公用品牌，由衢州市供销合作社授权使用。"),
    "丽水山耕": ("Lishui Shangeng", "丽水市全品类农产品区域公用品牌，产品经检测、可追溯、一品一码。"),
    "钱江源": ("Qianjiangyuan", "开化县县域农产品公用品牌。"),
    "地理标志": ("Geographical Indication", "地理标志产品或地理标志证明商标。"),
    "中华老字号": ("China Time-honored Brand", "商务部认定的中华老字号品牌。"),
    "非物质文化遗产": ("Intangible Cultural Heritage", "采用列入非物质文化遗产名录的传统技艺制作。"),
    "承诺达标合格证": ("Compliance Certificate", "生产者自我承诺达标的食用农产品合格证，扫码可查。"),
    "浙食链": ("Zhejiang Food Chain", "浙江省食品安全追溯码，扫码查看来源与检测信息。"),
}


def parse_date(text):
    return datetime.date.fromisoformat(text) if text else None


def load_taxonomy(tally):
    data = facts()

    cities = sync_rows(
        City,
        ["code"],
        [{k: c[k] for k in ("code", "name", "name_en", "coastal")} for c in data["cities"]],
        tally,
        "cities",
    )
    city_by_name = {city.name: city for city in cities.values()}

    counties = sync_rows(
        County,
        ["name"],
        [
            {
                "name": c["name"],
                "name_en": c["name_en"],
                "slug": slugify(c["name_en"].replace("'", "")),
                "city_id": city_by_name[c["city"]].pk,
            }
            for c in data["counties"]
        ],
        tally,
        "counties",
    )
    county_by_name = {county.name: county for county in counties.values()}

    sync_rows(
        MountainCountyMembership,
        ["county_id", "since"],
        [
            {
                "county_id": county_by_name[c["name"]].pk,
                "since": parse_date(c["mountain_from"]),
                "until": parse_date(c.get("mountain_until")),
            }
            for c in data["counties"]
            if c.get("mountain_from")
        ],
        tally,
        "mountain-county memberships",
    )

    sync_rows(
        MountainSeaPair,
        ["mountain_county_id", "coastal_county_id"],
        [
            {
                "mountain_county_id": county_by_name[p["mountain"]].pk,
                "coastal_county_id": county_by_name[p["coastal"]].pk,
                # The facts give the year only.
                "since": datetime.date(int(p["since"]), 1, 1) if p.get("since") else None,
                "verified": bool(p.get("verified")),
            }
            for p in data["mountain_sea_pairs"]
        ],
        tally,
        "mountain-sea pairs",
    )

    mark_rows = []
    for m in data["brands_and_marks"]:
        name_en, description = MARK_DETAILS[m["name"]]
        mark_rows.append(
            {
                "name": m["name"],
                "name_en": name_en,
                "slug": slugify(name_en),
                "kind": m["kind"],
                "city_id": city_by_name[m["city"]].pk if m.get("city") else None,
                "county_id": county_by_name[m["county"]].pk if m.get("county") else None,
                "description": description,
            }
        )
    sync_rows(Mark, ["name"], mark_rows, tally, "marks")
