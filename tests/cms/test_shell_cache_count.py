"""cms.shell_cache.count: remembered totals, and a filter that can match nothing counts 0 instead of failing."""

import pytest
from wagtail.models import Page

from cms import shell_cache

pytestmark = pytest.mark.django_db


def test_a_filter_that_matches_nothing_counts_zero():
    assert shell_cache.count(Page.objects.filter(pk__in=[])) == 0


def test_a_count_is_remembered_until_a_page_is_published(home_page):
    live = Page.objects.live()
    before = shell_cache.count(live)
    assert before == live.count()
    Page.objects.filter(pk=home_page.pk).update(live=False)  # a write behind the publish signals' back
    assert shell_cache.count(live) == before
    shell_cache.bump()
    assert shell_cache.count(live) == before - 1
