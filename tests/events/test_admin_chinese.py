"""A Chinese admin for vendors and organisers: Wagtail's own strings, the project's pages, names, no other hosts.

The users' report: the zh-hans admin showed "3 Pages", "Search all pages…", "approved 21, submitted 3",
"提交给Moderators approval", "Page types usage", a gravatar avatar and a dashboard titled "localhost".
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest
import wagtail
from django.conf import settings
from wagtail.models import Page, Task, Workflow
from wagtail.users.models import UserProfile

from events.stalls import services
from marketplace.checkout.models import PaymentMethod
from tests.factories import pay_by_transfer, place_order, stall

pytestmark = pytest.mark.django_db

WAGTAIL_DIR = Path(wagtail.__file__).parent
OVERLAY_DIR = settings.BASE_DIR / "config" / "locale" / "zh_Hans" / "LC_MESSAGES"
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}

# English seen in the zh-hans admin on 2026-12-04 (user report and a crawl of the pages below).
REPORTED = [
    "Pages",
    "Search all pages",
    "approved 21",
    "submitted",
    "waitlisted",
    "Moderators approval",
    "Page types usage",
    "localhost",
    "Wagtail upgrade available",
    "Show keyboard shortcuts",
    "Keyboard shortcuts are currently enabled",
    "Toggle minimap",
    "created in",
    "Actions",
    "All stall types",
    "Nothing to ship",
    "Root",
    "True",
    "False",
    "Is mountain now",
]
# Words allowed in the Chinese admin: names and formats (EMS, a carrier, has no other name in Chinese), Wagtail's
# name (its editor guide link), and "None", which Wagtail prints into a hidden side-panel counter.
ALLOWED_WORDS = {"Wagtail", "JavaScript", "CSV", "XLSX", "PDF", "Excel", "None", "URL", "EMS"}


class VisibleText(HTMLParser):
    """Text a person reads or hears: element text plus placeholder, title, aria-label and alt attributes."""

    HIDDEN = {"script", "style", "template", "svg"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.texts = []
        self.title = ""
        self._in_title = False
        self.loads = []  # URLs the browser fetches: img/script src, link href

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.HIDDEN:
            self.skip += 1
        if tag == "title":
            self._in_title = True
        for name in ("placeholder", "title", "aria-label", "alt"):
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag in ("img", "script", "iframe") and attrs.get("src"):
            self.loads.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.loads.append(attrs["href"])
        if tag == "img" and attrs.get("srcset"):
            self.loads.extend(part.split()[0] for part in attrs["srcset"].split(","))

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.skip:
            self.skip -= 1
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self.skip and data.strip():
            self.texts.append(data.strip())


def read(html):
    parser = VisibleText()
    parser.feed(html)
    return parser


def english_words(html, *data):
    """ASCII words of three letters or more in the visible text, after removing URLs and the given data."""
    found = set()
    for text in read(html).texts:
        text = re.sub(r"https?://\S+", "", text)
        text = re.sub(r"\bSH[0-9A-Z]{8,}\b", "", text)  # order numbers
        text = re.sub(r"\S+@\S+", "", text).replace("Open Graph", "")  # e-mail addresses, the protocol's name
        text = re.sub(r"^[a-z_]+\.[a-z_]+$", "", text)  # model identifiers (cms.homepage) in the page types report
        for value in data:
            text = text.replace(value, "")
        found.update(w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in ALLOWED_WORDS)
    return found


@pytest.fixture
def admin_world(fair, vendor_user, organiser, make_product, django_user_model):
    vendor, user = vendor_user("常山胡柚合作社", username="huyou")
    product = make_product(vendor, "常山胡柚", "58.00", stock=4, unit="箱")
    make_product(vendor, "胡柚膏", "38.00", stock=80, unit="瓶")
    buyer = django_user_model.objects.create_user("buyer", "buyer@example.com", "pw")
    order = pay_by_transfer(place_order(buyer, (product, 1), method=PaymentMethod.BANK_TRANSFER), organiser)
    other, other_user = vendor_user("开化龙顶茶", username="longding")
    standard = fair.stall_types.get(name="标准展位")
    services.apply(
        fair=fair,
        vendor=vendor,
        user=user,
        request=services.ApplicationRequest(stall_type=standard, products=[product], note="需要两张桌子"),
    )
    application = services.apply(
        fair=fair, vendor=other, user=other_user, request=services.ApplicationRequest(stall_type=standard)
    )
    services.approve(application, stall=stall(fair, "A05"), user=organiser)
    return {"vendor": vendor, "user": user, "product": product, "order": order, "fair": fair, "organiser": organiser}


def vendor_pages(world):
    part = world["order"].vendor_orders.get()
    return [
        "/admin/",
        "/admin/marketplace/products/",
        "/admin/marketplace/stock/",
        "/admin/vendor-orders/",
        f"/admin/vendor-orders/{part.pk}/",
        f"/admin/pages/{world['vendor'].pk}/",
        f"/admin/pages/{world['product'].pk}/edit/",
    ]


def organiser_pages(world):
    return [
        "/admin/",
        "/admin/fairs/",
        f"/admin/fairs/{world['fair'].pk}/",
        "/admin/orders/",
        f"/admin/orders/{world['order'].pk}/",
        "/admin/marketplace/products/",
        "/admin/workflows/list/",
        "/admin/workflows/tasks/index/",
        "/admin/reports/page-types-usage/",
        f"/admin/pages/{Page.get_first_root_node().pk}/",
        "/admin/snippets/cms/city/",
        "/admin/snippets/cms/county/",
        "/admin/fair_time_slots/",
        "/admin/fair_stalls/",
        "/admin/reports/missing-english/",
    ]


def test_vendor_admin_pages_are_chinese_in_an_english_browser(client, admin_world):
    user = admin_world["user"]
    client.force_login(user)
    for url in vendor_pages(admin_world):
        response = client.get(url, **ENGLISH_BROWSER)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert response["Content-Language"] == "zh-hans", url
        assert not english_words(html, user.get_username()), (url, english_words(html, user.get_username()))
        text = " ".join(read(html).texts)
        assert not [phrase for phrase in REPORTED if phrase in text], url


def test_organiser_admin_pages_are_chinese(client, admin_world):
    organiser = admin_world["organiser"]
    client.force_login(organiser)
    # Data: usernames, a bank reference, the English names of the city and county (a column of their own).
    data = ("organiser", "huyou", "longding", "buyer", f"BANK-{admin_world['order'].pk}", "Quzhou", "Changshan")
    for url in organiser_pages(admin_world):
        response = client.get(url, **ENGLISH_BROWSER)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not english_words(html, *data), (url, english_words(html, *data))
        text = " ".join(read(html).texts)
        assert not [phrase for phrase in REPORTED if phrase in text], url
    overview = client.get(f"/admin/fairs/{admin_world['fair'].pk}/").content.decode()
    assert "已提交 1，已通过 1" in overview  # was "submitted 1, approved 1"


def test_dashboard_title_is_the_site_name(client, admin_world):
    client.force_login(admin_world["organiser"])
    html = client.get("/admin/").content.decode()
    page = read(html)
    assert page.title.strip() == "控制面板 - 山海集市"
    assert "<h1" in html and "山海集市" in html.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert "localhost" not in html


def test_a_user_who_chose_english_gets_english(client, admin_world):
    user = admin_world["user"]
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    assert "To ship" in html and "待发货" not in html


def test_nothing_in_the_admin_loads_from_another_host(client, admin_world):
    client.force_login(admin_world["user"])
    for url in ("/admin/", f"/admin/pages/{admin_world['product'].pk}/edit/", "/admin/account/"):
        html = client.get(url).content.decode()
        foreign = [u for u in read(html).loads if urlsplit(u).netloc not in ("", "testserver")]
        assert not foreign, (url, foreign)
        assert "gravatar" not in html and "releases.wagtail.io" not in html, url
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None


def test_the_moderation_workflow_and_task_have_chinese_names(client, admin_world):
    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert not Task.objects.filter(name="Moderators approval").exists()
    assert Workflow.objects.filter(name="审核员审批", active=True).exists()
    assert Task.objects.filter(name="审核员审批").exists()
    client.force_login(admin_world["user"])
    html = client.get(f"/admin/pages/{admin_world['product'].pk}/edit/").content.decode()
    assert "提交给审核员审批" in html


def test_wagtail_catalogues_are_complete_in_chinese():
    """Every string of Wagtail's admin apps has a zh_Hans translation: Wagtail's own, else config/locale's.

    Fails after a Wagtail upgrade brings strings Wagtail's translators have not done yet: add them to
    config/locale/zh_Hans/LC_MESSAGES/django.po (or djangojs.po) and run `make messages`.
    """
    overlay = {}
    for domain in ("django", "djangojs"):
        po_path = OVERLAY_DIR / f"{domain}.po"
        assert (OVERLAY_DIR / f"{domain}.mo").stat().st_mtime >= po_path.stat().st_mtime - 1, "run make messages"
        for entry in polib.pofile(str(po_path)):
            assert entry.translated(), entry.msgid
            overlay[(domain, entry.msgctxt, entry.msgid)] = entry
    missing = []
    for english in WAGTAIL_DIR.glob("**/locale/en/LC_MESSAGES/*.po"):
        domain = english.stem
        chinese_path = Path(str(english).replace("/en/", "/zh_Hans/"))
        chinese = set()
        if chinese_path.exists():
            chinese = {(e.msgctxt, e.msgid) for e in polib.pofile(str(chinese_path)) if e.translated()}
        for entry in polib.pofile(str(english)):
            key = (entry.msgctxt, entry.msgid)
            if key not in chinese and (domain, *key) not in overlay:
                missing.append(entry.msgid)
    assert not missing, f"{len(missing)} Wagtail strings without Chinese: {missing[:20]}"


def test_overlay_translations_keep_their_placeholders():
    """Each translation has the singular's placeholders and no others than the singular's and plural's."""
    from tests.support.translations import placeholders

    for domain in ("django", "djangojs"):
        for entry in polib.pofile(str(OVERLAY_DIR / f"{domain}.po")):
            translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
            singular = placeholders(entry.msgid)
            either = placeholders(entry.msgid + " " + (entry.msgid_plural or ""))
            for text in translations:
                got = placeholders(text)
                for kind in ("named", "brace"):
                    assert set(singular[kind]) <= set(got[kind]) <= set(either[kind]), (entry.msgid, text)
                assert sorted(got["positional"]) == sorted(singular["positional"]), entry.msgid
