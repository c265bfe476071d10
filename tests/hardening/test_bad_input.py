"""Bad input answers 4xx or a normal page with a message, never 500, and changes nothing (issue #18, point 7)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cms.errors import DomainError
from cms.models import ApiToken
from marketplace.models import ProductStock
from marketplace.services.stock import set_stock
from marketplace.templatetags.market_tags import highlight

pytestmark = pytest.mark.django_db
BIG = "99999999999999999999"


def test_highlight_survives_characters_that_grow_when_lower_cased():
    assert str(highlight("İstanbul 胡柚 İİ", "İ")) == "<mark>İ</mark>stanbul 胡柚 <mark>İİ</mark>"
    assert str(highlight("İstanbul", "i")) == "<mark>İ</mark>stanbul"
    assert str(highlight("ǅemal <b>", "ǆ")) == "<mark>ǅ</mark>emal &lt;b&gt;"


def test_search_for_a_product_whose_name_grows_when_lower_cased(client, make_vendor, make_product, changshan):
    vendor = make_vendor("İzmir 合作社", changshan)
    make_product(vendor, "İİİ 胡柚 İzmir", "10.00")
    for query in ("İ", "i", "胡柚", "İzmir"):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200, query
    assert "<mark>" in client.get("/search/", {"q": "胡柚"}).content.decode()


def test_cart_product_id_beyond_64_bits(client):
    for product in (BIG, "18446744073709551616", "2147483648", "-1"):
        response = client.post("/cart/add/", {"product": product, "quantity": 1})
        assert response.status_code == 302
    assert not client.session.get("cart")


def test_stock_above_the_integer_column(make_vendor, make_product, changshan, django_user_model):
    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw")
    product = make_product(make_vendor("常山胡柚合作社", changshan), "常山胡柚", "10.00", stock=5)
    with pytest.raises(DomainError) as refused:
        set_stock(product, str(2**31), staff)
    assert refused.value.field == "quantity"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)
    for data in ({"product": product.pk, "quantity": "999999999999"}, {"product": BIG, "quantity": "1"}):
        response = client.post("/admin/marketplace/stock/", data)
        assert response.status_code == 302, data
    assert ProductStock.objects.get(product=product).quantity == 5


def bearer(user):
    _token, secret = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")


def test_order_api_bounds():
    client = bearer(get_user_model().objects.create_user("buyer", password="pw"))
    for query in (f"page={BIG}", "page=-1", "page=abc", "page_size=0", f"page_size={BIG}"):
        response = client.get(f"/api/orders/?{query}")
        assert response.status_code == 400, query
        assert response.json()["code"] == "invalid"
    body = {"lines": [{"product": int(BIG), "quantity": 1}], "address_id": int(BIG), "payment_method": "card"}
    response = client.post("/api/orders/", body, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("query", ["offset=abc", "limit=-1", "type=nope", "fields=title,bad", f"offset={BIG}"])
def test_api_v2_malformed_filters(client, query):
    response = client.get(f"/api/v2/pages/?{query}")
    assert 400 <= response.status_code < 500, (query, response.status_code)


def test_api_500_is_json(monkeypatch):
    """Whatever breaks inside the JSON API or API v2 answers JSON, in the request's language."""
    from cms.api import SitePagesAPIViewSet
    from marketplace.checkout import api as checkout_api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(SitePagesAPIViewSet, "get_queryset", broken)
    monkeypatch.setattr(checkout_api, "Cart", broken)
    client = bearer(get_user_model().objects.create_user("buyer", password="pw"))
    for url in ("/api/v2/pages/", "/api/cart/"):
        response = client.get(url)
        assert response.status_code == 500, url
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert body["code"] == "server_error" and body["message"].startswith("Something went wrong"), body
    chinese = Client(raise_request_exception=False).get("/api/v2/pages/")
    assert chinese.status_code == 500 and "出错" in chinese.json()["message"]
    # Pages stay HTML.
    assert "text/html" in Client(raise_request_exception=False).get("/en/").get("Content-Type", "text/html")


def test_ids_beyond_64_bits_in_paths(unit_a):
    """Path arguments (<int:pk>, API path parameters) no form sees: 400 (JSON under /api/) or 404, never 500."""
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(unit_a.users["buyer"])
    for url in (f"/canteen/{BIG}/", f"/canteen/{BIG}/share/", f"/en/canteen/{BIG}/statement/"):
        assert client.get(url).status_code in (400, 404), url
    api = bearer(unit_a.users["buyer"])
    for url in (f"/api/canteen/units/{BIG}/", f"/api/canteen/units/{BIG}/orders/"):
        response = api.get(url)
        assert response.status_code in (400, 404), url
        assert response["Content-Type"].startswith("application/json")


def test_share_year_out_of_range(unit_a, django_user_model):
    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw")
    for client, url in ((bearer(staff), "/api/canteen/share/"), (bearer(unit_a.users["finance"]), None)):
        url = url or f"/api/canteen/units/{unit_a.pk}/share/"
        for year in ("-1", BIG, "1999", "2101", "abc"):
            response = client.get(url, {"year": year})
            assert response.status_code == 400, (url, year)
        assert client.get(url, {"year": "2026"}).status_code == 200


def test_unknown_api_path_is_json():
    response = Client().get("/api/nope/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_non_numeric_id_in_a_wagtail_chooser(django_user_model):
    client = Client(raise_request_exception=False)
    client.force_login(django_user_model.objects.create_superuser("staff", "s@example.com", "pw"))
    for url in ("/admin/images/chooser/chosen/nope/", "/admin/documents/chooser/chosen/nope/"):
        assert client.get(url).status_code in (400, 404), url
