"""marketplace.services.stock.reserve: every line of an order in one statement, all or none."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cms.errors import DomainError
from marketplace.errors import MarketplaceCode
from marketplace.models import ProductStock
from marketplace.services import stock as stock_service
from marketplace.signals import stock_moved
from tests.factories import stock

pytestmark = pytest.mark.django_db


def test_every_line_is_taken_in_one_statement_and_the_page_cache_hears_what_is_left(shop):
    heard = []

    def listener(sender, product_ids, known=None, **kwargs):
        heard.append((sorted(product_ids), known))

    stock_moved.connect(listener)
    try:
        with CaptureQueriesContext(connection) as ctx, transaction.atomic():
            stock_service.reserve([(shop["cake"], 2), (shop["tangelo"], 3), (shop["bulk"], 5)])
    finally:
        stock_moved.disconnect(listener)

    updates = [q["sql"] for q in ctx.captured_queries if "UPDATE" in q["sql"]]
    assert len(updates) == 1
    assert (stock(shop["tangelo"]), stock(shop["cake"]), stock(shop["bulk"])) == (7, 1, 45)
    ((ids, known),) = heard
    assert ids == sorted([shop["cake"].pk, shop["tangelo"].pk, shop["bulk"].pk])
    assert known[shop["cake"].pk][0] == 1 and known[shop["bulk"].pk][0] == 45


def test_a_refusal_names_the_first_refused_product_by_id_and_the_rollback_gives_everything_back(shop):
    first, second = sorted([shop["tangelo"], shop["cake"]], key=lambda p: p.pk)
    ProductStock.objects.filter(product=first).update(quantity=1)
    ProductStock.objects.filter(product=second).update(quantity=0)

    with pytest.raises(DomainError) as excinfo, transaction.atomic():
        stock_service.reserve([(second, 1), (shop["bulk"], 5), (first, 2)])

    assert excinfo.value.code is MarketplaceCode.OUT_OF_STOCK
    assert first.title in excinfo.value.message and "1" in excinfo.value.message
    assert (stock(first), stock(second), stock(shop["bulk"])) == (1, 0, 50)


def test_nothing_left_is_sold_out(shop):
    ProductStock.objects.filter(product=shop["cake"]).update(quantity=0)
    with pytest.raises(DomainError) as excinfo, transaction.atomic():
        stock_service.reserve([(shop["cake"], 1)])
    assert excinfo.value.code is MarketplaceCode.SOLD_OUT and shop["cake"].title in excinfo.value.message
    assert stock(shop["cake"]) == 0


def test_no_lines_send_nothing(shop):
    with CaptureQueriesContext(connection) as ctx:
        stock_service.reserve([])
    assert ctx.captured_queries == []
