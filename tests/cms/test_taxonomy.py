import datetime

import pytest
from django.db import IntegrityError, transaction

from cms.models import City, County, MountainCountyMembership, MountainSeaPair

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def quzhou():
    return City.objects.create(code="330800", name="衢州市", name_en="Quzhou")


@pytest.fixture
def counties(quzhou):
    hangzhou = City.objects.create(code="330100", name="杭州市", name_en="Hangzhou", coastal=True)
    kecheng = County.objects.create(city=quzhou, name="柯城区", name_en="Kecheng", slug="kecheng")
    changshan = County.objects.create(city=quzhou, name="常山县", name_en="Changshan", slug="changshan")
    gongshu = County.objects.create(city=hangzhou, name="拱墅区", name_en="Gongshu", slug="gongshu")
    MountainCountyMembership.objects.create(county=kecheng, since=D(2021, 1, 1), until=D(2024, 8, 1))
    MountainCountyMembership.objects.create(county=changshan, since=D(2021, 1, 1))
    return {"kecheng": kecheng, "changshan": changshan, "gongshu": gongshu}


def test_membership_is_dated(counties):
    kecheng = counties["kecheng"]
    assert kecheng.is_mountain_on(D(2021, 1, 1))
    assert kecheng.is_mountain_on(D(2024, 7, 31))
    # The day it left the list it is no longer a mountain county.
    assert not kecheng.is_mountain_on(D(2024, 8, 1))
    assert not kecheng.is_mountain_on(D(2020, 12, 31))
    assert counties["changshan"].is_mountain_on(D(2030, 1, 1))
    assert not counties["gongshu"].is_mountain_on(D(2024, 1, 1))


def test_mountain_on_queryset_matches_per_county_answer(counties):
    assert set(County.objects.mountain_on(D(2024, 1, 1)).values_list("name", flat=True)) == {"柯城区", "常山县"}
    assert set(County.objects.mountain_on(D(2025, 1, 1)).values_list("name", flat=True)) == {"常山县"}


def test_county_rejoining_the_list_is_not_counted_twice(counties):
    kecheng = counties["kecheng"]
    MountainCountyMembership.objects.create(county=kecheng, since=D(2026, 1, 1))
    assert list(County.objects.mountain_on(D(2026, 6, 1)).filter(pk=kecheng.pk)) == [kecheng]
    assert not kecheng.is_mountain_on(D(2025, 6, 1))


def test_membership_cannot_end_before_it_starts(counties):
    with pytest.raises(IntegrityError), transaction.atomic():
        MountainCountyMembership.objects.create(county=counties["gongshu"], since=D(2024, 1, 1), until=D(2023, 1, 1))


def test_pairs_are_unique_and_between_two_counties(counties):
    pair = MountainSeaPair.objects.create(mountain_county=counties["changshan"], coastal_county=counties["gongshu"])
    assert counties["changshan"].mountain_sea_partners() == [counties["gongshu"]]
    assert counties["gongshu"].mountain_sea_partners() == [counties["changshan"]]
    assert str(pair) == "常山县 ↔ 拱墅区"
    with pytest.raises(IntegrityError), transaction.atomic():
        MountainSeaPair.objects.create(mountain_county=counties["changshan"], coastal_county=counties["gongshu"])
    with pytest.raises(IntegrityError), transaction.atomic():
        MountainSeaPair.objects.create(mountain_county=counties["changshan"], coastal_county=counties["changshan"])


def test_display_name_follows_the_active_language(counties):
    from django.utils import translation

    with translation.override("en"):
        assert counties["changshan"].display_name == "Changshan"
    with translation.override("zh-hans"):
        assert counties["changshan"].display_name == "常山县"
    counties["changshan"].name_en = ""
    with translation.override("en"):
        assert counties["changshan"].display_name == "常山县"
