"""English texts of the demo fairs (events/demo/__init__.py), by fair slug and by Chinese name."""

FAIRS_EN = {
    "quzhou-produce-fair-yinzhou": {
        "name_en": "Mountain-Sea Cooperation: Quzhou produce fair (Yinzhou, Ningbo)",
        "venue_en": "Ningbo International Convention and Exhibition Center, Hall 6",
        "address_en": "181 Huizhan Road, Yinzhou District, Ningbo",
        "organisers_en": "Quzhou Mountain-Sea Cooperation Office; Yinzhou District Government, Ningbo",
        "co_organisers_en": "Quzhou Commerce Bureau; Yinzhou Commerce Bureau; Quzhou Bureau of Agriculture",
        "summary_en": "The best produce of Quzhou's six counties comes to Ningbo: county pavilions, plus a "
        "matchmaking session for canteen, supermarket and community group buyers. Free entry with a booked time "
        "slot.",
        "story_en": [
            "Qujiang and Yinzhou have been paired under Mountain-Sea Cooperation for over ten years. This fair has "
            "a pavilion for each county and over a hundred Quzhou products: ponkan, huyou, Longding tea, "
            "clear-water fish, rice cakes, white geese and more.",
            "On the second afternoon a matchmaking session brings government canteens, supermarkets and community "
            "group buyers together with county co-operatives; agreed orders can be placed on Shanhai Market at tier "
            "prices and paid by bank transfer.",
        ],
    },
    "baixian-qianwan-food-festival-quzhou": {
        "name_en": "Tasty Zhejiang: Baixian Qianwan food festival (Quzhou)",
        "venue_en": "Quzhou Citizens' Square",
        "address_en": "1 Sanqu Road, Kecheng District, Quzhou",
        "organisers_en": "Zhejiang Department of Culture and Tourism; Quzhou Municipal Government",
        "co_organisers_en": "Quzhou Bureau of Culture, Radio, Television and Tourism; the county governments",
        "summary_en": "The Quzhou stop of Hundred Counties, Thousand Bowls: one food street per county for cold "
        "dishes, snacks and hot dishes, and famous chefs cooking live on 7 January, Baixian Qianwan food day. Free "
        "entry; the tasting session is ticketed.",
        "story_en": [
            "Six food streets, one per county, with twenty stalls each: hot and cold dishes at the front (with "
            "power and water), snacks and pastries behind.",
            "Stalls are first come, first served: vendors on Shanhai Market choose theirs on the floor plan, and it "
            "is confirmed when the fee is paid on time.",
        ],
    },
    "canteen-market-provincial-offices": {
        "name_en": "Canteen market for mountain produce (provincial government compound)",
        "venue_en": "Square in front of Canteen 1, provincial government compound",
        "address_en": "8 Shengfu Road, Xihu District, Hangzhou",
        "organisers_en": "Zhejiang Government Offices Administration",
        "co_organisers_en": "Quzhou Municipal Government Office in Hangzhou",
        "summary_en": "A weekly canteen market, one mountain city at a time: this week Quzhou, open to government "
        "staff during the lunch break. Stalls are free.",
        "story_en": [
            "The market is held by the Government Offices Administration with the mountain counties, a different "
            "mountain city each week. Staff can buy on the spot at lunchtime, or through their canteen on Shanhai "
            "Market.",
        ],
    },
}

# Zones, stall types, add-ons and ticket types by their Chinese name.
NAMES_EN = {
    "开化馆": "Kaihua pavilion",
    "常山馆": "Changshan pavilion",
    "江山馆": "Jiangshan pavilion",
    "龙游馆": "Longyou pavilion",
    "柯城·衢江馆": "Kecheng and Qujiang pavilion",
    "B2B 对接区": "B2B matchmaking area",
    "柯城美食街": "Kecheng food street",
    "衢江美食街": "Qujiang food street",
    "龙游美食街": "Longyou food street",
    "江山美食街": "Jiangshan food street",
    "常山美食街": "Changshan food street",
    "开化美食街": "Kaihua food street",
    "衢州专区": "Quzhou area",
    "标准展位": "Standard stall",
    "冷链展位": "Cold-chain stall",
    "洽谈桌": "Meeting table",
    "美食摊位": "Food stall",
    "小吃摊位": "Snack stall",
    "帮扶摊位": "Support stall",
    "加电 3 kW": "Extra power 3 kW",
    "加桌": "Extra table",
    "加椅": "Extra chair",
    "大功率电源 10 kW": "High-power supply 10 kW",
    "冷藏柜": "Refrigerator",
    "电源（冷柜用）": "Power (for a fridge)",
    "普通入场": "General admission",
    "名厨品鉴专场": "Chefs' tasting session",
    "干部职工午间入场": "Staff lunchtime entry",
}

DESCRIPTIONS_EN = {
    "3×3 米，楣板、射灯、一桌两椅": "3 × 3 m, fascia board, spotlights, a table and two chairs",
    "带冷柜电源，适合鲜品、水产": "With power for a fridge, for fresh food and fish",
    "B2B 对接区洽谈桌，由主办方免费提供": "A table in the B2B area, free from the organisers",
    "热菜、冷菜现场制作，含 5 kW 电源和上下水": "Hot and cold dishes cooked on site; 5 kW power and water",
    "点心小吃，含 2 kW 电源": "Snacks and pastries; 2 kW power",
    "帐篷、桌子由主办方提供": "Tent and table from the organisers",
    "免费入场，分时段预约，凭二维码入场": "Free entry in a booked time slot, with your QR code",
    "1 月 7 日百县千碗美食日 18:00 名厨现场烹制六县代表菜，凭票入席品鉴（每人一份）": (
        "18:00 on 7 January, Baixian Qianwan food day: famous chefs cook each county's signature dish; one "
        "tasting per ticket"
    ),
    "限机关食堂采购单位成员，午休时段入场": "For members of canteen buyer units, during the lunch break",
}
