"""What placing an order costs the database: a fixed number of queries, whatever the number of lines and
vendors, with everything that can wait (notices, the page cache's stock check) left for after commit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.checkout.models import Order
from tests.factories.checkout import stock
from tests.support.api import order_body, post_json

pytestmark = pytest.mark.django_db

# token → user, the products with their vendors, the vendors' shipping rules with their regions and the products'
# tier prices, one UPDATE … RETURNING for every line's stock, then one INSERT each for the order, its vendor parts,
# its lines and its "placed" event. The same on SQLite and PostgreSQL, for any number of lines and vendors.
QUERIES_PER_ORDER = 7


def statements(ctx):
    """The queries a request sent, without the savepoints of the test's own transaction."""
    savepoints = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(savepoints)]


@pytest.fixture(autouse=True)
def warm(api, shop):
    """One order first, so that what a process looks up once (the site, content types) is not counted."""
    assert post_json(api, "/api/orders/", order_body((shop["bulk"], 5))).status_code == 201


def place(api, *lines, capture):
    with CaptureQueriesContext(connection) as ctx, capture() as callbacks:
        response = post_json(api, "/api/orders/", order_body(*lines))
    assert response.status_code == 201, response.json()
    return response, statements(ctx), callbacks


def test_one_product_costs_a_fixed_number_of_queries(api, shop, django_capture_on_commit_callbacks):
    response, sql, callbacks = place(api, (shop["tangelo"], 1), capture=django_capture_on_commit_callbacks)

    assert len(sql) == QUERIES_PER_ORDER, "\n".join(sql)
    # The stock is taken in one round trip that also says what is left.
    # (On PostgreSQL inside a WITH that also reads what a refusal would need.)
    updates = [s for s in sql if 'UPDATE "marketplace_productstock"' in s]
    assert len(updates) == 1 and "RETURNING" in updates[0]
    assert not any(s.startswith("SELECT") and "marketplace_productstock" in s for s in sql)
    # The buyer and the vendor hear of it through one task queued after commit.
    assert len(callbacks) == 1
    assert stock(shop["tangelo"]) == 9
    body = response.json()
    assert body["lines"][0]["quantity"] == 1 and body["vendor_parts"][0]["subtotal"] == "58.00"
    assert body["payment_status"] is None


def test_more_lines_and_vendors_cost_no_more_queries(api, shop, django_capture_on_commit_callbacks):
    response, sql, callbacks = place(
        api, (shop["tangelo"], 5), (shop["cake"], 2), capture=django_capture_on_commit_callbacks
    )

    assert len(sql) == QUERIES_PER_ORDER, "\n".join(sql)  # one stock UPDATE for both lines, no more INSERTs
    updates = [s for s in sql if 'UPDATE "marketplace_productstock"' in s]
    assert len(updates) == 1 and str(shop["tangelo"].pk) in updates[0] and str(shop["cake"].pk) in updates[0]
    assert len(callbacks) == 1
    assert stock(shop["tangelo"]) == 5 and stock(shop["cake"]) == 1
    order = Order.objects.get(number=response.json()["number"])
    parts = {p.vendor_name: p.subtotal for p in order.vendor_orders.all()}
    assert {k: str(v) for k, v in parts.items()} == {"常山胡柚合作社": "260.00", "邵永丰食品": "60.00"}
    assert sorted((line.name, line.vendor_order.vendor_name) for line in order.lines.all()) == [
        ("常山胡柚", "常山胡柚合作社"),
        ("邵永丰麻饼", "邵永丰食品"),
    ]
    assert response.json()["total"] == "320.00"  # the tangelo's tier price (5 → 52.00), read with the product


def test_shipping_regions_come_with_the_product(api, shop, django_capture_on_commit_callbacks):
    """A vendor's rule with regions: their fees apply, read in the product's row (no query for the regions)."""
    from marketplace.checkout.models import ShippingRegion, ShippingRule

    rule = ShippingRule.objects.create(vendor=shop["coop"], name="江浙沪", first_fee="12.00")
    ShippingRegion.objects.create(rule=rule, provinces=["新疆维吾尔自治区"], first_fee="30.00", sort_order=0)
    ShippingRegion.objects.create(rule=rule, provinces=["浙江省", "上海市"], first_fee="6.50", sort_order=1)

    response, sql, _callbacks = place(api, (shop["tangelo"], 1), capture=django_capture_on_commit_callbacks)

    assert len(sql) == QUERIES_PER_ORDER, "\n".join(sql)
    assert not any(s.startswith('SELECT "marketplace_shippingregion"') for s in sql)
    assert response.json()["vendor_parts"][0]["shipping_fee"] == "6.50"  # the address is in 浙江省
    assert response.json()["total"] == "64.50"


def test_a_first_call_with_a_token_writes_its_last_use_once(shop, buyer, django_capture_on_commit_callbacks):
    """A token's last use is written at most once a minute: on its first call (on PostgreSQL in the token's read, a
    WITH clause; elsewhere one UPDATE more), not on the next."""
    from cms.models import ApiToken
    from tests.support.api import bearer_client

    token, secret = ApiToken.issue(buyer, "fresh")
    client = bearer_client(secret)
    with CaptureQueriesContext(connection) as first:
        response = post_json(client, "/api/orders/", order_body((shop["tangelo"], 1)))
    assert response.status_code == 201, response.json()
    touch = 0 if connection.vendor == "postgresql" else 1
    assert len(statements(first)) == QUERIES_PER_ORDER + touch, "\n".join(statements(first))
    token.refresh_from_db()
    assert token.last_used_at is not None
    with CaptureQueriesContext(connection) as second:
        response = post_json(client, "/api/orders/", order_body((shop["tangelo"], 1)))
    assert response.status_code == 201, response.json()
    assert len(statements(second)) == QUERIES_PER_ORDER, "\n".join(statements(second))


def test_a_refusal_reads_the_stock_once_for_its_message(api, shop):
    with CaptureQueriesContext(connection) as ctx:
        response = post_json(api, "/api/orders/", order_body((shop["cake"], 4)))
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "out_of_stock"
    assert "3" in response.json()["message"]
    # token, products and the refused UPDATE, which on PostgreSQL also says what is left (elsewhere one SELECT more):
    # no INSERT
    assert len(statements(ctx)) == (3 if connection.vendor == "postgresql" else 4), "\n".join(statements(ctx))
    assert stock(shop["cake"]) == 3


def test_the_order_placed_still_answers_queries_about_its_relations(buyer, shop):
    from marketplace.checkout.services import Address, LineRequest, place_order

    order = place_order(
        buyer=buyer,
        lines=[LineRequest(shop["tangelo"].pk, 2)],
        payment_method="bank_transfer",
        address=Address("张三", "13800138000", "浙江省", "衢州市", "常山县", "天马街道 1 号"),
    )
    assert [line.quantity for line in order.lines.all()] == [2]
    assert list(order.lines.exclude(product=None).values_list("product_id", flat=True)) == [shop["tangelo"].pk]
    assert order.payments.filter(status="pending").count() == 0 and list(order.payments.all()) == []
    order.payments.create(method="bank_transfer", amount=order.total)
    assert order.payments.count() == 1  # payments are never taken from a cache
    assert order.vendor_orders.count() == 1 and order.vendor_orders.all()[0].subtotal == 116


def test_a_refusal_names_the_first_refused_line_and_takes_nothing(api, shop):
    """One statement for every line: all or none; the message is about the first refused product by id."""
    from marketplace.models import ProductStock

    ProductStock.objects.filter(product=shop["tangelo"]).update(quantity=1)
    first = min(shop["tangelo"], shop["cake"], key=lambda p: p.pk)  # both are refused (1 of 2, 3 of 4)
    response = post_json(api, "/api/orders/", order_body((shop["cake"], 4), (shop["bulk"], 5), (shop["tangelo"], 2)))
    assert response.status_code == 409 and response.json()["code"] == "out_of_stock", response.json()
    assert first.title in response.json()["message"]
    assert stock(shop["tangelo"]) == 1 and stock(shop["cake"]) == 3 and stock(shop["bulk"]) == 45


def test_a_refusal_after_another_order_took_the_last_units_says_sold_out(api, shop):
    """The stock read with a refused UPDATE is trusted only when it says too few: here it is read again."""
    from marketplace.models import ProductStock

    ProductStock.objects.filter(product=shop["cake"]).update(quantity=0)
    response = post_json(api, "/api/orders/", order_body((shop["cake"], 1)))
    assert response.status_code == 409 and response.json()["code"] == "out_of_stock", response.json()
    assert response.json()["message"].endswith("is sold out.")
    assert stock(shop["cake"]) == 0


def test_a_bearer_call_skips_the_session_site_and_page_cache_middleware(api, shop):
    """BearerApiMiddleware (cms.middleware): no session, no site lookup, no CSRF cookie; the security headers stay."""
    response = post_json(api, "/api/orders/", order_body((shop["tangelo"], 1)))
    assert response.status_code == 201
    request = response.wsgi_request
    assert not hasattr(request, "session") and not hasattr(request, "_wagtail_site")
    assert not response.cookies
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"
    assert response["Content-Language"] == "en"
