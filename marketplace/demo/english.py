"""English texts of the demo vendors and products, kept beside the Chinese data (data.py) by key.

Names keep their established English or pinyin forms (Changshan huyou, Kaihua Longding tea,
Shao Yongfeng sesame cake); see marketplace/demo/data.py for the Chinese originals.
"""

# Vendor key: (tagline, story).
VENDORS_EN = {
    "juxiang": (
        "Shiliang's ponkan orchards wait all year for this one season",
        "Forty-odd orchard families of Shiliang town, Kecheng, grow to one standard and grade and pack together. "
        "The ponkan are picked in November once they turn yellow, and sorted and shipped the same day.",
    ),
    "shaoyongfeng": (
        "A century-old name and Quzhou's sesame cake",
        "Shao Yongfeng was founded in the Guangxu years of the Qing dynasty; its hand-made sesame cake is listed as "
        "intangible cultural heritage. The workshop still rolls the dough, presses the sesame and bakes over charcoal "
        "by hand.",
    ),
    "fangmenjie": (
        "Quzhou's 'three heads and a palm', the way locals eat them with a drink",
        "The Fangmen Street flagship cooks rabbit heads, duck heads, fish heads and duck feet to Quzhou's Baixian "
        "Qianwan standard, with chilli and braising spices mixed fresh every day; take-away orders are made on the "
        "day and vacuum-packed.",
    ),
    "shuitingmen": (
        "Baked over charcoal, with spring onion and pork",
        "An old baked-bun shop at the corner of Shuitingmen: one charcoal drum, one board, and Quzhou buns filled "
        "with spring onion and fresh pork, baked on the drum's wall and sold hot.",
    ),
    "duze_jiaobai": (
        "Duze water bamboo from clean spring-fed fields",
        "Water-bamboo fields in Duze town watered by mountain springs, harvested in summer and autumn; the "
        "co-operative delivers weekly to government and school canteens.",
    ),
    "duze_guihua": (
        "Osmanthus filling in a thousand flaky layers",
        "Duze osmanthus cakes have been made for over a hundred years. The workshop keeps the old masters' flaky "
        "pastry, with osmanthus from old trees in Qujiang, gathered once each autumn.",
    ),
    "yipinhong": (
        "Thin-skinned, deep red and very sweet Yipinhong ponkan",
        "The farm tends 120 mu of citrus in Lianhua town, Qujiang; fruit ripens on the tree to its natural colour "
        "and is packed by size.",
    ),
    "qujiang_pavilion": (
        "Qujiang's best, straight to its partner Yinzhou",
        "Qujiang is paired with Yinzhou, Ningbo, under Mountain-Sea Cooperation. The county pavilion gathers the "
        "produce of Qujiang's towns under one quality check and one dispatch, and supplies Yinzhou's government and "
        "school canteens all year.",
    ),
    "longyou_fagao": (
        "Fragrant with rice and rice wine, soft as cotton",
        "Longyou rice cake is steamed from fermented local japonica and glutinous rice. The company keeps the "
        "traditional rice-wine fermentation; the weeks around Spring Festival are its busiest of the year.",
    ),
    "longyou_cattle": (
        "Free-ranging in the hills, tender and full of flavour",
        "Members raise local yellow cattle in the hills of southern Longyou, with shared veterinary care, "
        "slaughtering and cutting, and cold-chain delivery to Hangzhou and Ningbo.",
    ),
    "longyou_rice": (
        "One crop a year from selenium-rich soil",
        "Single-season late rice from the selenium-rich soil of northern Longyou, dried and stored cool by the "
        "co-operative and milled to order; government canteens get fixed monthly deliveries.",
    ),
    "longyou_restaurant": (
        "Longyou country cooking, a bowl of home",
        "In Longyou's old town, the experience store cooks fried rice noodles, rice cakes and country dishes to "
        "Longyou's Baixian Qianwan standard.",
    ),
    "jiangshan_honey": (
        "Wildflower honey from below the Xianxia range",
        "Jiangshan is China's 'home of the honeybee'. Members collect rapeseed and milk-vetch honey at home in "
        "spring and move their hives into the Xianxia mountains in summer.",
    ),
    "jiangshan_goose": (
        "Jiangshan white geese, raised free by the streams",
        "Jiangshan white goose is a local breed; members raise them free along the streams on grass and home-grown "
        "rice for at least a hundred days.",
    ),
    "jiangshan_kiwi": (
        "Red-heart kiwifruit, picked from September",
        "The farm grows red- and green-fleshed kiwifruit by the Xujiang river in Jiangshan; the fruit is pre-cooled "
        "after picking and is ready to eat once soft.",
    ),
    "jiangshan_huangjing": (
        "Jiangshan polygonatum, steamed and sun-dried nine times",
        "The co-operative grows polygonatum under the forest in the hills of southern Jiangshan and processes it "
        "the old way, steamed and dried nine times; every batch is sampled and tested.",
    ),
    "nianbadu_tofu": (
        "Old-town tofu set with mountain spring water",
        "In the old town of Nianbadu, the workshop grinds local soybeans with spring water and sets the tofu with "
        "brine; the first board comes out at dawn every day.",
    ),
    "changshan_huyou": (
        "Changshan huyou: bitter first, then sweet",
        "The co-operative links huyou growers of Qingshi, Zhaoxian and other towns of Changshan: it buys, grades "
        "and cold-stores their fruit and makes huyou paste in its own kitchen. Huyou is picked from November and "
        "keeps until the next spring.",
    ),
    "changshan_oil": (
        "Cold-pressed camellia seed, pressed once a year",
        "Changshan is China's 'home of the oil-tea camellia'. The co-operative picks its camellia fruit around the "
        "first frost, sun-dries the seed and presses it mechanically, adding nothing.",
    ),
    "changshan_pavilion": (
        "Changshan's best, straight to Gongshu's canteens",
        "Changshan is paired with Gongshu District, Hangzhou, under Mountain-Sea Cooperation. The county pavilion "
        "gathers Changshan noodles, lion's mane mushrooms and other specialities and delivers them monthly to "
        "Gongshu's government canteens.",
    ),
    "kaihua_longding": (
        "A cup of tea from the source of the Qiantang",
        "The company's tea gardens lie around Qianjiangyuan National Park, above 600 metres. One bud and one leaf "
        "are picked before Qingming and fired and shaped by hand.",
    ),
    "kaihua_fish": (
        "Clear-water fish raised in running spring water",
        "Farmers in Kaihua's hills lead spring water into ponds beside their houses to raise grass carp on grass "
        "alone; the water never stops, and the fish is firm with no muddy taste.",
    ),
    "kaihua_restaurant": (
        "A plate of river snails, a taste of the mountain stream",
        "The flagship cooks river snails, clear-water fish and steamed rice cake to Kaihua's Baixian Qianwan "
        "standard; the snails are bought from the Majin stream every day, trimmed and stir-fried to order.",
    ),
    "majin_tofu": (
        "Majin dried tofu, smoked over firewood",
        "Majin town has made dried tofu for centuries. The factory uses local soybeans, presses the tofu and smokes "
        "it slowly over firewood until golden, firm but not tough.",
    ),
    "kaihua_pavilion": (
        "Mountain goods from the source of the Qiantang",
        "Run by Kaihua County, the pavilion gathers products authorised under the Qianjiangyuan regional brand and "
        "exhibits at mountain-sea fairs all year.",
    ),
    "qingyuan_mushroom": (
        "From the birthplace of shiitake: thick flower mushrooms",
        "Qingyuan is where shiitake were first cultivated. Members grow them on logs and substrate, dry them at low "
        "temperature and grade them by shape.",
    ),
    "jinyun_shaobing": (
        "Baked in a charcoal drum, filled with preserved greens and pork",
        "Certified Jinyun shaobing bakers use a charcoal drum oven and a filling of preserved mustard greens and "
        "fresh pork; the crust comes out crisp.",
    ),
    "longquan_farm": (
        "Black fungus from below Fengyang mountain",
        "At the foot of Fengyang mountain in Longquan the farm grows black fungus on logs and substrate, dried "
        "naturally, that swells well when soaked.",
    ),
    "suichang_zongzi": (
        "Suichang long zongzi, a foot long",
        "Wrapped in bamboo leaves and shaped like a long pillow, with local glutinous rice and salted pork or red "
        "beans, the long zongzi is what Suichang people bring when visiting family at festivals.",
    ),
    "jingning_tea": (
        "High-mountain cloud tea from the She people's county",
        "Huiming tea grows around Chimu mountain in Jingning She Autonomous County; the co-operative's She tea "
        "farmers pan-fire it by hand, and it brews clear and bright.",
    ),
}

# Product name: English pack size, summary, detail, shelf life, storage.
PRODUCTS_EN = {
    "衢州椪柑": (
        "2.5 kg",
        "Quzhou ponkan: big, loose-skinned, juicy, and peels in one go.",
        "Picked in Shiliang's orchards once the fruit has coloured on the tree, graded by size, each over 70 mm.",
        "15 days at room temperature",
        "Keep somewhere cool and airy; do not stack heavily",
    ),
    "邵永丰麻饼": (
        "8 cakes, about 400 g",
        "A century-old brand's hand-made sesame cake: full of sesame, crisp and not greasy.",
        "Rolled and pressed with sesame by hand and baked over charcoal, in salt-and-pepper, sugar and osmanthus.",
        "60 days",
        "Sealed at room temperature, out of direct sunlight",
    ),
    "衢州兔头": (
        "1 piece, about 200 g",
        "First of Quzhou's 'three heads and a palm': numbing, spicy and more tasty with every bite.",
        "Braised and dressed fresh every day in mild, medium or extra hot, vacuum-packed and sent the same day.",
        "3 days chilled",
        "Chilled at 0–4 °C",
    ),
    "衢州鸭头": (
        "1 piece, about 150 g",
        "Quzhou duck head, deep with braising spices and properly hot.",
        "Simmered for two hours in an old master stock, then tossed in local chilli oil.",
        "3 days chilled",
        "Chilled at 0–4 °C",
    ),
    "衢州烤饼": (
        "1 bun",
        "Quzhou baked bun from the charcoal drum, pork and spring onion, crisp outside.",
        "Dough kneaded and filling mixed on the spot, baked on the drum's wall until golden on both sides.",
        "Eat on the day",
        "Best hot; chill overnight and reheat",
    ),
    "杜泽茭白": (
        "Loose, sold by the jin",
        "Duze water bamboo from spring-fed fields: white, tender and sweet, a canteen staple.",
        "Cut before dawn, trimmed and sent chilled to canteens the same day; stir-fry, braise or serve cold.",
        "5 days chilled",
        "Chilled at 0–4 °C; keeps longer in its husk",
    ),
    "杜泽桂花饼": (
        "10 cakes",
        "Duze's old-style pastry with osmanthus sugar in flaky layers.",
        "Local golden osmanthus candied for a year, wrapped in flaky pastry and baked.",
        "45 days",
        "Sealed at room temperature",
    ),
    "一品红椪柑": (
        "5 kg gift box",
        "Yipinhong ponkan: thin red skin and very sweet, as good for gifts as for home.",
        "Left on the tree until December, at least 13° Brix, packed by size.",
        "20 days at room temperature",
        "Keep somewhere cool and airy",
    ),
    "龙游发糕": (
        "4 pieces, about 1 kg",
        "Longyou rice cake, fragrant with rice and rice wine, soft and springy; steam and eat.",
        "Local rice soaked and ground, fermented with rice wine and steamed: Longyou's festival cake.",
        "15 days chilled, 90 days frozen",
        "Chilled or frozen; steam for 8 minutes before eating",
    ),
    "龙游小黄牛": (
        "Beef shank, 500 g",
        "Longyou yellow cattle raised in the hills: tender, with a rich beef flavour.",
        "Slaughtered at an approved abattoir, aged 24 hours, cut and sent cold; stew or braise.",
        "180 days frozen",
        "Frozen at −18 °C",
    ),
    "富硒大米": (
        "5 kg",
        "Single-season late rice from Longyou's selenium-rich soil: plump grains, soft and fragrant.",
        "Stored cool and milled to order; government canteens can have fixed monthly deliveries.",
        "12 months",
        "Cool and dry; reseal after opening",
    ),
    "江山蜂蜜": (
        "500 g jar",
        "Wildflower honey from the Xianxia mountains, ripened in the hive, thick and fragrant.",
        "Only capped, ripe honey is extracted, from hives kept at home and moved with the seasons; nothing added.",
        "24 months",
        "Sealed at room temperature, away from heat",
    ),
    "江山白鹅": (
        "Whole bird, about 2 kg",
        "Jiangshan white goose raised by the streams for over a hundred days; for braising or soup.",
        "Slaughtered at an approved abattoir, vacuum-packed whole and sent frozen.",
        "180 days frozen",
        "Frozen at −18 °C",
    ),
    "江山猕猴桃": (
        "2.5 kg, about 30 fruit",
        "Red-heart kiwifruit, smooth and sweet-sour.",
        "Picked in September and pre-cooled; let them soften at room temperature and eat.",
        "30 days chilled",
        "Chill until soft, then eat soon",
    ),
    "江山黄精": (
        "250 g box",
        "Forest-grown Jiangshan polygonatum, steamed and sun-dried nine times; for tea or soup.",
        "Polygonatum roots steamed and dried nine times the traditional way: jet black and sweet.",
        "24 months",
        "Sealed somewhere cool and dry",
    ),
    "廿八都豆腐": (
        "2 blocks, about 800 g",
        "Brine-set tofu from the old town of Nianbadu, rich in soy flavour and firm.",
        "Local soybeans stone-ground with spring water, set with brine at dawn and sent the same day.",
        "3 days chilled",
        "Chilled at 0–4 °C",
    ),
    "常山胡柚": (
        "5 kg gift box, 12–16 fruit",
        "Changshan huyou, a national geographical-indication fruit: bitter first, then sweet, and refreshing.",
        "Picked in November and cold-stored, it keeps until spring; the peel makes huyou-peel tea.",
        "30 days at room temperature",
        "Keep somewhere cool and airy; it grows sweeter with time",
    ),
    "胡柚膏": (
        "500 g jar",
        "Huyou paste simmered from Changshan huyou flesh and peel; stir into water and drink.",
        "Seeded huyou simmered with its peel and set with rock sugar; soothing for the throat in warm water.",
        "18 months",
        "Chill after opening; use a dry spoon",
    ),
    "常山山茶油": (
        "500 ml bottle",
        "Changshan camellia oil, mechanically pressed: high smoke point, light and clean.",
        "Fruit picked around the first frost, seed sun-dried and cold-pressed, settled and filtered; nothing added.",
        "18 months",
        "Sealed, dark, at room temperature",
    ),
    "常山猴头菇": (
        "250 g box, dried",
        "Dried Changshan lion's mane mushroom, plump and good for soup.",
        "Grown on substrate and dried at low temperature; soak, then stew with chicken or pork ribs.",
        "12 months",
        "Sealed somewhere cool and dry",
    ),
    "常山贡面": (
        "1 kg bag",
        "Changshan noodles, pulled by hand and dried in the sun, fine as hair and never mushy.",
        "Mixed, rested, rolled, pulled and dried by hand: a craft listed as intangible cultural heritage.",
        "12 months",
        "Keep somewhere cool and dry",
    ),
    "开化龙顶": (
        "250 g box",
        "Kaihua Longding green tea picked before Qingming at the source of the Qiantang: tight, green, chestnut-sweet.",
        "From gardens above 600 m, one bud and one leaf picked before Qingming, fired, shaped and dried by hand.",
        "18 months",
        "Sealed and dark; best kept chilled",
    ),
    "开化清水鱼": (
        "Whole fish, about 1.5 kg",
        "Kaihua clear-water fish raised in spring-fed ponds: firm, with no muddy taste.",
        "Fed only on grass for two years or more, then sent chilled.",
        "2 days chilled, 90 days frozen",
        "Chill or freeze on arrival",
    ),
    "开化青蛳": (
        "One portion, about 500 g",
        "Kaihua's Baixian Qianwan dish: Majin stream snails, trimmed and stir-fried hot and fresh.",
        "Snails kept two days in clean water, then stir-fried with perilla, chilli, ginger and garlic.",
        "Eat on the day",
        "Made to order, eat at once",
    ),
    "马金豆腐干": (
        "10 pieces, about 300 g",
        "Majin dried tofu smoked over firewood: golden, firm but not tough.",
        "Made from local soybeans, pressed and slowly smoked; serve cold or stir-fry with pork.",
        "30 days chilled",
        "Chilled at 0–4 °C",
    ),
    "庆元香菇": (
        "500 g bag, dried flower shiitake",
        "Dried flower shiitake from Qingyuan, the birthplace of shiitake: thick and fragrant.",
        "Log-grown, dried at low temperature and graded by shape; soak, then stew, stir-fry or add to soup.",
        "12 months",
        "Sealed somewhere cool and dry",
    ),
    "缙云烧饼": (
        "1 cake",
        "Jinyun shaobing from a charcoal drum oven, with preserved greens and pork and a crisp crust.",
        "Filled and baked to order by certified bakers; best eaten hot.",
        "Eat on the day",
        "Made to order, eat at once",
    ),
    "衢江土鸡蛋": (
        "Box of 30",
        "Free-range eggs from Qujiang's hill forests, with full yolks.",
        "Hens range under the trees; eggs are collected, cleaned and checked daily; weekly canteen delivery.",
        "30 days chilled",
        "Chilled at 0–4 °C, broad end up",
    ),
    "龙游炒粉干": (
        "One portion",
        "Longyou rice noodles stir-fried fast and hot with greens and pork.",
        "Noodles of local early rice, soaked and fried with shredded pork, greens and egg.",
        "Eat on the day",
        "Made to order, eat at once",
    ),
    "开化气糕": (
        "6 pieces",
        "Kaihua's traditional rice cake, light and soft, with a hint of rice wine.",
        "Rice ground, fermented and steamed; steam or pan-fry to eat.",
        "60 days frozen",
        "Frozen at −18 °C; steam for 10 minutes",
    ),
    "龙泉黑木耳": (
        "250 g bag",
        "Log-grown black fungus from below Fengyang mountain: thick, and swells well.",
        "Dried naturally, never sulphured; 500 g dried makes over 5 kg soaked.",
        "18 months",
        "Sealed somewhere cool and dry",
    ),
    "遂昌长粽": (
        "2 zongzi, about 500 g each",
        "Suichang long zongzi, a foot long, fragrant with bamboo leaves, with salted pork and glutinous rice.",
        "Local glutinous rice in bamboo leaves, simmered over firewood for eight hours; best sliced and pan-fried.",
        "90 days frozen",
        "Frozen at −18 °C",
    ),
    "景宁惠明茶": (
        "200 g box",
        "Huiming tea from the clouds above the She people's hills: bright, with a sweet finish.",
        "Hand-picked in the Chimu mountain gardens and pan-fired by She tea farmers.",
        "18 months",
        "Sealed, dark and chilled",
    ),
}
