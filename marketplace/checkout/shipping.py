"""Shipping fees (运费): what each vendor's part of an order costs to deliver to an address.

One pure function of the lines, the address and the vendor's ShippingRule (运费模板), used by the cart, the
checkout (web and API) before payment and by `services.place_order`, which copies the fee onto the VendorOrder.
An address the vendor does not deliver to is refused for that part with code `not_delivered`.

Public orders: a flat fee, or a first-unit fee plus a fee per additional unit (counted by items or by weight),
with the fees of the first region listing the province; nothing above the free-shipping threshold (包邮门槛,
on the part's goods). A product marked free shipping counts for nothing; a product's surcharge is added per
unit, threshold or not. Canteen (unit) orders: free within the vendor's canteen delivery area, else its
canteen delivery fee. A vendor without rules ships free.
"""

import dataclasses
import math
import re
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from cms.divisions import provinces
from cms.errors import DomainError
from marketplace.errors import MarketplaceCode

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Weight of one unit when the product gives none (charge by weight).
UNIT_WEIGHT_KG = {"斤": Decimal("0.5"), "公斤": Decimal("1"), "克": Decimal("0.001")}


def canonical_province(text):
    """The full name of a province as typed ("浙江", "浙江省", "新疆" → "新疆维吾尔自治区"); else the text."""
    text = (text or "").strip()
    names = provinces()
    if text in names:
        return text
    if len(text) >= 2:
        for name in names:
            if name.startswith(text):
                return name
    return text


def unit_weight(product):
    if product.shipping_weight is not None:
        return product.shipping_weight
    return UNIT_WEIGHT_KG.get(product.unit, Decimal("1"))


@dataclasses.dataclass
class PartQuote:
    """The shipping of one vendor's part: its fee, or why the vendor cannot deliver there."""

    vendor: object
    subtotal: Decimal
    fee: Decimal = ZERO
    delivers: bool = True
    message: str = ""  # translated, when it does not deliver
    free_above: Decimal | None = None  # the threshold that applied, for "add X more for free shipping"
    free_by_threshold: bool = False

    @property
    def total(self):
        return self.subtotal + self.fee

    @property
    def short_of_free(self):
        """How much more the part needs to ship free (None if no threshold or already free)."""
        if self.free_above is None or self.free_by_threshold or not self.delivers or not self.fee:
            return None
        return max(self.free_above - self.subtotal, ZERO)


def _steps(units, first, step):
    if units <= first:
        return 0
    return math.ceil((units - first) / step)


def _places(text):
    return [p for p in (part.strip() for part in re.split(r"[,，、;；\s]+", text or "")) if p]


def quote_part(vendor, lines, province, *, city="", district="", canteen=False):
    """The shipping of `lines` [(product, quantity, line_total)] of one vendor to an address. Never raises."""
    subtotal = sum((total for _p, _q, total in lines), ZERO)
    quote = PartQuote(vendor=vendor, subtotal=subtotal)
    rule = getattr(vendor, "shipping_rule", None) if vendor is not None else None
    if rule is None:
        return quote
    province = canonical_province(province)
    if province and province in (rule.excluded_provinces or []):
        quote.delivers = False
        quote.message = _(
            "%(vendor)s does not deliver to %(province)s. Remove its products or choose another address."
        ) % {
            "vendor": vendor.display_name,
            "province": province,
        }
        return quote
    surcharge = sum(
        (
            product.shipping_surcharge * quantity
            for product, quantity, _t in lines
            if product.shipping == product.Shipping.SURCHARGE
        ),
        ZERO,
    )
    if canteen:
        area = _places(rule.canteen_free_area)
        inside = any(place in (city or "") or place in (district or "") or place == province for place in area)
        # No area given: the canteen fee applies everywhere delivered to (0: free everywhere).
        base = ZERO if inside else rule.canteen_fee
        quote.fee = (base + surcharge).quantize(CENT, ROUND_HALF_UP)
        return quote
    region = next((r for r in rule.regions.all() if province in (r.provinces or [])), None)
    first_fee = region.first_fee if region else rule.first_fee
    additional_fee = region.additional_fee if region else rule.additional_fee
    free_above = region.free_above if region and region.free_above is not None else rule.free_above
    quote.free_above = free_above
    charged = [(p, q) for p, q, _t in lines if p.shipping != p.Shipping.FREE]
    base = ZERO
    if free_above is not None and subtotal >= free_above:
        quote.free_by_threshold = True
    elif charged:
        if rule.charge_by == rule.ChargeBy.FLAT:
            base = first_fee
        else:
            if rule.charge_by == rule.ChargeBy.WEIGHT:
                units = sum((unit_weight(p) * q for p, q in charged), Decimal("0"))
            else:
                units = Decimal(sum(q for _p, q in charged))
            base = first_fee + additional_fee * _steps(units, rule.first_units, rule.additional_units)
    quote.fee = (base + surcharge).quantize(CENT, ROUND_HALF_UP)
    return quote


def quote(groups, address, *, canteen=False):
    """PartQuotes for [(vendor, [(product, quantity, line_total)])] to `address` (anything with province, city,
    district; None: no address yet, every fee 0 and nothing refused). Loads the vendors' rules in two queries, or
    only their regions when the vendors came with their rules (select_related, as place_order reads them)."""
    from .models import ShippingRule

    vendors = [vendor for vendor, _lines in groups if vendor is not None]
    unknown = [vendor for vendor in vendors if "shipping_rule" not in vendor._state.fields_cache]
    if unknown:
        rules = {
            rule.vendor_id: rule
            # Keyed by vendor: no ORDER BY (the rules' default one joins the vendors' pages for their titles).
            for rule in ShippingRule.objects.filter(vendor__in=[v.pk for v in unknown]).order_by()
        }
        for vendor in unknown:
            vendor._state.fields_cache["shipping_rule"] = rules.get(vendor.pk)
    # The regions of every rule in one query (none for rules that already have them).
    rules = [vendor._state.fields_cache["shipping_rule"] for vendor in vendors]
    prefetch_related_objects([rule for rule in rules if rule is not None], "regions")
    quotes = []
    for vendor, lines in groups:
        if address is None:
            subtotal = sum((total for _p, _q, total in lines), ZERO)
            quotes.append(PartQuote(vendor=vendor, subtotal=subtotal))
            continue
        quotes.append(
            quote_part(
                vendor,
                lines,
                getattr(address, "province", ""),
                city=getattr(address, "city", ""),
                district=getattr(address, "district", ""),
                canteen=canteen,
            )
        )
    return quotes


def require_delivery(quotes):
    """Refuse (DomainError `not_delivered`) if a vendor does not deliver to the address."""
    refused = [q for q in quotes if not q.delivers]
    if refused:
        raise DomainError(
            MarketplaceCode.NOT_DELIVERED, field="address", detail=" ".join(str(q.message) for q in refused)
        )


def cart_quotes(cart, address, *, canteen=False):
    """PartQuotes for a Cart's vendor groups, in the cart's order."""
    return quote(
        [(g.vendor, [(ln.product, ln.quantity, ln.line_total) for ln in g.lines]) for g in cart.groups],
        address,
        canteen=canteen,
    )


@dataclasses.dataclass
class ProvinceOnly:
    """An address known only by its province (the cart page's 'deliver to' choice)."""

    province: str
    city: str = ""
    district: str = ""
