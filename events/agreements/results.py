"""Purchase agreements in the results report (per fair and per series): how many were signed and for how much,
by the vendor's county, by vendor and by kind of buyer, and how much has been ordered and delivered against them.

Only signed agreements count; cancelled ones are counted apart. Ordered and delivered follow events.agreements.services
(the unit orders linked to each agreement, counted as the 消费帮扶 share counts them)."""

import dataclasses
from decimal import Decimal

from django.utils.translation import gettext as _

from events.agreements.models import PurchaseAgreement
from events.agreements.services import progress_of

ZERO = Decimal("0.00")


@dataclasses.dataclass
class Row:
    key: object
    label: str
    count: int = 0
    amount: Decimal = ZERO
    ordered: Decimal = ZERO

    @property
    def percent(self):
        return int((self.ordered * 100 / self.amount).to_integral_value()) if self.amount else 0


def _add(groups, key, label, agreement, ordered):
    row = groups.get(key)
    if row is None:
        row = groups[key] = Row(key, label)
    row.count += 1
    row.amount += agreement.total
    row.ordered += ordered


def _sorted(groups):
    return sorted(groups.values(), key=lambda r: (-r.amount, str(r.label)))


def agreement_figures(agreements):
    """Sums of `agreements` (a PurchaseAgreement queryset): the signed ones by county, vendor and buyer kind."""
    every = list(
        agreements.select_related("vendor__county", "buyer_unit").prefetch_related("lines").order_by("signed_on", "pk")
    )
    signed = [a for a in every if a.status == PurchaseAgreement.Status.SIGNED]
    progress = progress_of(signed)
    by = {"county": {}, "vendor": {}, "buyer": {}}
    amount = ordered = delivered = ZERO
    for agreement in signed:
        figures = progress[agreement.pk]
        agreement.progress = figures
        amount += agreement.total
        ordered += figures.ordered
        delivered += figures.delivered
        county = agreement.vendor.county
        _add(
            by["county"],
            county.pk if county else None,
            county.display_name if county else _("Unknown"),
            agreement,
            figures.ordered,
        )
        _add(by["vendor"], agreement.vendor_id, agreement.vendor.display_name, agreement, figures.ordered)
        canteen = agreement.buyer_unit_id is not None
        _add(
            by["buyer"],
            canteen,
            _("Canteen units") if canteen else _("Distributors and companies"),
            agreement,
            figures.ordered,
        )
    return {
        "count": len(signed),
        "amount": amount,
        "ordered": ordered,
        "delivered": delivered,
        "percent": int((ordered * 100 / amount).to_integral_value()) if amount else 0,
        "cancelled": len(every) - len(signed),
        "county": _sorted(by["county"]),
        "vendor": _sorted(by["vendor"]),
        "buyer": sorted(by["buyer"].values(), key=lambda r: not r.key),
        "agreements": signed,
    }


def for_fair(fair):
    return agreement_figures(PurchaseAgreement.objects.filter(fair=fair))


def for_fairs(fairs):
    return agreement_figures(PurchaseAgreement.objects.filter(fair__in=fairs))


def headline(fair):
    """The three figures of a fair's summary row (series, print, public block)."""
    figures = for_fair(fair)
    return {
        "agreements_count": figures["count"],
        "agreements_amount": figures["amount"],
        "agreements_ordered": figures["ordered"],
    }
