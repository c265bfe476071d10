"""Stock in the admin: set_stock, the Stock view and the vendor dashboard panel."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from wagtail.models import PageLogEntry

from cms.errors import DomainError
from marketplace.models import ProductStock
from marketplace.services.stock import set_stock
from tests.factories import make_user, make_vendor_user
from tests.factories import stock as stock_of  # `stock` names set_stock's result in these tests

pytestmark = pytest.mark.django_db

STOCK_URL = "/admin/marketplace/stock/"


@pytest.fixture
def shop(make_vendor, make_product, changshan, kecheng):
    a = make_vendor("常山胡柚合作社", changshan)
    b = make_vendor("柯城橘子农场", kecheng)
    return {
        "a": a,
        "a_product": make_product(a, "常山胡柚", "39.00", stock=50),
        "a_low": make_product(a, "胡柚膏", "58.00", stock=5, category="processed"),
        "a_moq": make_product(a, "胡柚整箱", "120.00", stock=12, min_order_quantity=5),
        "b_product": make_product(b, "柯城椪柑", "25.00", stock=80),
        "a_user": make_vendor_user(a, "vendor-a"),
        "b_user": make_vendor_user(b, "vendor-b"),
    }


def test_set_stock_changes_and_logs(shop):
    product, user = shop["a_product"], shop["a_user"]
    stock = set_stock(product, 7, user)
    assert stock.quantity == 7
    assert stock_of(product) == 7
    entry = PageLogEntry.objects.get(page=product, action="marketplace.stock_changed")
    assert entry.data == {"old": 50, "new": 7}
    assert entry.user == user
    assert "50" in entry.message and "7" in entry.message
    assert set_stock(product, "12", user).quantity == 12


def test_set_stock_creates_missing_row(shop):
    product = shop["a_product"]
    ProductStock.objects.filter(product=product).delete()
    assert set_stock(product, 3, shop["a_user"]).quantity == 3
    assert stock_of(product) == 3


@pytest.mark.parametrize(
    ("quantity", "code"),
    [
        (-1, "negative_quantity"),
        ("-5", "negative_quantity"),
        ("2.5", "invalid_quantity"),
        (Decimal("1.5"), "invalid_quantity"),
        ("abc", "invalid_quantity"),
        (True, "invalid_quantity"),
    ],
)
def test_set_stock_refuses_bad_numbers(shop, quantity, code):
    product = shop["a_product"]
    with pytest.raises(DomainError) as refused:
        set_stock(product, quantity, shop["a_user"])
    assert refused.value.code == code
    assert refused.value.field == "quantity"
    assert str(refused.value.message)
    assert stock_of(product) == 50
    assert not PageLogEntry.objects.filter(action="marketplace.stock_changed").exists()


def test_set_stock_refuses_other_vendors_product(shop):
    with pytest.raises(DomainError) as refused:
        set_stock(shop["b_product"], 1, shop["a_user"])
    assert refused.value.code == "forbidden"
    assert stock_of(shop["b_product"]) == 80


def test_stock_view_lists_own_products_and_saves(client, shop):
    client.force_login(shop["a_user"])
    page = client.get(STOCK_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "常山胡柚" in html and "胡柚膏" in html
    assert "柯城椪柑" not in html

    response = client.post(STOCK_URL, {"product": shop["a_product"].pk, "quantity": "33"})
    assert response.status_code == 302
    assert stock_of(shop["a_product"]) == 33

    client.post(STOCK_URL, {"product": shop["a_product"].pk, "quantity": "-4"})
    assert stock_of(shop["a_product"]) == 33
    messages = [m.message for m in client.get(STOCK_URL).context["messages"]]
    assert any("常山胡柚" in m for m in messages)


def test_stock_view_refuses_other_vendors_product(client, shop):
    client.force_login(shop["a_user"])
    response = client.post(STOCK_URL, {"product": shop["b_product"].pk, "quantity": "1"})
    assert response.status_code == 404
    assert stock_of(shop["b_product"]) == 80


def test_stock_view_needs_a_vendor_or_the_permission(client, shop):
    client.force_login(make_user("nobody"))
    assert client.get(STOCK_URL).status_code == 302  # no admin access: login page

    staff = make_user("stock-staff")
    staff.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="change_productstock")
    )
    client.force_login(staff)
    html = client.get(STOCK_URL).content.decode()
    assert "柯城椪柑" in html and "常山胡柚" in html
    filtered = client.get(STOCK_URL, {"vendor": shop["a"].pk}).content.decode()
    assert "柯城椪柑" not in filtered.split("<tbody>")[1]
    client.post(STOCK_URL + f"?vendor={shop['a'].pk}", {"product": shop["b_product"].pk, "quantity": "9"})
    assert stock_of(shop["b_product"]) == 80  # outside the filtered list
    client.post(STOCK_URL, {"product": shop["b_product"].pk, "quantity": "9"})
    assert stock_of(shop["b_product"]) == 9


def test_dashboard_panel_shows_low_stock(client, shop):
    client.force_login(shop["a_user"])
    html = client.get("/admin/").content.decode()
    assert 'id="marketplace-vendor-' in html
    low = html.split('class="marketplace-low-stock"')[1].split("</ul>")[0]
    assert "胡柚膏" in low  # 5 < 10
    assert "胡柚整箱" in low  # 12 < 3 × 5
    assert "常山胡柚<" not in low  # 50 is plenty
    assert 'data-live="3" data-draft="0" data-in-moderation="0"' in html

    set_stock(shop["a_low"], 40, shop["a_user"])
    html = client.get("/admin/").content.decode()
    assert "胡柚膏" not in html.split('class="marketplace-low-stock"')[1].split("</ul>")[0]


def test_dashboard_panel_shows_pending_applications_to_reviewers(client, shop):
    reviewer = make_user("reviewer")
    reviewer.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="approve_vendor")
    )
    client.force_login(reviewer)
    html = client.get("/admin/").content.decode()
    assert 'id="marketplace-applications-section"' in html
    assert "?status=pending" in html
    client.force_login(shop["b_user"])
    assert 'id="marketplace-applications-section"' not in client.get("/admin/").content.decode()
