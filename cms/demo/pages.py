"""The demo page tree: home page as the default site's root, news, campaigns, about and help pages.

Pages are created when missing (found by slug under their parent) and otherwise left as they are,
so a re-run neither republishes unchanged pages nor overwrites what an editor has changed.
"""

import datetime

from django.conf import settings
from wagtail.models import Page, Site

from cms.models import (
    CampaignPage,
    CampaignRelatedPage,
    City,
    County,
    HomePage,
    Mark,
    MountainSeaPair,
    NewsArticlePage,
    NewsIndexPage,
    StandardPage,
)

from .support import fill_english

# --- StreamField values in Wagtail's raw JSON form ---------------------------------------------------------


def heading(text, level="h2"):
    return {"type": "heading", "value": {"text": text, "level": level}}


def paragraph(*texts):
    return {"type": "paragraph", "value": "".join(f"<p>{text}</p>" for text in texts)}


def bullet_list(*items):
    return {"type": "paragraph", "value": "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"}


def image_block(image, caption=""):
    return {"type": "image", "value": {"image": image.pk, "caption": caption}}


def quote(text, attribution=""):
    return {"type": "quote", "value": {"text": text, "attribution": attribution}}


def facts_block(*figures):
    """Facts as (figure, label) or, in a stream shared by both languages, (figure, label, figure_en, label_en)."""
    keys = ("figure", "label", "figure_en", "label_en")
    return {"type": "facts", "value": {"facts": [dict(zip(keys, fact, strict=False)) for fact in figures]}}


def call_to_action(label, page=None, url="", label_en=""):
    value = {"label": label, "label_en": label_en, "page": page.pk if page else None, "url": url}
    return {"type": "call_to_action", "value": value}


# --- content -------------------------------------------------------------------------------------------------


def news_articles(images):
    """Notices as the organisers would publish them: (slug, fields)."""
    return [
        (
            "quzhou-produce-fair-yinzhou",
            {
                "title": "山海协作·衢州名优农产品展销会（宁波鄞州站）圆满落幕",
                "name_en": "Quzhou produce fair in Yinzhou, Ningbo, closes after three busy days",
                "date": datetime.date(2026, 11, 18),
                "source": "衢州市农业农村局",
                "source_en": "Quzhou Bureau of Agriculture and Rural Affairs",
                "summary_en": "Sixty stalls over three days: the six counties of Quzhou each had a pavilion, and a "
                "matchmaking session brought canteen and supermarket buyers to talk with county vendors.",
                "summary": "为期三天的展销会设60个展位，衢州六县（市、区）县域馆集中亮相，"
                "县域商家专场对接会吸引机关食堂和商超采购方现场洽谈。",
                "image": images["fair"],
                "body": [
                    paragraph(
                        "11月14日至16日，山海协作·衢州名优农产品展销会在宁波市鄞州区举行。"
                        "展销会设60个展位，柯城、衢江、龙游、江山、常山、开化六个县（市、区）分设县域馆，"
                        "集中展示椪柑、胡柚、龙游发糕、开化龙顶等名优农产品。",
                        "展会期间举办县域商家专场对接会，鄞州区机关食堂、学校食堂和本地商超采购负责人"
                        "与衢州县域商家面对面洽谈，现场达成多项长期供货意向。",
                    ),
                    image_block(images["fair"], "展销会现场（示意图）"),
                    facts_block(("3天", "展销时间"), ("60个", "展位"), ("6个", "县域馆")),
                    heading("山海协作再添新渠道"),
                    paragraph(
                        "衢江区与鄞州区自2012年起结对开展山海协作。此次展销会实行免费预约、分时段入场，"
                        "市民可在山海集市平台报名领取入场二维码。"
                    ),
                    quote("把山区的好产品送到海边的餐桌上，是山海协作最实在的成果。", "衢州市农业农村局相关负责人"),
                ],
                "body_en": [
                    paragraph(
                        "From 14 to 16 November the Mountain-Sea Cooperation fair of Quzhou's best produce was held "
                        "in Yinzhou District, Ningbo. Its 60 stalls included a pavilion for each of Kecheng, Qujiang, "
                        "Longyou, Jiangshan, Changshan and Kaihua, showing ponkan mandarins, Changshan huyou, Longyou "
                        "rice cakes, Kaihua Longding tea and more.",
                        "A matchmaking session put the buyers of Yinzhou's government canteens, school canteens and "
                        "supermarkets face to face with Quzhou's county vendors; several long-term supply agreements "
                        "were agreed on the spot.",
                    ),
                    image_block(images["fair"], "The fair (illustration)"),
                    facts_block(("3", "days"), ("60", "stalls"), ("6", "county pavilions")),
                    heading("A new channel for mountain-sea cooperation"),
                    paragraph(
                        "Qujiang and Yinzhou have been paired under Mountain-Sea "
                        "Cooperation since 2012. Entry was free "
                        "with a booked time slot; visitors registered on Shanhai Market for their QR ticket."
                    ),
                    quote(
                        "Bringing the good produce of the mountains to tables by the sea is the most practical result "
                        "of mountain-sea cooperation.",
                        "Quzhou Bureau of Agriculture and Rural Affairs",
                    ),
                ],
            },
        ),
        (
            "changshan-huyou-gongshu-canteens",
            {
                "title": "常山胡柚走进拱墅机关食堂 山海协作结对再添消费帮扶新渠道",
                "name_en": "Changshan huyou reaches Gongshu's government canteens",
                "date": datetime.date(2026, 10, 28),
                "source": "常山县农业农村局",
                "source_en": "Changshan County Bureau of Agriculture and Rural Affairs",
                "summary_en": "Changshan and its partner district Gongshu in Hangzhou signed a "
                "direct-supply agreement: "
                "Changshan huyou, huyou paste and camellia oil will be delivered to Gongshu's canteens every month.",
                "summary": "常山县与结对的杭州市拱墅区签订农产品直供协议，常山胡柚、胡柚膏、山茶油"
                "将定期配送至拱墅区多家机关单位食堂。",
                "image": images["quzhou_hills"],
                "body": [
                    paragraph(
                        "近日，常山县与山海协作结对的拱墅区签订农产品直供协议。根据协议，常山胡柚、胡柚膏、"
                        "常山山茶油等产品将按月配送至拱墅区机关单位食堂，食堂可按配送日期批量下单，"
                        "通过对公转账结算并开具发票。",
                        "常山胡柚是国家地理标志产品，也是“三衢味”区域公用品牌的授权产品。",
                    ),
                    heading("食堂下单更便捷"),
                    bullet_list(
                        "按阶梯价格批量采购，指定配送日期",
                        "支持对公转账，按单开具增值税普通发票或专用发票",
                        "年度消费帮扶采购份额随时可查",
                    ),
                ],
                "body_en": [
                    paragraph(
                        "Changshan County has signed a direct-supply agreement with its mountain-sea partner, Gongshu "
                        "District. Changshan huyou, huyou paste and Changshan camellia oil "
                        "will be delivered monthly to "
                        "Gongshu's government canteens, which order in bulk for a delivery date, pay by bank transfer "
                        "and receive an invoice.",
                        "Changshan huyou is a national geographical-indication product and carries the Sanquwei "
                        "regional brand.",
                    ),
                    heading("Easier ordering for canteens"),
                    bullet_list(
                        "Bulk orders at tier prices, for a chosen delivery date",
                        "Bank transfer, with an ordinary or special VAT invoice per order",
                        "The year's share of support purchasing, always up to date",
                    ),
                ],
            },
        ),
        (
            "baixian-qianwan-food-festival-quzhou-call",
            {
                "title": "味美浙江·百县千碗美食节（衢州站）参展商家招募公告",
                "name_en": "Call for exhibitors: Hundred Counties, Thousand Bowls food festival in Quzhou",
                "date": datetime.date(2026, 11, 5),
                "source": "衢州市文化广电旅游局",
                "source_en": "Quzhou Bureau of Culture, Radio, Television and Tourism",
                "summary_en": "A four-day festival with 120 stalls, laid out by county for cold dishes, snacks and hot "
                "dishes, is looking for Baixian Qianwan restaurants and county food businesses to exhibit.",
                "summary": "美食节为期四天，设120个展位，按县域分区展示冷菜、点心、热菜，"
                "现面向“百县千碗”体验店、旗舰店及县域特色餐饮商家招募参展。",
                "image": images["bowls"],
                "body": [
                    paragraph(
                        "为展示衢州“百县千碗”美食文化，味美浙江·百县千碗美食节（衢州站）将于近期举办。"
                        "美食节为期四天，设120个展位，普通入场免费，另设付费品鉴场次。"
                    ),
                    heading("招募对象"),
                    bullet_list(
                        "获评“百县千碗”体验店、旗舰店的餐饮商家",
                        "衢州兔头、鸭头、烤饼、龙游发糕、开化青蛳等特色菜品经营者",
                        "持有食品经营许可证、可现场制作或供应预包装产品的县域商家",
                    ),
                    heading("报名方式"),
                    paragraph("商家可在山海集市平台提交展位申请，经组委会审核后确认展位并缴纳展位费。"),
                    facts_block(("4天", "美食节"), ("120个", "展位"), ("1月7日", "百县千碗美食日")),
                ],
                "body_en": [
                    paragraph(
                        "To show Quzhou's Hundred Counties, Thousand Bowls food culture, the Tasty Zhejiang food "
                        "festival comes to Quzhou for four days with 120 stalls. Entry is free; tasting sessions are "
                        "ticketed."
                    ),
                    heading("Who may apply"),
                    bullet_list(
                        "Restaurants recognised as Baixian Qianwan experience or flagship stores",
                        "Makers of Quzhou rabbit head, duck head, baked cakes, Longyou rice cakes, Kaihua river snails "
                        "and other local dishes",
                        "County food businesses with a food licence who cook on site or sell packaged food",
                    ),
                    heading("How to apply"),
                    paragraph(
                        "Apply for a stall on Shanhai Market; once the organisers approve it, the stall is confirmed "
                        "when its fee is paid."
                    ),
                    facts_block(("4", "festival days"), ("120", "stalls"), ("7 January", "Baixian Qianwan food day")),
                ],
            },
        ),
        (
            "canteen-market-weekly",
            {
                "title": "机关食堂消费帮扶市集每周开市 山区县农产品直达午餐时段",
                "name_en": "A weekly canteen market brings mountain-county produce to the lunch break",
                "date": datetime.date(2026, 9, 15),
                "source": "浙江省机关事务管理局",
                "source_en": "Zhejiang Government Offices Administration",
                "summary_en": "Twelve stalls in the provincial government compound, with one "
                "mountain county taking its "
                "turn each week; staff can shop during their lunch break.",
                "summary": "消费帮扶市集在省府大院设12个摊位，每周由一个山区县（市、区）轮值，"
                "干部职工可在午休时段选购。",
                "image": images["terraces"],
                "body": [
                    paragraph(
                        "为落实预算单位食堂采购中预留不低于10%份额用于采购帮扶地区农产品的要求，"
                        "机关食堂消费帮扶市集自9月起每周开市一次，每次由一个山区县（市、区）轮值。",
                        "市集设12个摊位，仅限机关干部职工在午休时段入场，可在山海集市平台预约时段。",
                    ),
                    image_block(images["terraces"], "山区县梯田（示意图）"),
                ],
                "body_en": [
                    paragraph(
                        "Budget units are asked to spend at least 10% of their canteen purchasing on produce from the "
                        "areas they support. Since September a canteen market opens once a week, each time hosted by "
                        "one mountain county.",
                        "It has 12 stalls and is open to government staff during the lunch break; time slots are "
                        "booked on Shanhai Market.",
                    ),
                    image_block(images["terraces"], "Terraced fields in a mountain county (illustration)"),
                ],
            },
        ),
        (
            "sanquwei-new-authorised-products",
            {
                "title": "“三衢味”区域公用品牌公布新一批授权产品",
                "name_en": "Sanquwei regional brand names its newly authorised products",
                "date": datetime.date(2026, 8, 20),
                "source": "衢州市供销合作社",
                "source_en": "Quzhou Supply and Marketing Cooperative",
                "summary_en": "Qujiang Yipinhong ponkan, Jiangshan honey, Changshan camellia "
                "oil and more may now carry "
                "the Sanquwei mark on their packaging and product pages.",
                "summary": "衢江区一品红椪柑、江山蜂蜜、常山山茶油等产品获“三衢味”品牌授权，"
                "授权产品可在包装和平台商品页上使用品牌标识。",
                "image": images["harbour"],
                "body": [
                    paragraph(
                        "“三衢味”是衢州市全域全品类农产品区域公用品牌，企业按产品逐一申请授权。"
                        "本批授权产品包括衢江区一品红椪柑、江山蜂蜜、江山猕猴桃、常山山茶油、胡柚膏等。",
                        "获授权产品在山海集市平台上将显示“三衢味”标识，消费者可按品牌筛选选购。",
                    ),
                ],
                "body_en": [
                    paragraph(
                        "Sanquwei is Quzhou's regional public brand for all its farm produce; businesses apply for it "
                        "product by product. This round includes Qujiang Yipinhong ponkan, Jiangshan honey, Jiangshan "
                        "kiwifruit, Changshan camellia oil and huyou paste.",
                        "On Shanhai Market these products show the Sanquwei mark, and buyers can filter by brand.",
                    ),
                ],
            },
        ),
    ]


def campaigns(images, articles):
    return [
        (
            "baixian-qianwan",
            {
                "title": "味美浙江·百县千碗",
                "name_en": "Tasty Zhejiang: Hundred Counties, Thousand Bowls",
                "kind": CampaignPage.Kind.BAIXIAN_QIANWAN,
                "subtitle": "一县一桌好菜，品味浙江百县千碗",
                "subtitle_en": "A table of good dishes from every county of Zhejiang",
                "start_date": datetime.date(2018, 1, 1),
                "end_date": None,
                "image": images["bowls"],
                "search_description": "味美浙江·百县千碗美食文化推广：体验店、旗舰店、美食街区和各县特色菜品。",
                "body": [
                    paragraph(
                        "“百县千碗”是浙江省自2018年起开展的美食文化推广活动，各县（市、区）梳理本地冷菜、"
                        "点心、热菜标准，认定“百县千碗”体验店、旗舰店和美食街区（镇）。",
                        "在山海集市，您可以找到衢州兔头、龙游发糕、开化青蛳、缙云烧饼等县域名菜和它们的店家。",
                    ),
                    image_block(images["bowls"], "百县千碗（示意图）"),
                    facts_block(("2018年", "启动"), ("1月7日", "百县千碗美食日"), ("3类", "冷菜·点心·热菜")),
                ],
                "body_en": [
                    paragraph(
                        "Hundred Counties, Thousand Bowls (Baixian Qianwan) is Zhejiang's food-culture campaign, run "
                        "since 2018: every county sets out its own cold dishes, snacks and hot dishes, and recognises "
                        "experience stores, flagship stores and food streets.",
                        "On Shanhai Market you will find county dishes such as Quzhou rabbit head, Longyou rice cake, "
                        "Kaihua river snails and Jinyun baked cakes, and the places that make them.",
                    ),
                    image_block(images["bowls"], "Hundred counties, thousand bowls (illustration)"),
                    facts_block(
                        ("2018", "launched"), ("7 January", "Baixian Qianwan food day"), ("3", "kinds of dish")
                    ),
                ],
                "related": [articles["baixian-qianwan-food-festival-quzhou-call"]],
            },
        ),
        (
            "shanhai-xiezuo",
            {
                "title": "山海协作·消费帮扶行动",
                "name_en": "Mountain-Sea Cooperation: buying to support",
                "kind": CampaignPage.Kind.SHANHAI,
                "subtitle": "沿海区县采购山区好物，共建共富",
                "subtitle_en": "Coastal districts buy the good things of the mountains, for shared prosperity",
                "start_date": datetime.date(2026, 1, 1),
                "end_date": datetime.date(2026, 12, 31),
                "image": images["hero"],
                "search_description": "山海协作结对区县之间的农产品展销、食堂采购和消费帮扶。",
                "body": [
                    paragraph(
                        "山海协作是浙江推动山区县与沿海发达区县结对发展的重要举措。"
                        "结对的沿海区县为山区县举办展销会、组织机关和企业食堂采购，帮助山区好物走出大山。",
                    ),
                    heading("结对区县"),
                    bullet_list(
                        *(
                            f"{pair.mountain_county.name} ↔ {pair.coastal_county.name}"
                            for pair in MountainSeaPair.objects.select_related("mountain_county", "coastal_county")
                        )
                    ),
                    quote("山海协作，让山区的好产品有好销路。"),
                ],
                "body_en": [
                    paragraph(
                        "Mountain-Sea Cooperation pairs Zhejiang's mountain counties with "
                        "prosperous coastal districts. "
                        "The coastal partners host fairs for the mountain counties and organise purchasing by "
                        "government and company canteens, helping mountain produce find its market."
                    ),
                    heading("Paired counties and districts"),
                    bullet_list(
                        *(
                            f"{pair.mountain_county.name_en or pair.mountain_county.name} ↔ "
                            f"{pair.coastal_county.name_en or pair.coastal_county.name}"
                            for pair in MountainSeaPair.objects.select_related("mountain_county", "coastal_county")
                        )
                    ),
                    quote("Mountain-sea cooperation: good produce from the mountains deserves good markets."),
                ],
                "related": [articles["quzhou-produce-fair-yinzhou"], articles["changshan-huyou-gongshu-canteens"]],
            },
        ),
    ]


def standard_pages(images):
    return [
        (
            "about",
            {
                "title": "关于我们",
                "name_en": "About us",
                "intro": "山海集市是服务浙江“百县千碗”美食文化推广和山海协作消费帮扶的线上集市与展会平台。",
                "intro_en": "Shanhai Market is the online market and fair platform for Zhejiang's Hundred Counties, "
                "Thousand Bowls food campaign and for Mountain-Sea Cooperation purchasing.",
                "body": [
                    paragraph(
                        "我们连接山区县域商家与沿海城市的市民、机关和企业食堂：商家在这里展示产品、接收订单、"
                        "申请展会摊位；市民在这里按县域、品类和品牌选购好物，报名参加展销会；"
                        "食堂在这里按阶梯价格批量采购，对公转账、开具发票。",
                    ),
                    image_block(images["quzhou_hills"], "衢州青山绿水（示意图）"),
                    facts_block(
                        (f"{City.objects.count()}个", "地市"),
                        (f"{County.objects.count()}个", "县（市、区）"),
                        (f"{MountainSeaPair.objects.count()}对", "山海协作结对"),
                        (f"{Mark.objects.count()}个", "品牌与认证"),
                    ),
                    heading("联系我们"),
                    paragraph("平台运营中心位于浙江省衢州市，工作日9:00–17:30提供咨询服务。"),
                ],
                "body_en": [
                    paragraph(
                        "We connect mountain-county businesses with the people, government canteens and company "
                        "canteens of Zhejiang's coastal cities. Vendors show their products, receive orders and apply "
                        "for fair stalls; buyers shop by county, category and brand and register for fairs; canteens "
                        "buy in bulk at tier prices, pay by bank transfer and receive invoices.",
                    ),
                    image_block(images["quzhou_hills"], "The green hills of Quzhou (illustration)"),
                    facts_block(
                        (str(City.objects.count()), "cities"),
                        (str(County.objects.count()), "counties and districts"),
                        (str(MountainSeaPair.objects.count()), "mountain-sea pairs"),
                        (str(Mark.objects.count()), "brands and certifications"),
                    ),
                    heading("Contact us"),
                    paragraph(
                        "Our operations centre is in Quzhou, Zhejiang; we answer questions on working days, 9:00–17:30."
                    ),
                ],
            },
        ),
        (
            "help",
            {
                "title": "帮助中心",
                "name_en": "Help",
                "intro": "购物、食堂采购、展会报名和商家入驻的常见问题。",
                "intro_en": "Common questions about shopping, canteen purchasing, fair "
                "registration and joining as a vendor.",
                "body": [
                    heading("如何购买？"),
                    paragraph("按县域、品类或品牌浏览商品，加入购物车后在线支付，支持银行卡、支付宝和微信支付。"),
                    heading("机关和企业食堂如何采购？"),
                    paragraph(
                        "食堂账号可按阶梯价格批量下单并指定配送日期，支持对公转账；"
                        "付款确认后按订单开具增值税普通发票、专用发票或免税发票。"
                    ),
                    heading("如何报名参加展销会？"),
                    paragraph("在展会页面选择入场时段并填写信息，报名成功后凭二维码入场；不能到场时请提前取消。"),
                    heading("商家如何入驻？"),
                    paragraph(
                        "县域合作社、家庭农场、食品企业和“百县千碗”餐饮商家可提交入驻申请，审核通过后即可上架商品。"
                    ),
                ],
                "body_en": [
                    heading("How do I buy?"),
                    paragraph(
                        "Browse by county, category or brand, add products to your cart and pay by bank transfer, or "
                        "online by card, Alipay or WeChat Pay where the site offers it."
                    ),
                    heading("How do government and company canteens buy?"),
                    paragraph(
                        "A canteen account orders in bulk at tier prices for a delivery "
                        "date and pays by bank transfer; "
                        "once payment is confirmed, each order gets an ordinary, special or tax-exempt VAT invoice."
                    ),
                    heading("How do I register for a fair?"),
                    paragraph(
                        "Choose a time slot on the fair's page and fill in your details; you enter with the QR code "
                        "of your ticket. If you cannot come, please cancel in advance."
                    ),
                    heading("How does a business join?"),
                    paragraph(
                        "County co-operatives, family farms, food companies and Baixian Qianwan restaurants apply to "
                        "join; once approved they can list their products."
                    ),
                ],
            },
        ),
    ]


# --- building the tree -------------------------------------------------------------------------------------


def existing_child(parent, slug, page_class):
    page = parent.get_children().filter(slug=slug).specific().first()
    if page is not None and not isinstance(page, page_class):
        raise ValueError(
            f"A {type(page).__name__} already uses the slug {slug!r} under {parent.title!r}; "
            f"the demo needs a {page_class.__name__} there."
        )
    return page


def ensure_child(parent, page, tally):
    """Add and publish `page` under `parent` unless a page with its slug is already there."""
    found = existing_child(parent, page.slug, type(page))
    if found is not None:
        tally.present("pages")
        fill_english(found, page)
        return found
    parent.add_child(instance=page)
    page.save_revision().publish()
    tally.created("pages")
    return page


def ensure_home(tally):
    """The HomePage, made the default site's root; Wagtail's welcome page is deleted once replaced."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = HomePage.objects.first()
    created = home is None
    if created:
        root = Page.get_first_root_node()
        # Wagtail's welcome page holds the slug "home"; free it, as that page is about to go.
        root.get_children().filter(slug="home").exclude(content_type__model="homepage").update(
            slug="wagtail-welcome-page"
        )
        home = HomePage(
            title="山海集市",
            slug="home",
            name_en="Shanhai Market",
            seo_title="山海集市 · 山海协作 百县千碗",
            search_description="山海集市：浙江山区县好物、百县千碗美食和山海协作展销会的线上平台。",
            hero_title="山海协作，百县千碗",
            hero_text="从衢州的青山到鄞州的海边，把山区县的好物和浙江百县千碗的味道送上城市餐桌。"
            "选购县域特产，报名山海协作展销会，为机关食堂采购帮扶农产品。",
            hero_link_label="了解山海协作",
            hero_title_en="Mountain and sea, a hundred counties, a thousand bowls",
            hero_text_en="From the green hills of Quzhou to the seaside of Yinzhou: the good things of Zhejiang's "
            "mountain counties and the flavours of its hundred counties, brought to city tables. Buy county "
            "specialities, register for mountain-sea fairs, and buy supporting produce for your canteen.",
            hero_link_label_en="About mountain-sea cooperation",
        )
        root.add_child(instance=home)
        tally.created("pages")
    else:
        tally.present("pages")

    if site is None:
        site = Site.objects.create(
            hostname="localhost", port=80, site_name=settings.WAGTAIL_SITE_NAME, root_page=home, is_default_site=True
        )
    elif not site.site_name:
        # The admin dashboard is titled with the site name, else the hostname ("localhost").
        site.site_name = settings.WAGTAIL_SITE_NAME
        site.save(update_fields=["site_name"])
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.save(update_fields=["root_page"])
        # Only Wagtail's bare welcome page is removed; any other former root is someone's content.
        if type(old_root.specific) is Page and not old_root.get_children().exists():
            old_root.delete()
    return home, created, site


def load_pages(images, tally):
    """Build the page tree; returns the default site and the pages the site settings link to."""
    home, home_created, site = ensure_home(tally)

    news_index = ensure_child(
        home,
        NewsIndexPage(
            title="新闻动态",
            name_en="News",
            slug="news",
            show_in_menus=True,
            intro="山海协作展销会、百县千碗美食活动和消费帮扶的最新消息。",
            intro_en="The latest on mountain-sea fairs, Baixian Qianwan food events and buying to support.",
        ),
        tally,
    )
    articles = {}
    for slug, fields in news_articles(images):
        articles[slug] = ensure_child(
            news_index, NewsArticlePage(slug=slug, social_image=fields["image"], **fields), tally
        )

    campaign_pages = {}
    for slug, fields in campaigns(images, articles):
        related = fields.pop("related")
        campaign_pages[slug] = ensure_child(
            home,
            CampaignPage(
                slug=slug,
                show_in_menus=True,
                related_pages=[CampaignRelatedPage(page=page) for page in related],
                **fields,
            ),
            tally,
        )

    standard = {}
    for slug, fields in standard_pages(images):
        standard[slug] = ensure_child(home, StandardPage(slug=slug, show_in_menus=True, **fields), tally)

    if home_created:
        # Fetched again: adding children changed its tree fields in the database.
        home = HomePage.objects.get(pk=home.pk)
        home.hero_image = images["hero"]
        home.social_image = images["hero"]
        home.hero_link = campaign_pages["shanhai-xiezuo"]
        home.sections = [
            facts_block(
                (f"{County.objects.count()}个", "县（市、区）好物", str(County.objects.count()), "counties' produce"),
                (
                    f"{MountainSeaPair.objects.count()}对",
                    "山海协作结对",
                    str(MountainSeaPair.objects.count()),
                    "mountain-sea pairs",
                ),
                (f"{Mark.objects.count()}个", "品牌与认证", str(Mark.objects.count()), "brands and certifications"),
            ),
            call_to_action(
                "百县千碗美食节招募商家",
                page=articles["baixian-qianwan-food-festival-quzhou-call"],
                label_en="Food festival: exhibitors wanted",
            ),
        ]
        home.save_revision().publish()

    return site, {"home": home, "news": news_index, **standard}
