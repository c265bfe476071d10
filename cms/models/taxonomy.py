"""Shared taxonomy: cities, counties with dated mountain-county membership, mountain-sea pairs, marks.

Edited as Wagtail snippets. Membership is dated rather than a flag because the list changes
(柯城, 莲都 and 平阳 left it in August 2024): "was X a mountain county on day D?" must have an answer.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.search import index

from .bilingual import BilingualNameMixin


class City(BilingualNameMixin, models.Model):
    code = models.CharField(_("administrative code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    coastal = models.BooleanField(_("coastal"), default=False)

    panels = ["code", "name", "name_en", "coastal"]

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["code"]


class CountyQuerySet(models.QuerySet):
    def mountain_on(self, day):
        """Counties that were on the mountain-county list on `day`."""
        return self.filter(
            Q(mountain_memberships__since__lte=day)
            & (Q(mountain_memberships__until__isnull=True) | Q(mountain_memberships__until__gt=day))
        ).distinct()


class County(BilingualNameMixin, index.Indexed, ClusterableModel):
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="counties", verbose_name=_("city"))
    name = models.CharField(_("name"), max_length=40, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, help_text=_("Used in the county's web address."))

    objects = CountyQuerySet.as_manager()

    panels = [
        FieldPanel("city"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        InlinePanel("mountain_memberships", heading=_("Mountain-county list membership"), label=_("period")),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("name_en"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["city__code", "name"]

    def is_mountain_on(self, day):
        return any(m.covers(day) for m in self.mountain_memberships.all())

    @property
    def is_mountain_now(self):
        return self.is_mountain_on(timezone.localdate())

    def mountain_sea_partners(self):
        """Counties paired with this one, whichever side it is on."""
        pairs = MountainSeaPair.objects.filter(Q(mountain_county=self) | Q(coastal_county=self)).select_related(
            "mountain_county", "coastal_county"
        )
        return [p.coastal_county if p.mountain_county_id == self.pk else p.mountain_county for p in pairs]


class MountainCountyMembership(models.Model):
    county = ParentalKey(County, on_delete=models.CASCADE, related_name="mountain_memberships")
    since = models.DateField(_("on the list since"))
    until = models.DateField(_("left the list on"), null=True, blank=True, help_text=_("Empty while still listed."))

    panels = ["since", "until"]

    class Meta:
        verbose_name = _("mountain-county membership")
        verbose_name_plural = _("mountain-county memberships")
        ordering = ["since"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gt=models.F("since")),
                name="membership_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return f"{self.county} {self.since}–{self.until or ''}"

    def covers(self, day):
        return self.since <= day and (self.until is None or day < self.until)


class MountainSeaPair(models.Model):
    """A 山海协作 pairing: a coastal county that buys from and hosts fairs for a mountain county."""

    mountain_county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="coastal_partnerships", verbose_name=_("mountain county")
    )
    coastal_county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="mountain_partnerships", verbose_name=_("coastal county")
    )
    since = models.DateField(_("paired since"), null=True, blank=True)
    verified = models.BooleanField(_("verified"), default=False, help_text=_("Confirmed from an official source."))

    panels = ["mountain_county", "coastal_county", "since", "verified"]

    class Meta:
        verbose_name = _("mountain-sea pair")
        verbose_name_plural = _("mountain-sea pairs")
        ordering = ["mountain_county__name"]
        constraints = [
            models.UniqueConstraint(fields=["mountain_county", "coastal_county"], name="unique_mountain_sea_pair"),
            models.CheckConstraint(
                condition=~Q(mountain_county=models.F("coastal_county")), name="pair_of_two_counties"
            ),
        ]

    def __str__(self):
        return f"{self.mountain_county} ↔ {self.coastal_county}"


class Mark(BilingualNameMixin, models.Model):
    """A brand or certification a vendor or product may carry: 地理标志, 三衢味, 百县千碗, 中华老字号 …"""

    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", _("Campaign")
        REGIONAL_PUBLIC_BRAND = "regional_public_brand", _("Regional public brand")
        COUNTY_BRAND = "county_brand", _("County brand")
        CERTIFICATION = "certification", _("Certification")
        TRACEABILITY = "traceability", _("Traceability")

    name = models.CharField(_("name"), max_length=40, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    city = models.ForeignKey(City, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("city"))
    county = models.ForeignKey(County, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("county"))
    description = models.TextField(_("description"), blank=True)

    panels = ["name", "name_en", "slug", "kind", "city", "county", "description"]

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        ordering = ["kind", "name"]
