from django import forms
from django.utils.translation import gettext_lazy as _

from .catalogue import DEFAULT_SORT
from .models import VendorPage
from .taxonomy_cache import filter_choices

SORT_CHOICES = [
    ("newest", _("Newest")),
    ("price", _("Price: low to high")),
    ("-price", _("Price: high to low")),
    ("name", _("Name")),
]


class ProductFilterForm(forms.Form):
    """Listing filters by slug or code; choices come from the taxonomy cache, so rendering costs no query."""

    county = forms.ChoiceField(required=False, label=_("County"))
    city = forms.ChoiceField(required=False, label=_("City"))
    category = forms.ChoiceField(required=False, label=_("Category"))
    mark = forms.ChoiceField(required=False, label=_("Mark"))
    price_min = forms.DecimalField(required=False, min_value=0, decimal_places=2, label=_("Price from"))
    price_max = forms.DecimalField(required=False, min_value=0, decimal_places=2, label=_("Price to"))
    in_stock = forms.BooleanField(required=False, label=_("In stock only"))
    canteen = forms.BooleanField(required=False, label=_("For canteens"))
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, initial=DEFAULT_SORT, label=_("Sort by"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = filter_choices()
        self.fields["county"].choices = [("", _("All counties")), *choices["counties"]]
        self.fields["city"].choices = [("", _("All cities")), *choices["cities"]]
        self.fields["category"].choices = [
            ("", _("All categories")),
            *[(s, label) for s, label, _top in choices["categories"]],
        ]
        self.fields["mark"].choices = [("", _("Any mark")), *choices["marks"]]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The highest price must not be below the lowest."))
        return cleaned


class VendorFilterForm(forms.Form):
    county = forms.ChoiceField(required=False, label=_("County"))
    kind = forms.ChoiceField(choices=[("", _("All kinds")), *VendorPage.Kind.choices], required=False, label=_("Kind"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", _("All counties")), *filter_choices()["counties"]]
