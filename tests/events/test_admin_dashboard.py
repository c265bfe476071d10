"""The vendor's admin home and product list, and the organiser's stall-application review."""

import re

import pytest
from wagtail.models import Workflow

from events.models import StallApplication, StallBooking
from events.stalls import services
from marketplace.checkout.models import PaymentMethod
from tests.factories import pay_by_transfer, place_order, stall

pytestmark = pytest.mark.django_db


def panel(html, panel_id):
    """The HTML of one dashboard panel (Wagtail renders `{id}-section`)."""
    start = html.index(f'id="{panel_id}-section"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def shop(vendor_user, make_product, organiser, django_user_model):
    vendor, user = vendor_user("常山胡柚合作社", username="huyou")
    huyou = make_product(vendor, "常山胡柚", "58.00", stock=4, unit="箱")
    gao = make_product(vendor, "胡柚膏", "38.00", stock=80, unit="瓶")
    buyer = django_user_model.objects.create_user("buyer", "buyer@example.com", "pw")
    order = pay_by_transfer(place_order(buyer, (huyou, 1), (gao, 2), method=PaymentMethod.BANK_TRANSFER), organiser)
    return {"vendor": vendor, "user": user, "huyou": huyou, "gao": gao, "order": order}


def test_vendor_dashboard_shows_lines_to_ship_low_stock_and_changes_in_moderation(client, shop):
    client.force_login(shop["user"])
    html = client.get("/admin/").content.decode()
    to_ship = panel(html, "marketplace-to-ship")
    assert 'data-count="1"' in to_ship
    assert "1 笔订单共 2 行商品待发货" in to_ship
    assert shop["order"].number in to_ship and "/admin/vendor-orders/?status=to_ship" in to_ship
    low = panel(html, "marketplace-low-stock")
    assert "常山胡柚" in low and "3 箱" in low and "胡柚膏" not in low
    changes = panel(html, "marketplace-in-moderation")
    assert 'data-count="0"' in changes and "没有等待审核的修改" in changes
    # The panels come before Wagtail's own.
    assert html.index("marketplace-to-ship-section") < html.index("marketplace-in-moderation-section")

    # A price change submitted to the moderators shows up as a change waiting for approval.
    product = shop["huyou"]
    product.unit_price = "60.00"
    revision = product.save_revision(user=shop["user"])
    Workflow.objects.get(name="审核员审批").start(product, shop["user"])
    assert revision
    changes = panel(client.get("/admin/").content.decode(), "marketplace-in-moderation")
    assert 'data-count="1"' in changes and f"/admin/pages/{product.pk}/edit/" in changes


def test_vendor_dashboard_shows_stall_applications(client, shop, fair, organiser):
    client.force_login(shop["user"])
    html = client.get("/admin/").content.decode()
    assert "没有进行中的参展申请" in panel(html, "events-stall-applications")
    services.apply(fair=fair, vendor=shop["vendor"], user=shop["user"], request=services.ApplicationRequest())
    stalls = panel(client.get("/admin/").content.decode(), "events-stall-applications")
    assert 'data-count="1"' in stalls and fair.title in stalls and "1 份待审核，0 个展位保留待付款" in stalls
    assert "/fairs/mine/" in stalls


def test_staff_without_a_vendor_get_no_vendor_panels(client, organiser):
    client.force_login(organiser)
    html = client.get("/admin/").content.decode()
    assert "marketplace-to-ship" not in html and "events-stall-applications" not in html
    assert 'id="marketplace-applications-section"' in html  # vendor applications, for reviewers


def test_product_list_shows_price_stock_and_moderation(client, shop, vendor_user, make_product):
    other, _user = vendor_user("开化龙顶茶", username="longding")
    make_product(other, "开化龙顶", "128.00", stock=30, unit="盒")
    client.force_login(shop["user"])
    html = client.get("/admin/marketplace/products/").content.decode()
    assert "常山胡柚" in html and "胡柚膏" in html
    assert "开化龙顶" not in html  # only the vendor's own products
    headers = [re.sub(r"<[^>]+>|\s", "", th) for th in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)]
    assert {"价格", "库存", "审核", "状态"} <= set(headers), headers
    assert "¥58.00 / 箱" in html and "3 箱" in html and "¥38.00 / 瓶" in html and "78 瓶" in html


def test_review_shows_the_request_and_proposes_different_free_stalls(client, fair, vendor_user, organiser):
    standard = fair.stall_types.get(name="标准展位")
    food = fair.stall_types.get(name="美食摊位")
    services.create_stall_row(fair=fair, prefix="F", first=1, last=2, stall_type=food, zone=None, x=0, y=20)
    table = fair.addons.get()
    applications = []
    for n, (title, stall_type) in enumerate([("甲", standard), ("乙", standard), ("丙", food), ("丁", standard)]):
        vendor, user = vendor_user(title)
        request = services.ApplicationRequest(stall_type=stall_type, note=f"留言{n}")
        if n == 0:
            request.preferred_stalls = [stall(fair, "A03")]
            request.product_note = "胡柚礼盒"
            request.addons = [table]
        applications.append(services.apply(fair=fair, vendor=vendor, user=user, request=request))
    client.force_login(organiser)
    url = f"/admin/fairs/{fair.pk}/"
    html = client.get(url).content.decode()

    def proposed(application):
        row = html.split(f'data-application="{application.pk}"')[1].split("</tr>")[0]
        match = re.search(r'<option value="(\d+)" selected>([^<]+)</option>', row)
        return row, match.group(2).split(" · ")[0] if match else None

    row, code = proposed(applications[0])
    assert code == "A03"  # the stall asked for
    assert "留言0" in row and "胡柚礼盒" in row and "桌子" in row
    assert proposed(applications[1])[1] == "A01"
    assert proposed(applications[2])[1] == "F01"  # a food stall for the food stall request
    assert proposed(applications[3])[1] == "A02"
    codes = [proposed(a)[1] for a in applications]
    assert len(set(codes)) == len(codes)

    # Approving them in a row with the proposed stalls does not collide.
    for application in applications:
        page = client.get(url).content.decode()
        row = page.split(f'data-application="{application.pk}"')[1].split("</tr>")[0]
        stall_pk = re.search(r'<option value="(\d+)" selected>', row).group(1)
        client.post(url, {"action": "approve", "application": application.pk, "stall": stall_pk})
    assert StallApplication.objects.filter(status=StallApplication.Status.APPROVED).count() == 4
    assert sorted(b.stall.code for b in StallBooking.objects.all()) == ["A01", "A02", "A03", "F01"]


def test_review_without_a_free_stall_of_the_type_asks_for_one(client, fair, vendor_user, organiser):
    food = fair.stall_types.get(name="美食摊位")  # the fair has no food stalls
    vendor, user = vendor_user("甲")
    application = services.apply(
        fair=fair, vendor=vendor, user=user, request=services.ApplicationRequest(stall_type=food)
    )
    client.force_login(organiser)
    url = f"/admin/fairs/{fair.pk}/"
    row = client.get(url).content.decode().split(f'data-application="{application.pk}"')[1].split("</tr>")[0]
    assert "所申请类型已无空闲展位" in row and "selected" not in row
    response = client.post(url, {"action": "approve", "application": application.pk, "stall": ""}, follow=True)
    assert "请选择一个空闲展位再批准申请" in response.content.decode()
    application.refresh_from_db()
    assert application.status == StallApplication.Status.SUBMITTED


def test_review_list_filters_and_pages(client, fair, vendor_user, organiser, monkeypatch):
    from events.stalls import admin_views

    monkeypatch.setattr(admin_views, "REVIEW_PAGE_SIZE", 2)
    standard = fair.stall_types.get(name="标准展位")
    food = fair.stall_types.get(name="美食摊位")
    made = []
    for title, stall_type in [("甲", standard), ("乙", food), ("丙", standard), ("丁", standard)]:
        vendor, user = vendor_user(title)
        made.append(
            services.apply(
                fair=fair, vendor=vendor, user=user, request=services.ApplicationRequest(stall_type=stall_type)
            )
        )
    services.waitlist(made[2], user=organiser)
    client.force_login(organiser)
    url = f"/admin/fairs/{fair.pk}/"

    def shown(html):
        return [int(pk) for pk in re.findall(r'data-application="(\d+)"', html)]

    first = client.get(url).content.decode()
    assert shown(first) == [made[0].pk, made[1].pk] and "第 1 页，共 2 页" in first
    assert shown(client.get(url, {"p": 2}).content.decode()) == [made[2].pk, made[3].pk]
    assert shown(client.get(url, {"stall_type": food.pk}).content.decode()) == [made[1].pk]
    assert shown(client.get(url, {"status": "waitlisted"}).content.decode()) == [made[2].pk]
    filtered = client.get(url, {"status": "submitted", "stall_type": standard.pk}).content.decode()
    assert shown(filtered) == [made[0].pk, made[3].pk]
    assert "没有符合筛选条件的申请" in client.get(url, {"status": "rejected"}).content.decode()
    # Bad filter values are ignored, not an error.
    assert client.get(url, {"status": "nonsense", "stall_type": "x", "p": "zz"}).status_code == 200
