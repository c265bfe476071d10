"""Reviews in the JSON API: create (multipart), a product's approved reviews, the vendor's reply, error codes and
the OpenAPI schema."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image as PILImage

from cms.json_api.errors import STATUS_BY_CODE
from marketplace.reviews import services
from marketplace.reviews.models import Review
from tests.factories import (
    approved_review,
    line_of,
    make_vendor_user,
    pay_by_transfer,
    place_order,
    received_order,
)
from tests.support.api import client_for, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.cn", "pw")


@pytest.fixture
def goods(make_vendor, make_product, changshan):
    coop = make_vendor("常山胡柚合作社", changshan)
    return {"coop": coop, "tangelo": make_product(coop, "常山胡柚", "30.00", stock=50)}


def png():
    buffer = io.BytesIO()
    PILImage.new("RGB", (30, 30), "blue").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def test_the_buyer_reviews_a_received_line_once(buyer, staff, goods):
    order = received_order(buyer, staff, (goods["tangelo"], 1))
    line = line_of(order, goods["tangelo"])
    api = client_for(buyer)
    url = f"/api/orders/{order.number}/lines/{line.pk}/review/"
    created = api.post(url, {"rating": "5", "text": "好吃", "photos": [png()]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "pending" and body["rating"] == 5 and body["author"] == "b**"
    assert len(body["photos"]) == 1 and body["photos"][0]["thumbnail"]
    again = api.post(url, {"rating": "4"})
    assert again.status_code == 409 and again.json()["code"] == "already_reviewed"
    assert Review.objects.count() == 1


def test_refusals_answer_with_their_codes(buyer, staff, goods, django_user_model):
    order = pay_by_transfer(place_order(buyer, (goods["tangelo"], 1)), staff)
    line = line_of(order, goods["tangelo"])
    api = client_for(buyer)
    url = f"/api/orders/{order.number}/lines/{line.pk}/review/"
    not_received = api.post(url, {"rating": "5"})
    assert not_received.status_code == 409 and not_received.json()["code"] == "not_received"
    assert "receipt" in not_received.json()["message"]
    bad_rating = api.post(url, {"rating": "9"})
    assert bad_rating.status_code == 400 and bad_rating.json()["code"] == "invalid_rating"
    stranger = client_for(django_user_model.objects.create_user("x", "x@example.cn", "pw"))
    assert stranger.post(url, {"rating": "5"}).status_code == 404
    assert Client().post(url, {"rating": "5"}).status_code == 401
    assert not Review.objects.exists()
    assert STATUS_BY_CODE["not_received"] == 409 and STATUS_BY_CODE["invalid_rating"] == 400


def test_a_products_reviews_are_public_and_only_approved(buyer, staff, goods):
    first = received_order(buyer, staff, (goods["tangelo"], 2))
    second = received_order(buyer, staff, (goods["tangelo"], 1))
    approved_review(first, goods["tangelo"], staff, rating=4, text="甜")
    services.create_review(line_of(second, goods["tangelo"]), user=buyer, rating=1, text="待审")
    answer = Client().get(f"/api/products/{goods['tangelo'].pk}/reviews/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1 and body["average_rating"] == "4.0" and body["sold_count"] == 3
    assert [item["text"] for item in body["items"]] == ["甜"]
    assert Client().get("/api/products/999999/reviews/").status_code == 404


def test_the_vendor_replies_once(buyer, staff, goods):
    order = received_order(buyer, staff, (goods["tangelo"], 1))
    review = approved_review(order, goods["tangelo"], staff)
    vendor_api = client_for(make_vendor_user(goods["coop"], "coop"))
    url = f"/api/reviews/{review.pk}/reply/"
    replied = post_json(vendor_api, url, {"text": "谢谢"})
    assert replied.status_code == 200 and replied.json()["reply"] == "谢谢"
    again = post_json(vendor_api, url, {"text": "再谢"})
    assert again.status_code == 409 and again.json()["code"] == "already_replied"
    buyer_try = post_json(client_for(buyer), url, {"text": "我也说"})
    assert buyer_try.status_code == 403 and buyer_try.json()["code"] == "forbidden"


def test_the_schema_lists_the_review_endpoints(home_page):
    paths = Client().get("/api/openapi.json").json()["paths"]
    assert "get" in paths["/api/products/{product_id}/reviews/"]
    create = paths["/api/orders/{number}/lines/{line_id}/review/"]["post"]
    assert {"201", "400", "401", "404", "409"} <= set(create["responses"])
    assert "multipart/form-data" in create["requestBody"]["content"]
    assert {"200", "403", "409"} <= set(paths["/api/reviews/{review_id}/reply/"]["post"]["responses"])
