"""After-sale (售后) through the pages (buyer, vendor admin, staff admin) and the JSON API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.checkout import after_sale
from marketplace.checkout.models import AfterSaleRequest, Refund, VendorOrder
from tests.factories import make_user, make_vendor_user, pay_by_transfer, place_order, png_upload, ship
from tests.support.api import client_for, post_json

pytestmark = pytest.mark.django_db
Status = AfterSaleRequest.Status


@pytest.fixture
def scene(shop):
    buyer = make_user("buyer", email="buyer@example.cn")
    staff = make_user("boss", is_superuser=True, is_staff=True)
    vendor = make_vendor_user(shop["coop"], "coop-member")
    order = pay_by_transfer(place_order(buyer, (shop["tangelo"], 3), (shop["cake"], 1)), staff)
    return {"buyer": buyer, "staff": staff, "vendor": vendor, "order": order, "shop": shop}


def part_of(scene):
    return scene["order"].vendor_orders.get(vendor=scene["shop"]["coop"])


def tangelo_line(scene):
    return scene["order"].lines.get(product=scene["shop"]["tangelo"])


def form_url(scene):
    return f"/en/orders/{scene['order'].number}/parts/{part_of(scene).pk}/after-sale/"


def ask(scene, quantity=1):
    return after_sale.create_request(
        part_of(scene),
        user=scene["buyer"],
        kind="refund",
        reason="quality",
        quantities={tangelo_line(scene).pk: quantity},
    )


# -- buyer pages ---------------------------------------------------------------------------------------------


def test_before_shipping_the_order_page_offers_cancelling_a_part_and_it_works(client, scene):
    client.force_login(scene["buyer"])
    page = client.get(f"/en/orders/{scene['order'].number}/").content.decode()
    assert "Cancel this part" in page and "data-after-sale-new" not in page

    response = client.post(f"/en/orders/{scene['order'].number}/parts/{part_of(scene).pk}/cancel/", follow=True)

    assert "is cancelled and its money is being refunded" in response.content.decode()
    assert part_of(scene).status == VendorOrder.Status.CANCELLED
    assert client.get(form_url(scene), follow=True).redirect_chain  # no request on a cancelled part


def test_cancelling_a_part_again_says_why_not_and_strangers_and_other_parts_get_404(client, scene):
    cancel_url = f"/en/orders/{scene['order'].number}/parts/{part_of(scene).pk}/cancel/"
    stranger = make_user("stranger")
    client.force_login(stranger)
    assert client.post(cancel_url).status_code == 404
    client.force_login(scene["buyer"])
    assert client.post(f"/en/orders/{scene['order'].number}/parts/999999/cancel/").status_code == 404
    assert client.get(cancel_url).status_code == 405

    first = client.post(cancel_url, follow=True)
    again = client.post(cancel_url, follow=True)

    assert first.redirect_chain == [(f"/en/orders/{scene['order'].number}/", 302)]
    assert "is cancelled and its money is being refunded" in first.content.decode()
    page = again.content.decode()
    assert "only a part that has not shipped can be cancelled" in page
    assert "is cancelled and its money is being refunded" not in page
    assert Refund.objects.filter(payment__order=scene["order"]).count() == 1


def test_the_buyer_asks_with_photos_on_the_form_and_sees_the_request(client, scene):
    ship(scene["order"], scene["staff"])
    client.force_login(scene["buyer"])
    assert "data-after-sale-new" in client.get(f"/en/orders/{scene['order'].number}/").content.decode()
    form = client.get(form_url(scene)).content.decode()
    assert "At most 3" in form and "Quality problem" in form

    response = client.post(
        form_url(scene),
        {
            f"line_{tangelo_line(scene).pk}": "2",
            "kind": "refund",
            "reason": "damaged",
            "note": "压坏了",
            "photos": [png_upload("a.png"), png_upload("b.png")],
        },
        follow=True,
    )

    row = AfterSaleRequest.objects.get()
    assert (
        f'data-after-sale-new="{part_of(scene).pk}"'
        in client.get(f"/en/orders/{scene['order'].number}/").content.decode()
    )
    assert response.redirect_chain[-1][0] == f"/en/orders/{scene['order'].number}/after-sale/{row.pk}/"
    page = response.content.decode()
    assert "Waiting for the vendor" in page and "You asked for after-sale" in page
    assert row.photos.count() == 2 and row.lines.get().quantity == 2
    # The photo is private: the buyer opens it, a stranger does not.
    url = row.photos.first().image.file.url
    assert client.get(url).status_code == 200
    client.force_login(make_user("stranger"))
    assert client.get(url).status_code in (403, 404)
    assert client.get(f"/en/orders/{scene['order'].number}/after-sale/{row.pk}/").status_code == 404


@pytest.mark.parametrize(
    "data, message",
    [
        ({"qty": "4"}, "At most 3 of 常山胡柚 can still be asked for"),
        ({"qty": "0"}, "Choose at least one item and how many."),
        ({"photo": SimpleUploadedFile("fake.png", b"nope", "image/png")}, "fake.png is not a photo we can take"),
    ],
)
def test_bad_input_is_answered_on_the_form_and_nothing_is_stored(client, scene, data, message):
    ship(scene["order"], scene["staff"])
    client.force_login(scene["buyer"])
    post = {f"line_{tangelo_line(scene).pk}": data.get("qty", "1"), "kind": "refund", "reason": "quality"}
    if "photo" in data:
        post["photos"] = [data["photo"]]
    response = client.post(form_url(scene), post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AfterSaleRequest.objects.exists()


def test_after_the_window_the_form_is_refused_with_the_reason(client, scene, settings):
    from datetime import timedelta

    from django.utils import timezone

    from marketplace.checkout import services

    ship(scene["order"], scene["staff"])
    services.confirm_delivery(part_of(scene), user=scene["buyer"])
    VendorOrder.objects.filter(pk=part_of(scene).pk).update(received_at=timezone.now() - timedelta(days=8))
    client.force_login(scene["buyer"])
    response = client.get(form_url(scene), follow=True)
    assert "The after-sale period" in response.content.decode()


def test_refused_then_escalated_from_the_request_page(client, scene):
    ship(scene["order"], scene["staff"])
    row = after_sale.refuse(ask(scene), user=scene["vendor"], reason="完好")
    client.force_login(scene["buyer"])
    url = f"/en/orders/{scene['order'].number}/after-sale/{row.pk}/"
    assert "Ask the platform to decide" in client.get(url).content.decode()

    page = client.post(url + "escalate/", follow=True).content.decode()

    assert "The platform will look at your request" in page
    row.refresh_from_db()
    assert row.status == Status.ESCALATED
    again = client.post(url + "escalate/", follow=True).content.decode()
    assert "cannot be done now" in again


# -- vendor and staff admin --------------------------------------------------------------------------------------


def test_the_vendor_sees_the_request_and_refuses_it_with_a_reason(client, scene):
    ship(scene["order"], scene["staff"])
    row = ask(scene)
    client.force_login(scene["vendor"])
    detail = f"/admin/vendor-orders/{part_of(scene).pk}/"
    assert f'data-after-sale="{row.pk}"' in client.get(detail).content.decode()

    empty = client.post(f"{detail}after-sale/{row.pk}/refuse/", {"reason": ""})
    assert empty.status_code == 200
    row.refresh_from_db()
    assert row.status == Status.REQUESTED

    client.post(f"{detail}after-sale/{row.pk}/refuse/", {"reason": "果子是好的"})
    row.refresh_from_db()
    assert row.status == Status.REFUSED and row.vendor_note == "果子是好的"


def test_another_vendor_cannot_answer(client, scene):
    ship(scene["order"], scene["staff"])
    row = ask(scene)
    other = make_vendor_user(scene["shop"]["shao"], "shao-member")
    client.force_login(other)
    response = client.post(f"/admin/vendor-orders/{part_of(scene).pk}/after-sale/{row.pk}/accept/", {})
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.status == Status.REQUESTED


def test_staff_queue_lists_escalated_first_and_approve_refunds_once(client, scene):
    ship(scene["order"], scene["staff"])
    waiting = ask(scene)
    escalated = after_sale.escalate(
        after_sale.refuse(ask(scene), user=scene["vendor"], reason="no"), user=scene["buyer"]
    )
    client.force_login(scene["staff"])

    queue = client.get("/admin/after-sale/").content.decode()
    assert queue.index(f'data-after-sale="{escalated.pk}"') < queue.index(f'data-after-sale="{waiting.pk}"')

    client.post(f"/admin/after-sale/{escalated.pk}/approve/", {"note": "同意"})
    client.post(f"/admin/after-sale/{escalated.pk}/approve/", {"note": "同意"})  # a double click

    escalated.refresh_from_db()
    assert escalated.status == Status.REFUNDED
    assert Refund.objects.filter(after_sale=escalated).count() == 1
    assert Refund.objects.count() == 1


def test_a_vendor_cannot_open_the_staff_queue(client, scene):
    client.force_login(scene["vendor"])
    assert client.get("/admin/after-sale/").status_code in (302, 403)


# -- JSON API ------------------------------------------------------------------------------------------------


def test_the_api_creates_lists_refuses_and_escalates(scene):
    ship(scene["order"], scene["staff"])
    buyer, vendor = client_for(scene["buyer"]), client_for(scene["vendor"])
    number, part = scene["order"].number, part_of(scene).pk
    body = {"kind": "refund", "reason": "quality", "lines": [{"line": tangelo_line(scene).pk, "quantity": 5}]}

    too_many = post_json(buyer, f"/api/orders/{number}/parts/{part}/after-sale/", body)
    assert too_many.status_code == 400 and too_many.json()["code"] == "invalid_quantity"

    body["lines"][0]["quantity"] = 1
    created = post_json(buyer, f"/api/orders/{number}/parts/{part}/after-sale/", body)
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["status"] == "requested" and created.json()["amount"] == "58.00"
    assert [r["id"] for r in buyer.get(f"/api/orders/{number}/after-sale/").json()] == [pk]
    assert [r["id"] for r in vendor.get("/api/vendor/after-sale/").json()] == [pk]

    assert post_json(buyer, f"/api/after-sale/{pk}/refuse/", {"reason": "x"}).status_code == 404
    refused = post_json(vendor, f"/api/after-sale/{pk}/refuse/", {"reason": "完好"})
    assert refused.json()["status"] == "refused"
    assert post_json(vendor, f"/api/after-sale/{pk}/accept/", {}).status_code == 409
    assert post_json(buyer, f"/api/after-sale/{pk}/escalate/", {}).json()["status"] == "escalated"
    assert post_json(buyer, f"/api/after-sale/{pk}/withdraw/", {}).json()["status"] == "withdrawn"


def test_the_api_refuses_a_request_before_shipping_and_cancels_a_part(scene):
    buyer = client_for(scene["buyer"])
    number, part = scene["order"].number, part_of(scene).pk
    body = {"kind": "refund", "reason": "quality", "lines": [{"line": tangelo_line(scene).pk, "quantity": 1}]}
    early = post_json(buyer, f"/api/orders/{number}/parts/{part}/after-sale/", body)
    assert early.status_code == 409 and early.json()["code"] == "after_sale_window_closed"

    cancelled = post_json(buyer, f"/api/orders/{number}/parts/{part}/cancel/", {})
    assert cancelled.status_code == 200
    assert part_of(scene).status == VendorOrder.Status.CANCELLED


def test_the_after_sale_endpoints_are_in_the_openapi_schema(client, home_page):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/orders/{number}/parts/{part_id}/after-sale/",
        "/api/orders/{number}/after-sale/",
        "/api/after-sale/{pk}/withdraw/",
        "/api/after-sale/{pk}/escalate/",
        "/api/after-sale/{pk}/return/",
        "/api/after-sale/{pk}/accept/",
        "/api/after-sale/{pk}/refuse/",
        "/api/vendor/after-sale/",
        "/api/orders/{number}/parts/{part_id}/cancel/",
    ):
        assert path in paths, path
