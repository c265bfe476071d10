"""The order's hot queries compiled once (cms.prepared_query): the same instances as the queryset, one statement for
the API token with its last use on PostgreSQL, and the products of an order."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import ApiToken
from cms.prepared_query import PreparedQuery
from marketplace.checkout.services import products_for_order

pytestmark = pytest.mark.django_db

SLOT = "\0slot"


def test_gives_the_instances_the_queryset_gives(buyer, other_buyer):
    mine, _secret = ApiToken.issue(buyer, "phone")
    ApiToken.issue(other_buyer, "other")
    tokens = ApiToken.objects.select_related("user").annotate(twice=F("id") * 2).order_by()
    query = PreparedQuery(tokens.filter(key_hash=SLOT), SLOT)

    with CaptureQueriesContext(connection) as ctx:
        (found,) = query(mine.key_hash)
        user, twice = found.user, found.twice  # select_related and the annotation: no query more
    assert len(ctx.captured_queries) == 1
    expected = tokens.get(pk=mine.pk)
    assert found == expected and user == buyer and twice == 2 * mine.pk
    assert found.created_at == expected.created_at  # the database's converters applied (SQLite: text → datetime)
    assert not found._state.adding and found._state.db == "default"
    assert query("no such hash") == []


def test_every_slot_must_be_among_the_parameters_once():
    with pytest.raises(ImproperlyConfigured):
        PreparedQuery(ApiToken.objects.filter(name="phone"), SLOT)
    with pytest.raises(ImproperlyConfigured):
        PreparedQuery(ApiToken.objects.filter(key_hash=SLOT, name=SLOT), SLOT)
    with pytest.raises(TypeError):
        PreparedQuery(ApiToken.objects.filter(key_hash=SLOT), SLOT)()


def _touch_statements():
    """Statements of a token's read: 1 on PostgreSQL (its last use written in the same statement), else 2 when due."""
    return 1 if connection.vendor == "postgresql" else 2


def test_a_token_read_writes_its_last_use_when_due(buyer):
    token, secret = ApiToken.issue(buyer, "phone")
    with CaptureQueriesContext(connection) as ctx:
        found = ApiToken.find_active(secret)
    assert found == token and found.user == buyer
    assert len(ctx.captured_queries) == _touch_statements()
    token.refresh_from_db()
    assert token.last_used_at == found.last_used_at and token.last_used_at is not None

    # Used a moment ago: nothing written.
    with CaptureQueriesContext(connection) as ctx:
        again = ApiToken.find_active(secret)
    assert len(ctx.captured_queries) == 1 and again.last_used_at == token.last_used_at
    if connection.vendor == "postgresql":
        assert ctx.captured_queries[0]["sql"].startswith("WITH touched AS (UPDATE")

    # Used two minutes ago: written again.
    long_ago = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    later = ApiToken.find_active(secret)
    token.refresh_from_db()
    assert later.last_used_at > long_ago and token.last_used_at == later.last_used_at


def test_revoked_tokens_and_inactive_users_are_not_found_nor_touched(buyer, other_buyer):
    revoked, revoked_secret = ApiToken.issue(buyer, "old")
    revoked.revoke()
    inactive, inactive_secret = ApiToken.issue(other_buyer, "gone")
    other_buyer.is_active = False
    other_buyer.save()

    assert ApiToken.find_active(revoked_secret) is None
    assert ApiToken.find_active(inactive_secret) is None
    assert ApiToken.find_active("shm_unknown") is None
    assert set(ApiToken.objects.values_list("last_used_at", flat=True)) == {None}


def test_products_for_order_reads_every_product_in_one_query(shop):
    ids = [shop["tangelo"].pk, shop["cake"].pk]
    with CaptureQueriesContext(connection) as ctx:
        products = products_for_order(ids)
        tiers = list(products[shop["tangelo"].pk].tier_prices.all())
    assert len(ctx.captured_queries) == 1
    assert set(products) == set(ids)
    assert products[shop["cake"].pk].title == shop["cake"].title
    assert products[shop["tangelo"].pk].vendor.title == shop["tangelo"].vendor.title
    assert [t.min_quantity for t in tiers] == [t.min_quantity for t in shop["tangelo"].tier_prices.all()]
    assert products_for_order([shop["cake"].pk]).keys() == {shop["cake"].pk}  # another number of ids: its own SQL
    assert products_for_order([]) == {}
