"""The OpenAPI schema and docs page (nothing from outside), and error messages in the caller's language."""

import re

import pytest
from django.test import Client

from marketplace.checkout.models import Order
from tests.support.api import bearer_client, order_body, post_json, snapshot

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_endpoints_with_schemas(home_page):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert set(paths) >= {"/api/cart/", "/api/orders/", "/api/orders/{number}/", "/api/orders/{number}/cancel/"}
    create = paths["/api/orders/"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/OrderIn")
    assert {"200", "201", "400", "401", "409"} <= set(create["responses"])
    assert create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/OrderOut")
    assert create["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert any(p["name"] == "X-Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
    assert {"200", "401", "404"} <= set(paths["/api/orders/{number}/"]["get"]["responses"])
    assert "409" in paths["/api/orders/{number}/cancel/"]["post"]["responses"]
    assert paths["/api/cart/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/CartOut"
    )
    components = schema["components"]["schemas"]
    assert {"OrderIn", "OrderOut", "CartOut", "Error", "LineIn", "AddressIn"} <= set(components)
    assert set(components["Error"]["properties"]) >= {"code", "message", "field"}
    assert components["OrderOut"]["properties"]["total"]["type"] == "string"
    assert components["LineIn"]["properties"]["quantity"]["type"] == "integer"
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_docs_page_loads_nothing_from_outside(home_page):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"<(?:script|link)\b[^>]*(?:src|href)=\"([^\"]+)\"", html)
    assert any("swagger-ui-bundle.js" in url for url in assets)
    assert all(url.startswith("/static/") for url in assets), assets
    assert "https://" not in html and "http://" not in html and "//cdn" not in html
    # The bundled files are served by the site itself.
    for url in assets:
        assert Client().get(url).status_code == 200, url


def test_english_error_message(api, shop):
    before = snapshot(shop)
    response = post_json(api, "/api/orders/", order_body((shop["cake"], 4)))
    assert response.status_code == 409
    assert response["Content-Language"] == "en"
    assert response.json()["message"] == "Only 3 斤 of 邵永丰麻饼 left."
    assert snapshot(shop) == before


def test_chinese_error_message_by_accept_language(token, shop):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    response = post_json(client, "/api/orders/", order_body((shop["cake"], 4)))
    assert response.status_code == 409
    assert response["Content-Language"] == "zh-hans"
    assert response.json()["code"] == "out_of_stock"
    assert "Vary" in response and "Accept-Language" in response["Vary"]
    assert not Order.objects.exists()


def test_lang_query_parameter_beats_accept_language(token, shop):
    client = bearer_client(token)  # Accept-Language: en
    response = post_json(client, "/api/orders/?lang=zh-hans", order_body((shop["cake"], 4)))
    assert response["Content-Language"] == "zh-hans"
    english = post_json(client, "/api/orders/?lang=en", order_body((shop["cake"], 4)))
    assert english["Content-Language"] == "en"


def test_401_is_translated_too(home_page):
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/cart/")
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/api/cart/")
    assert english["Content-Language"] == "en" and chinese["Content-Language"] == "zh-hans"
    assert english.json()["code"] == chinese.json()["code"] == "unauthorized"


def test_translated_validation_message(token, shop):
    """'Quantities must be whole numbers.' is in the marketplace catalogue already."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = post_json(client, "/api/orders/", order_body((shop["cake"], "x")))
    assert response.json()["code"] == "invalid_quantity"
    assert response.json()["message"] != "Quantities must be whole numbers."
