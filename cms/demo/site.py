"""Site settings for the default site and the demo admin account."""

import os

from django.contrib.auth import get_user_model

from cms.models import FooterLink, SiteSettings

ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "admin@shanhai.example"
DEFAULT_ADMIN_PASSWORD = "shanhai-admin"

DEMO_SETTINGS = {
    "site_name": "山海集市",
    "site_name_en": "Shanhai Market",
    "tagline": "山海协作 · 百县千碗 · 县域好物",
    "tagline_en": "Mountain-sea cooperation · Hundred counties, thousand bowls · County produce",
    "contact_phone": "0570-0000000",
    "contact_email": "service@shanhai.example",
    "address": "浙江省衢州市柯城区示例路1号 山海集市运营中心",
    "address_en": "Shanhai Market Operations Centre, 1 Shili Road, Kecheng District, Quzhou, Zhejiang",
    "footer_text": "山海集市为演示站点，所示商家、商品和活动信息仅供演示。",
    "footer_text_en": "Shanhai Market is a demonstration site: its vendors, products and events are examples.",
    # Plainly a demo value: no real filing has this number.
    "icp_number": "浙ICP备2026000000号-1",
}


FOOTER_LABELS_EN = {"关于我们": "About us", "帮助中心": "Help", "新闻动态": "News"}


def load_site_settings(site, pages, tally):
    """Fill empty settings with the demo values; what an editor has set is kept."""
    site_settings = SiteSettings.for_site(site)
    empty = {field: value for field, value in DEMO_SETTINGS.items() if not getattr(site_settings, field)}
    # site_name and site_name_en have model defaults equal to the demo values, so they count as filled.
    if empty:
        for field, value in empty.items():
            setattr(site_settings, field, value)
        site_settings.save()
        tally.updated("site settings")
    else:
        tally.present("site settings")

    if site_settings.footer_links.exists():
        tally.present("footer links", site_settings.footer_links.count())
        for link in site_settings.footer_links.filter(label_en="", label__in=FOOTER_LABELS_EN):
            link.label_en = FOOTER_LABELS_EN[link.label]
            link.save(update_fields=["label_en"])
    else:
        links = [("关于我们", pages["about"]), ("帮助中心", pages["help"]), ("新闻动态", pages["news"])]
        FooterLink.objects.bulk_create(
            FooterLink(settings=site_settings, label=label, label_en=FOOTER_LABELS_EN[label], page=page, sort_order=i)
            for i, (label, page) in enumerate(links)
        )
        tally.created("footer links", len(links))


def ensure_admin(tally, stdout):
    """A superuser `admin`; an existing one, and its password, are left alone."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=ADMIN_USERNAME).first()
    if user is None:
        password = os.environ.get("DEMO_ADMIN_PASSWORD") or DEFAULT_ADMIN_PASSWORD
        user_model.objects.create_superuser(ADMIN_USERNAME, ADMIN_EMAIL, password)
        tally.created("admin users")
        stdout.write(f"Admin login: /admin/  username: {ADMIN_USERNAME}  password: {password}")
    else:
        tally.present("admin users")
        stdout.write(f"Admin login: /admin/  username: {ADMIN_USERNAME}  (existing account, password unchanged)")
