"""events' demo data, loaded by `manage.py load_demo` after marketplace's (see cms/demo/__init__.py for the protocol).

- the fair index page (slug "fairs", "展会活动") under the home page;
- the three fairs of the facts file: the 山海协作 produce fair in Ningbo (60 stalls, organiser review, soon), the
  百县千碗 food festival in Quzhou (120 stalls, self-booking, around 7 January) and the provincial offices'
  canteen market in Hangzhou (12 free stalls, a few weeks ago);
- per fair: zones (county pavilions, a B2B matchmaking area), stall types with fees, add-ons, stalls laid out
  in rows with the bulk service, and a floor plan drawn with Pillow (zone labels only when a CJK font is found);
- stall bookings for marketplace's demo vendors made through events.stalls.services: applications entered by the
  organisers' desk (a user without e-mail, so no mail goes out) and approved by the admin; paid fees recorded
  as bank transfers, so bookings are confirmed; a few are still held, and a stall or two is blocked. The demo
  vendor login (`vendor`) self-books a stall at the food festival and has its fee to pay.

Visitor registration: per fair, ticket types (free entry with 2-hour slots at the Ningbo fair and the food festival, a
paid tasting session at the festival, lunch-time slots for canteen buyer units' staff at the canteen market), time slots
made with ticketing.create_slots, and a few hundred registrations written directly (the fairs' registration windows are
relative to the first load, so the services' window checks would refuse most of them) with the slot and ticket-type
counters then set from them by ticketing.recount_places, the documented bulk path (confirmed/held = the people of the
confirmed/held registrations). One slot at the Ningbo fair is full with a waiting list; a few registrations are
cancelled; at the past canteen market most visitors are checked in. The food festival's registration opened ten days
before the first load (early registration, the fair being one to twelve months ahead): it has free registrations in
every slot and a few paid tasting tickets bought through the services without an account (bank transfer; half paid and
confirmed, half held with their guest order). The check-in login (`checkin`, password $DEMO_CHECKIN_PASSWORD or
`shanhai-checkin`) has the check-in role at the three fairs.

Idempotent: pages by slug, stalls by code, images by title, applications by (fair, vendor), the desk user by
name. Dates are set relative to the day of the first load and left alone afterwards.
"""

import datetime
import io
import os
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.images import get_image_model
from wagtail.utils.file import hash_filelike

from cms.demo import Tally, facts
from cms.demo.pages import ensure_child, paragraph
from cms.demo.support import fill_english
from cms.errors import DomainError

from .english import DESCRIPTIONS_EN, FAIRS_EN, NAMES_EN

DESK_USERNAME = "fair-desk"
CHECKIN_USERNAME = "checkin"
DEFAULT_CHECKIN_PASSWORD = "shanhai-checkin"
PLAN_SCALE = 10  # pixels per plan unit (metre) of the drawn floor plans
CJK_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
]


@dataclass
class Row:
    """One row of stalls made by services.create_stall_row."""

    prefix: str
    first: int
    last: int
    zone: str
    stall_type: str
    x: float
    y: float
    width: float = 3
    height: float = 3
    gap: float = 0


@dataclass
class FairSpec:
    fact: str  # the fair's name in the facts file
    slug: str
    days: int
    start_offset: int | None  # days from today; None: the fair is placed around 7 January
    venue: str
    address: str
    organisers: str
    co_organisers: str
    mountain: list
    coastal: list
    summary: str
    story: list
    status: str
    booking_mode: str
    opens_at: str
    closes_at: str
    plan: tuple
    zones: list  # (name, kind, county name or None)
    stall_types: list  # (name, width, depth, price, power, water, description)
    addons: list  # (kind, name, price)
    rows: list
    blocked: list = field(default_factory=list)
    doors: list = field(default_factory=list)  # x positions of the entrances in the bottom wall
    # (zone name, how many confirmed, how many held); bookings go to demo vendors of the zone's county.
    bookings: list = field(default_factory=list)
    pending: int = 0  # applications still waiting for the organiser
    waitlisted: int = 0
    demo_vendor_self_books: bool = False
    # Visitor registration: ticket types, slot times (every fair day), slot capacity, registrations per slot.
    tickets: list = field(default_factory=list)
    slot_times: list = field(default_factory=list)  # ("09:00", "11:00")
    slot_capacity: int = 0
    visitors_per_slot: int = 0  # registrations (1–4 people each) per slot, as far as they fit
    # One slot cut down by the organiser so it is full with a waiting list (upcoming fairs only).
    full_slot: bool = True
    # Registration opened this many days before the first load (else 20 days before the fair).
    registration_opened_days_ago: int | None = None
    # Paid tickets (the fair's first paid ticket type) registered through the services by visitors without an
    # account, paying by bank transfer: this many, every other one paid (confirmed), the rest held until paid.
    paid_registrations: int = 0


@dataclass
class TicketSpec:
    name: str
    price: str
    capacity: int
    description: str
    per_person_limit: int = 5
    audience: str = "public"
    requires_slot: bool = True
    waitlist: bool = True


QUZHOU_COUNTIES = ["开化县", "常山县", "江山市", "龙游县", "柯城区", "衢江区"]

FAIRS = [
    FairSpec(
        fact="山海协作·衢州名优农产品展销会（宁波鄞州站）",
        slug="quzhou-produce-fair-yinzhou",
        days=3,
        start_offset=10,
        venue="宁波国际会展中心 6 号馆",
        address="宁波市鄞州区会展路 181 号",
        organisers="衢州市山海协作工作领导小组办公室、宁波市鄞州区人民政府",
        co_organisers="衢州市商务局、鄞州区商务局、衢州市农业农村局",
        mountain=["衢江区", "开化县", "常山县", "江山市", "龙游县", "柯城区"],
        coastal=["鄞州区"],
        summary="衢州六县（市、区）的名优农产品走进宁波：县域馆集中展销，另设县域商家专场对接会，"
        "面向机关食堂、商超和社区团购采购商。免费入场，分时段预约。",
        story=[
            "衢江区与鄞州区结对开展山海协作已逾十年。本届展销会按县设馆，椪柑、胡柚、龙顶茶、清水鱼、"
            "发糕、白鹅等一百多种衢州名优农产品集中亮相。",
            "第二天下午举办县域商家专场对接会：机关食堂、商超、社区团购采购商与县域合作社现场洽谈，"
            "意向订单可在山海集市平台按阶梯价下单、对公转账结算。",
        ],
        status="open",
        booking_mode="review",
        opens_at="09:00",
        closes_at="17:00",
        plan=(80, 48),
        zones=[
            ("开化馆", "pavilion", "开化县"),
            ("常山馆", "pavilion", "常山县"),
            ("江山馆", "pavilion", "江山市"),
            ("龙游馆", "pavilion", "龙游县"),
            ("柯城·衢江馆", "pavilion", "衢江区"),
            ("B2B 对接区", "b2b", None),
        ],
        stall_types=[
            ("标准展位", 3, 3, "800.00", False, False, "3×3 米，楣板、射灯、一桌两椅"),
            ("冷链展位", 3, 3, "1200.00", True, False, "带冷柜电源，适合鲜品、水产"),
            ("洽谈桌", 3, 2, "0.00", False, False, "B2B 对接区洽谈桌，由主办方免费提供"),
        ],
        addons=[
            ("power", "加电 3 kW", "150.00"),
            ("table", "加桌", "50.00"),
            ("chair", "加椅", "20.00"),
        ],
        rows=[
            Row("A", 1, 10, "开化馆", "标准展位", 6, 8),
            Row("B", 1, 10, "常山馆", "标准展位", 6, 11),
            Row("C", 1, 10, "江山馆", "标准展位", 42, 8),
            Row("D", 1, 10, "龙游馆", "冷链展位", 42, 11),
            Row("E", 1, 10, "柯城·衢江馆", "标准展位", 6, 26),
            Row("F", 1, 10, "B2B 对接区", "洽谈桌", 42, 27, width=3, height=2, gap=0.5),
        ],
        blocked=["C05", "E10"],
        doors=[20, 60],
        bookings=[
            ("开化馆", 4, 1),
            ("常山馆", 3, 0),
            ("江山馆", 4, 1),
            ("龙游馆", 3, 1),
            ("柯城·衢江馆", 5, 0),
        ],
        pending=2,
        waitlisted=1,
        tickets=[
            TicketSpec("普通入场", "0.00", 1500, "免费入场，分时段预约，凭二维码入场", per_person_limit=4),
        ],
        slot_times=[("09:00", "11:00"), ("11:00", "13:00"), ("13:00", "15:00"), ("15:00", "17:00")],
        slot_capacity=120,
        visitors_per_slot=18,
    ),
    FairSpec(
        fact="味美浙江·百县千碗美食节（衢州站）",
        slug="baixian-qianwan-food-festival-quzhou",
        days=4,
        start_offset=None,
        venue="衢州市民广场",
        address="衢州市柯城区三衢路 1 号",
        organisers="浙江省文化和旅游厅、衢州市人民政府",
        co_organisers="衢州市文化广电旅游局、各县（市、区）人民政府",
        mountain=QUZHOU_COUNTIES,
        coastal=[],
        summary="“百县千碗”美食节衢州站：六县（市、区）的冷菜、点心、热菜按县设街，1 月 7 日百县千碗美食日当天"
        "有名厨现场烹制。免费入场，品鉴专场另行购票。",
        story=[
            "美食节按县设六条美食街，每县二十个摊位：前排为热菜、冷菜摊位（含水电），后排为点心小吃摊位。",
            "摊位先到先得：已入驻山海集市的商家可在展位图上直接选位，按时支付摊位费后确认。",
        ],
        status="open",
        booking_mode="self",
        opens_at="10:00",
        closes_at="21:00",
        plan=(110, 64),
        zones=[
            ("柯城美食街", "food", "柯城区"),
            ("衢江美食街", "food", "衢江区"),
            ("龙游美食街", "food", "龙游县"),
            ("江山美食街", "food", "江山市"),
            ("常山美食街", "food", "常山县"),
            ("开化美食街", "food", "开化县"),
        ],
        stall_types=[
            ("美食摊位", 3, 3, "1200.00", True, True, "热菜、冷菜现场制作，含 5 kW 电源和上下水"),
            ("小吃摊位", 3, 3, "600.00", True, False, "点心小吃，含 2 kW 电源"),
        ],
        addons=[
            ("power", "大功率电源 10 kW", "300.00"),
            ("other", "冷藏柜", "200.00"),
            ("table", "加桌", "50.00"),
        ],
        rows=[
            Row(prefix, first, first + 9, zone, kind, x, y + (0 if first == 1 else 3))
            for prefix, zone, x, y in [
                ("A", "柯城美食街", 6, 10),
                ("B", "衢江美食街", 40, 10),
                ("C", "龙游美食街", 74, 10),
                ("D", "江山美食街", 6, 36),
                ("E", "常山美食街", 40, 36),
                ("F", "开化美食街", 74, 36),
            ]
            for first, kind in [(1, "美食摊位"), (11, "小吃摊位")]
        ],
        blocked=["C20"],
        doors=[30, 80],
        bookings=[
            ("柯城美食街", 3, 1),
            ("衢江美食街", 2, 0),
            ("龙游美食街", 3, 1),
            ("江山美食街", 2, 0),
            ("开化美食街", 3, 0),
        ],
        pending=1,
        demo_vendor_self_books=True,
        tickets=[
            TicketSpec("普通入场", "0.00", 6000, "免费入场，分时段预约，凭二维码入场", per_person_limit=5),
            TicketSpec(
                "名厨品鉴专场",
                "88.00",
                60,
                "1 月 7 日百县千碗美食日 18:00 名厨现场烹制六县代表菜，凭票入席品鉴（每人一份）",
                per_person_limit=2,
                requires_slot=False,
                waitlist=True,
            ),
        ],
        slot_times=[("10:00", "12:00"), ("12:00", "14:00"), ("14:00", "16:00"), ("16:00", "18:00"), ("18:00", "20:00")],
        slot_capacity=300,
        visitors_per_slot=5,
        full_slot=False,
        # Early registration: opened ten days before the first load, although the fair is 1–12 months ahead.
        registration_opened_days_ago=10,
        paid_registrations=6,
    ),
    FairSpec(
        fact="机关食堂消费帮扶市集（省府大院）",
        slug="canteen-market-provincial-offices",
        days=1,
        start_offset=-14,
        venue="省府大院一食堂前广场",
        address="杭州市西湖区省府路 8 号",
        organisers="浙江省机关事务管理局",
        co_organisers="衢州市人民政府驻杭州办事处",
        mountain=QUZHOU_COUNTIES,
        coastal=[],
        summary="机关食堂消费帮扶市集，每周一个山区市：本期衢州专场，午休时段面向机关干部职工开放，摊位免费。",
        story=[
            "市集由机关事务管理局与山区县共同举办，每周一个山区市轮换。干部职工午休时可现场选购，"
            "也可通过本单位食堂在山海集市上统一采购。",
        ],
        status="finished",
        booking_mode="review",
        opens_at="11:30",
        closes_at="13:30",
        plan=(40, 24),
        zones=[("衢州专区", "general", None)],
        stall_types=[("帮扶摊位", 2, 2, "0.00", False, False, "帐篷、桌子由主办方提供")],
        addons=[("power", "电源（冷柜用）", "0.00")],
        rows=[
            Row("M", 1, 6, "衢州专区", "帮扶摊位", 8, 6, width=2, height=2, gap=1),
            Row("M", 7, 12, "衢州专区", "帮扶摊位", 8, 14, width=2, height=2, gap=1),
        ],
        blocked=["M12"],
        doors=[20],
        bookings=[("衢州专区", 9, 0)],
        tickets=[
            TicketSpec(
                "干部职工午间入场",
                "0.00",
                200,
                "限机关食堂采购单位成员，午休时段入场",
                per_person_limit=1,
                audience="canteen",
            ),
        ],
        slot_times=[("11:30", "12:30"), ("12:30", "13:30")],
        slot_capacity=60,
        visitors_per_slot=45,
    ),
]


def load(*, scale, stdout):
    """The fair index page, three fairs, their stalls and bookings; `scale` is not used."""
    tally = Tally("events")
    index = load_fair_index(tally)
    desk, admin = ensure_desk_user(tally), admin_user()
    checkin, checkin_password = ensure_checkin_user(tally)
    fairs = []
    for spec in FAIRS:
        fair = load_fair(index, spec, tally)
        stalls = load_stalls(fair, spec, tally)
        load_bookings(fair, spec, stalls, desk, admin, tally)
        load_registration(fair, spec, checkin, tally)
        fairs.append(fair)
    from . import results as demo_results

    demo_results.load(fairs, admin, tally)  # sales at the past fair's stalls, the series of the three fairs
    from . import agreements as demo_agreements

    demo_agreements.load(fairs, admin, tally)  # purchase agreements signed at the past fair, one partly ordered
    tally.write(stdout)
    write_checkin_login(stdout, checkin, checkin_password)


# --- pages ---------------------------------------------------------------------------------------------------


def load_fair_index(tally):
    from cms.models import HomePage
    from events.models import FairIndexPage

    index = FairIndexPage(
        title="展会活动",
        name_en="Fairs",
        slug="fairs",
        show_in_menus=True,
        intro="山海协作展销会、“百县千碗”美食节和机关食堂消费帮扶市集：山区县的商家在这里申请摊位，"
        "市民在这里预约入场。",
        intro_en="Mountain-sea fairs, the Baixian Qianwan food festival and canteen markets: mountain-county "
        "vendors apply for stalls here, and visitors book their entry.",
        search_description="山海集市的展会活动：展销会、美食节和帮扶市集的时间、地点、展位图和参展商。",
    )
    existing = FairIndexPage.objects.first()
    if existing is not None:
        tally.present("pages")
        fill_english(existing, index)
        return existing
    home = HomePage.objects.first()
    if home is None:
        raise RuntimeError("The events demo needs cms's HomePage: run cms's demo loader first.")
    return ensure_child(home, index, tally)


def fair_dates(spec, today):
    if spec.start_offset is not None:
        start = today + datetime.timedelta(days=spec.start_offset)
    else:
        # Around 7 January (百县千碗美食日), at least a month ahead.
        start = datetime.date(today.year, 1, 5)
        while start < today + datetime.timedelta(days=30):
            start = datetime.date(start.year + 1, 1, 5)
    return start, start + datetime.timedelta(days=spec.days - 1)


def registration_opens(spec, start, today):
    """20 days before the fair, or earlier when the spec says registration opened some days ago."""
    usual = start - datetime.timedelta(days=20)
    if spec.registration_opened_days_ago is None:
        return usual
    return min(usual, today - datetime.timedelta(days=spec.registration_opened_days_ago))


def at(day, hour=0, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def load_fair(index, spec, tally):
    from cms.models import City, County
    from events.models import AddOn, FairPage, FairZone, StallType

    fact = next(f for f in facts()["fairs"] if f["name"] == spec.fact)
    english = dict(FAIRS_EN[spec.slug])
    english["description_en"] = [paragraph(*english.pop("story_en"))]
    fair = index.get_children().filter(slug=spec.slug).specific().first()
    if fair is not None:
        fill_english(fair, FairPage(**english))
    if fair is None:
        today = timezone.localdate()
        start, end = fair_dates(spec, today)
        counties = {c.name: c for c in County.objects.filter(name__in=[*spec.mountain, *spec.coastal])}
        fair = FairPage(
            title=fact["name"],
            slug=spec.slug,
            summary=spec.summary,
            search_description=spec.summary[:150],
            description=[paragraph(*spec.story)],
            start_date=start,
            end_date=end,
            opens_at=spec.opens_at,
            closes_at=spec.closes_at,
            venue=spec.venue,
            address=spec.address,
            host_city=City.objects.get(name=fact["city"]),
            organisers=spec.organisers,
            co_organisers=spec.co_organisers,
            **english,
            floor_plan=floor_plan_image(fact["name"], spec, tally),
            plan_width=spec.plan[0],
            plan_height=spec.plan[1],
            status=spec.status,
            booking_mode=spec.booking_mode,
            applications_open=at(min(start - datetime.timedelta(days=30), today - datetime.timedelta(days=5)), 9),
            applications_close=at(start - datetime.timedelta(days=3), 17),
            registration_opens=at(registration_opens(spec, start, today), 9),
            registration_closes=at(end, 12),
            refund_until=start - datetime.timedelta(days=7),
        )
        fair.zones = [
            FairZone(name=name, name_en=NAMES_EN[name], kind=kind, county=counties.get(county), sort_order=i)
            for i, (name, kind, county) in enumerate(spec.zones)
        ]
        fair.mountain_counties = [counties[n] for n in spec.mountain if n in counties]
        fair.coastal_counties = [counties[n] for n in spec.coastal if n in counties]
        fair = ensure_child(index, fair, tally)
    else:
        tally.present("pages")
    types = {t.name: t for t in StallType.objects.filter(fair=fair)}
    for name, width, depth, price, power, water, description in spec.stall_types:
        if name in types:
            tally.present("stall types")
            continue
        types[name] = StallType.objects.create(
            fair=fair,
            name=name,
            name_en=NAMES_EN[name],
            width_m=Decimal(width),
            depth_m=Decimal(depth),
            price=Decimal(price),
            includes_power=power,
            includes_water=water,
            description=description,
            description_en=DESCRIPTIONS_EN[description],
        )
        tally.created("stall types")
    addons = set(AddOn.objects.filter(fair=fair).values_list("name", flat=True))
    for kind, name, price in spec.addons:
        if name in addons:
            tally.present("add-ons")
        else:
            AddOn.objects.create(fair=fair, kind=kind, name=name, name_en=NAMES_EN[name], price=Decimal(price))
            tally.created("add-ons")
    fill_row_english(fair)
    return fair


def fill_row_english(fair):
    """Zones, stall types and add-ons made by an older demo get their English names (where still empty)."""
    from events.models import AddOn, FairZone, StallType

    for model in (FairZone, StallType, AddOn):
        rows = model.objects.filter(name_en="", name__in=NAMES_EN)
        rows = rows.filter(page=fair) if model is FairZone else rows.filter(fair=fair)
        for row in rows:
            row.name_en = NAMES_EN[row.name]
            if model is StallType and not row.description_en:
                row.description_en = DESCRIPTIONS_EN.get(row.description, "")
            row.save()


# --- stalls ---------------------------------------------------------------------------------------------------


def load_stalls(fair, spec, tally):
    """{code: Stall}: rows made with the bulk service where their first stall is missing; blocked stalls marked."""
    from events.models import FairZone, Stall, StallType
    from events.stalls.services import create_stall_row

    existing = set(Stall.objects.filter(fair=fair).values_list("code", flat=True))
    types = {t.name: t for t in StallType.objects.filter(fair=fair)}
    zones = {z.name: z for z in FairZone.objects.filter(page=fair)}
    for row in spec.rows:
        if f"{row.prefix}{row.first:02d}" in existing:
            tally.present("stalls", row.last - row.first + 1)
            continue
        made = create_stall_row(
            fair=fair,
            prefix=row.prefix,
            first=row.first,
            last=row.last,
            stall_type=types[row.stall_type],
            zone=zones[row.zone],
            x=row.x,
            y=row.y,
            width=row.width,
            height=row.height,
            gap=row.gap,
        )
        tally.created("stalls", len(made))
    stalls = {s.code: s for s in Stall.objects.filter(fair=fair).select_related("zone", "stall_type")}
    for code in spec.blocked:
        stall = stalls[code]
        if not stall.blocked and not existing:  # only on the first load: staff may unblock it later
            stall.blocked = True
            stall.save(update_fields=["blocked"])
            tally.updated("blocked stalls")
    return stalls


# --- the floor plan -----------------------------------------------------------------------------------------------


def cjk_font(size):
    """A font that can draw Chinese, or None (the plan is then drawn without labels)."""
    for path in CJK_FONTS:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return None


def draw_floor_plan(spec, scale=None):
    """The hall as a PNG: floor, walls with entrances, stand areas and aisles, and zone labels if a font is found."""
    scale = scale or PLAN_SCALE
    width, height = spec.plan
    picture = PILImage.new("RGB", (width * scale, height * scale), (244, 241, 233))
    draw = ImageDraw.Draw(picture)

    def box(x0, y0, x1, y1):
        return [x0 * scale, y0 * scale, x1 * scale, y1 * scale]

    wall = max(2, scale // 2)
    # Aisles: a lighter floor with a dashed centre line between the stand areas.
    draw.rectangle(box(2, 2, width - 2, height - 2), fill=(250, 248, 242))
    zones = {}
    for row in spec.rows:
        count = row.last - row.first + 1
        length = count * row.width + (count - 1) * row.gap
        x0, y0, x1, y1 = row.x - 0.5, row.y - 0.5, row.x + length + 0.5, row.y + row.height + 0.5
        draw.rectangle(box(x0, y0, x1, y1), fill=(226, 218, 200))
        z = zones.setdefault(row.zone, [x0, y0, x1, y1])
        zones[row.zone] = [min(z[0], x0), min(z[1], y0), max(z[2], x1), max(z[3], y1)]
    tops = sorted({round(z[1]) for z in zones.values()})
    bottoms = sorted({round(z[3]) for z in zones.values()})
    for y in [(b + t) / 2 for b, t in zip(bottoms, tops[1:], strict=False) if t > b] + [height - 4]:
        for x in range(4, width - 4, 3):
            draw.line(box(x, y, x + 1.5, y), fill=(205, 196, 176), width=max(1, scale // 5))
    # Walls, with the entrances left open in the bottom wall.
    draw.rectangle(box(1, 1, width - 1, height - 1), outline=(90, 84, 74), width=wall)
    for door in spec.doors:
        draw.rectangle(box(door - 3, height - 1.5, door + 3, height - 0.5), fill=(250, 248, 242))
    font = cjk_font(max(10, int(scale * 1.6)))
    if font is not None:
        for name, (x0, y0, x1, _y1) in zones.items():
            draw.text(((x0 + x1) / 2 * scale, (y0 - 0.6) * scale), name, fill=(120, 60, 40), font=font, anchor="md")
        small = cjk_font(max(8, int(scale * 1.1)))
        for door in spec.doors:
            draw.text((door * scale, (height - 2) * scale), "入口", fill=(90, 84, 74), font=small, anchor="md")
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def floor_plan_image(fair_title, spec, tally):
    image_model = get_image_model()
    title = f"展位平面图 · {fair_title}"
    image = image_model.objects.filter(title=title).order_by("pk").first()
    if image is not None:
        tally.present("floor plans")
        return image
    data = draw_floor_plan(spec)
    image = image_model(
        title=title,
        description=f"{fair_title}的展位平面图",
        file_size=len(data),
        file_hash=hash_filelike(io.BytesIO(data)),
    )
    image.file = ImageFile(io.BytesIO(data), name=f"floor-plan-{spec.slug}.png")
    image.save()
    tally.created("floor plans")
    return image


# --- bookings -----------------------------------------------------------------------------------------------------


def ensure_desk_user(tally):
    """The organisers' desk, which enters the applications county delegations hand in; no e-mail, no login."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=DESK_USERNAME).first()
    if user is not None:
        tally.present("users")
        return user
    user = user_model(username=DESK_USERNAME, first_name="会务组", last_name="")
    user.set_unusable_password()
    user.save()
    tally.created("users")
    return user


def admin_user():
    from cms.demo.site import ADMIN_USERNAME

    user_model = get_user_model()
    return (
        user_model.objects.filter(username=ADMIN_USERNAME).first()
        or user_model.objects.filter(is_superuser=True).order_by("pk").first()
    )


def load_bookings(fair, spec, stalls, desk, admin, tally):
    """Applications and bookings for the demo vendors, through the services; only for vendors without one here."""
    from events.models import StallApplication, StallBooking
    from events.stalls import services
    from marketplace.checkout.services import record_bank_transfer
    from marketplace.demo.data import VENDOR_LOGIN_VENDOR, VENDORS
    from marketplace.models import VendorPage

    done = set(StallApplication.objects.filter(fair=fair).values_list("vendor_id", flat=True))
    done |= set(StallBooking.objects.filter(fair=fair).values_list("vendor_id", flat=True))
    titles = [v["title"] for v in VENDORS.values()]
    vendors = list(VendorPage.objects.filter(title__in=titles).select_related("county").order_by("pk"))
    login_vendor = next((v for v in vendors if v.title == VENDORS[VENDOR_LOGIN_VENDOR]["title"]), None)
    if done:
        tally.present("stall applications", len(done))
        return
    taken = set()
    used = set()
    if login_vendor is not None:
        used.add(login_vendor.pk)  # kept for the vendor login's own self-booking below

    def free_stalls(zone_name):
        return [
            s
            for code, s in sorted(stalls.items())
            if s.zone and s.zone.name == zone_name and not s.blocked and code not in taken
        ]

    def application(vendor):
        used.add(vendor.pk)
        return StallApplication.objects.create(
            fair=fair,
            vendor=vendor,
            applicant=desk,
            stall_type=None,
            product_note="由县商务局统一报名",
            needs_power=vendor.kind == "restaurant",
        )

    county_of_zone = {name: county for name, _kind, county in spec.zones}
    received = timezone.localdate() - datetime.timedelta(days=1)
    for zone_name, confirmed, held in spec.bookings:
        county = county_of_zone.get(zone_name)
        pool = [v for v in vendors if v.pk not in used and (county is None or v.county.name == county)]
        if county == "衢江区":  # the 柯城·衢江 pavilion takes both districts
            pool += [v for v in vendors if v.pk not in used and v.county.name == "柯城区"]
        if county is None:  # a general zone: Quzhou's vendors first
            pool.sort(key=lambda v: (v.county.city.name != "衢州市", v.pk))
        free = free_stalls(zone_name)
        spread = free[::2] + free[1::2]  # every other stall first, so the map shows a mix
        for i, vendor in enumerate(pool[: confirmed + held]):
            stall = spread[i]
            taken.add(stall.code)
            booking = services.approve(application(vendor), stall=stall, user=admin)
            if i < confirmed and booking.order is not None:
                record_bank_transfer(
                    booking.order,
                    amount=booking.order.total,
                    received_on=received,
                    bank_reference=f"DEMO{booking.order.pk:08d}",
                    user=admin,
                )
            tally.created("stall bookings")
    rest = [v for v in vendors if v.pk not in used and v.county.city.name == "衢州市"]
    for i, vendor in enumerate(rest[: spec.pending + spec.waitlisted]):
        app = application(vendor)
        if i >= spec.pending:
            services.waitlist(app, user=admin)
        tally.created("stall applications")
    if spec.demo_vendor_self_books and login_vendor is not None:
        load_self_booking(fair, login_vendor, free_stalls, tally)


def load_self_booking(fair, vendor, free_stalls, tally):
    """The vendor login's co-op books a stall on its own street; the fee is left to pay (a held stall)."""
    from events.models import FairZone
    from events.stalls import services
    from marketplace.models import VendorMember

    member = VendorMember.objects.filter(vendor=vendor).select_related("user").first()
    zone = FairZone.objects.filter(page=fair, county=vendor.county).first()
    if member is None or zone is None or fair.status != fair.Status.OPEN:
        return
    free = free_stalls(zone.name)
    if not free:
        return
    try:
        services.self_book(fair=fair, vendor=vendor, user=member.user, stall=free[0])
    except DomainError:
        return  # e.g. outside the application window: the demo goes on without it
    tally.created("stall bookings")


# --- visitor registration -----------------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林郑汪"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "建华",
    "晓东",
]


def ensure_checkin_user(tally):
    """The door staff's login: no admin access, the check-in role at every demo fair. Returns (user, password or
    None when the account existed already)."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=CHECKIN_USERNAME).first()
    if user is not None:
        tally.present("users")
        return user, None
    password = os.environ.get("DEMO_CHECKIN_PASSWORD") or DEFAULT_CHECKIN_PASSWORD
    user = user_model.objects.create_user(CHECKIN_USERNAME, "", password, first_name="检票员")
    tally.created("users")
    return user, password


def write_checkin_login(stdout, user, password):
    from events.models import FairPage

    fair = FairPage.objects.filter(checkin_staff__user=user, status=FairPage.Status.OPEN).order_by("start_date").first()
    where = f"/login/ then {fair.url}checkin/" if fair is not None and fair.url else "/login/ then <fair>/checkin/"
    if password:
        stdout.write(f"Check-in login: {where}  username: {CHECKIN_USERNAME}  password: {password}")
    else:
        stdout.write(f"Check-in login: {where}  username: {CHECKIN_USERNAME}  (existing account, password unchanged)")


def _hm(text):
    hour, minute = text.split(":")
    return datetime.time(int(hour), int(minute))


def load_registration(fair, spec, checkin, tally):
    """Ticket types, slots (bulk service), registrations with consistent counters, check-ins; the check-in role."""
    from events.models import Registration, TicketType, TimeSlot
    from events.registration import services as ticketing

    types = {t.name: t for t in TicketType.objects.filter(fair=fair)}
    for t in spec.tickets:
        if t.name in types:
            tally.present("ticket types")
            existing = types[t.name]
            if not existing.name_en:
                existing.name_en = NAMES_EN[t.name]
                existing.description_en = existing.description_en or DESCRIPTIONS_EN.get(existing.description, "")
                existing.save(update_fields=["name_en", "description_en"])
            continue
        types[t.name] = TicketType.objects.create(
            fair=fair,
            name=t.name,
            name_en=NAMES_EN[t.name],
            price=Decimal(t.price),
            capacity=t.capacity,
            description=t.description,
            description_en=DESCRIPTIONS_EN[t.description],
            per_person_limit=t.per_person_limit,
            audience=t.audience,
            requires_slot=t.requires_slot,
            waitlist=t.waitlist,
        )
        tally.created("ticket types")
    if spec.slot_times:
        existing = TimeSlot.objects.filter(fair=fair).count()
        if existing:
            tally.present("time slots", existing)
        else:
            made = ticketing.create_slots(
                fair=fair,
                days=ticketing.fair_days(fair),
                times=[(_hm(a), _hm(b)) for a, b in spec.slot_times],
                capacity=spec.slot_capacity,
            )
            tally.created("time slots", len(made))
    if not ticketing.can_check_in(checkin, fair):
        ticketing.grant_checkin_role(fair, checkin)
        tally.created("check-in roles")
    else:
        tally.present("check-in roles")
    registered = Registration.objects.filter(fair=fair).count()
    if registered:
        tally.present("registrations", registered)
        return
    if spec.visitors_per_slot and spec.tickets:
        made = load_registrations(fair, spec, types[spec.tickets[0].name], checkin)
        tally.created("registrations", made)
    paid = next((types[t.name] for t in spec.tickets if Decimal(t.price) > 0), None)
    if spec.paid_registrations and paid is not None:
        tally.created("paid registrations", load_paid_registrations(fair, spec, paid))


def load_registrations(fair, spec, ticket_type, checkin):
    """Registrations for every slot of the fair, written in bulk, then the counters set from them."""
    from events.models import Attendee, CheckIn, Registration, TimeSlot
    from events.registration import services as ticketing

    S = Registration.Status
    rng = random.Random(spec.slug)
    now = timezone.now()
    slots = list(TimeSlot.objects.filter(fair=fair).order_by("date", "starts_at"))
    past = fair.end_date < timezone.localdate()
    popular = slots[1] if len(slots) > 1 and not past and spec.full_slot else None
    if popular is not None:
        # The organiser cut this one down: it fills up and has a waiting list.
        ticketing.set_slot_capacity(popular, 30)
    opens = fair.registration_opens or at(fair.start_date - datetime.timedelta(days=20), 9)
    registrations = []
    for slot in slots:
        taken = 0
        count = spec.visitors_per_slot * (2 if slot is popular else 1)
        latest = min(now, slot.start_datetime())
        for i in range(count):
            people = min(rng.choice([1, 1, 2, 2, 2, 3, 4]), ticket_type.per_person_limit)
            created = opens + (latest - opens) * rng.random()
            if taken + people > slot.capacity:
                if slot is not popular:
                    continue
                status = S.WAITLISTED
            elif i % 17 == 16:
                status = S.CANCELLED
            else:
                status = S.CONFIRMED
                taken += people
            registrations.append(
                Registration(
                    fair=fair,
                    ticket_type=ticket_type,
                    slot=slot,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                    people=people,
                    status=status,
                    created_at=created,
                    confirmed_at=created if status != S.WAITLISTED else None,
                    ended_at=created + datetime.timedelta(hours=5) if status == S.CANCELLED else None,
                )
            )
    registrations.sort(key=lambda r: r.created_at)  # the waiting list is first come, first served
    Registration.objects.bulk_create(registrations)
    made = list(Registration.objects.filter(fair=fair).select_related("slot"))
    attendees = [
        Attendee(registration=r, name=r.name if n == 0 else rng.choice(SURNAMES) + rng.choice(GIVEN))
        for r in made
        if r.people > 1 and r.pk % 3 == 0
        for n in range(r.people)
    ]
    Attendee.objects.bulk_create(attendees)
    if past:
        CheckIn.objects.bulk_create(
            [
                CheckIn(
                    registration=r,
                    fair=fair,
                    slot=r.slot,
                    day=r.slot.date,
                    people=r.people,
                    at=r.slot.start_datetime() + datetime.timedelta(minutes=rng.randrange(-20, 50)),
                    by=checkin,
                )
                for r in made
                if r.status == S.CONFIRMED and rng.random() < 0.8
            ]
        )
    ticketing.recount_places(fair)
    return len(made)


def load_paid_registrations(fair, spec, ticket_type):
    """Paid tickets bought without an account, through the services as a visitor would (the fair's registration
    window is open), paying by bank transfer: every other one's transfer is recorded by the admin, so it is
    confirmed; the others are held with their guest order until paid (or released when the order expires).
    No e-mail address is given, so no mail goes out. Returns how many were registered."""
    from events.registration import services as ticketing
    from marketplace.checkout import services as checkout
    from marketplace.checkout.models import PaymentMethod

    if PaymentMethod.BANK_TRANSFER not in checkout.allowed_payment_methods():
        return 0
    rng = random.Random(f"{spec.slug}/paid")
    admin = admin_user()
    made = 0
    for i in range(spec.paid_registrations):
        try:
            reg = ticketing.register(
                fair=fair,
                request=ticketing.RegistrationRequest(
                    ticket_type=ticket_type,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                    people=min(rng.choice([1, 2, 2]), ticket_type.per_person_limit),
                    join_waitlist=False,
                    payment_method=PaymentMethod.BANK_TRANSFER,
                ),
            )
        except DomainError:
            break  # sold out or closed: the demo has what fits
        made += 1
        if i % 2 == 0 and admin is not None and reg.order is not None:
            checkout.record_bank_transfer(
                reg.order,
                amount=reg.order.total,
                received_on=timezone.localdate(),
                bank_reference=f"DEMO-{reg.order.payment_reference}",
                user=admin,
            )
    return made
