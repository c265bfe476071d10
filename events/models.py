"""Events: fairs (山海协作展销会, 百县千碗 food festivals), their stalls, stall applications and bookings.

Fairs are Wagtail pages (FairIndexPage → FairPage); stall types, stalls, add-ons, applications and bookings
are plain models. Every state change goes through events.stalls.services.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.models.pages import CaptionedImage, SitePage, english_panel
from cms.state_machine import Transitions

ZERO = Decimal("0.00")


class FairIndexPage(RoutablePageMixin, SitePage):
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = SitePage.content_panels + [FieldPanel("intro"), english_panel("intro_en")]
    api_fields = [APIField("name_en"), APIField("intro"), APIField("intro_en")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["events.FairPage"]
    # Public routes whose HTML anonymous visitors may get from cms.page_cache. Tickets, check-in, find my
    # ticket and my stalls are ordinary URLs in events/urls.py.
    page_cache_routes = ("index_view",)

    class Meta:
        verbose_name = _("fair index page")
        verbose_name_plural = _("fair index pages")

    def fairs(self):
        return (
            FairPage.objects.live()
            .public()
            .child_of(self)
            .select_related("host_city", "social_image")
            .prefetch_related("images__image")
            .order_by("start_date", "pk")
        )

    @path("")
    def index_view(self, request):
        return self.render(request)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        today = timezone.localdate()
        upcoming, current, past = [], [], []
        for fair in self.fairs():
            if fair.end_date < today or fair.status == FairPage.Status.FINISHED:
                past.append(fair)
            elif fair.start_date <= today:
                current.append(fair)
            else:
                upcoming.append(fair)
        past.reverse()
        context.update(upcoming_fairs=upcoming, current_fairs=current, past_fairs=past)
        return context


class FairPage(RoutablePageMixin, SitePage):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    class Booking(models.TextChoices):
        REVIEW = "review", _("Organiser reviews applications")
        SELF = "self", _("Applications, and first-come self-booking of available stalls")

    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    opens_at = models.TimeField(_("opens daily at"), default="09:00")
    closes_at = models.TimeField(_("closes daily at"), default="17:00")
    venue = models.CharField(_("venue"), max_length=120)
    venue_en = models.CharField(_("venue (English)"), max_length=160, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=250, blank=True)
    host_city = models.ForeignKey(
        "cms.City", on_delete=models.PROTECT, related_name="fairs", verbose_name=_("host city")
    )
    organisers = models.CharField(_("organisers"), max_length=255, blank=True)
    organisers_en = models.CharField(_("organisers (English)"), max_length=255, blank=True)
    co_organisers = models.CharField(_("co-organisers"), max_length=255, blank=True)
    co_organisers_en = models.CharField(_("co-organisers (English)"), max_length=255, blank=True)
    mountain_counties = ParentalManyToManyField(
        "cms.County", blank=True, related_name="fairs_as_mountain", verbose_name=_("mountain counties")
    )
    coastal_counties = ParentalManyToManyField(
        "cms.County", blank=True, related_name="fairs_as_coastal", verbose_name=_("coastal counties")
    )
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    description = StreamField(BodyBlock(), blank=True, verbose_name=_("description"))
    description_en = StreamField(BodyBlock(), blank=True, verbose_name=_("description (English)"))
    floor_plan = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("floor plan"),
    )
    plan_width = models.PositiveIntegerField(
        _("floor plan width"), default=100, help_text=_("Stall positions are given in these units (e.g. metres).")
    )
    plan_height = models.PositiveIntegerField(_("floor plan height"), default=60)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    booking_mode = models.CharField(
        _("stall allocation"), max_length=10, choices=Booking.choices, default=Booking.REVIEW
    )
    applications_open = models.DateTimeField(_("applications open"), null=True, blank=True)
    applications_close = models.DateTimeField(_("applications close"), null=True, blank=True)
    registration_opens = models.DateTimeField(_("visitor registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("visitor registration closes"), null=True, blank=True)
    payment_hours = models.PositiveIntegerField(
        _("hours to pay a stall fee"), default=72, help_text=_("An unpaid stall is released after this time.")
    )
    deposit_percent = models.PositiveSmallIntegerField(
        _("deposit (%)"),
        default=0,
        help_text=_("0: the whole fee at once. Otherwise this share holds the stall and the rest is due later."),
    )
    balance_due = models.DateField(_("balance due by"), null=True, blank=True)
    refund_until = models.DateField(
        _("refunds until"),
        null=True,
        blank=True,
        help_text=_("Cancelled stalls are refunded until this day; not after."),
    )

    content_panels = SitePage.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("venue"),
                FieldPanel("address"),
                FieldPanel("host_city"),
            ],
            heading=_("When and where"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("organisers"),
                FieldPanel("co_organisers"),
                FieldPanel("mountain_counties"),
                FieldPanel("coastal_counties"),
            ],
            heading=_("Organisers and counties"),
        ),
        FieldPanel("description"),
        english_panel("summary_en", "venue_en", "address_en", "organisers_en", "co_organisers_en", "description_en"),
        InlinePanel("images", label=_("Images")),
        MultiFieldPanel(
            [FieldPanel("floor_plan"), FieldRowPanel([FieldPanel("plan_width"), FieldPanel("plan_height")])],
            heading=_("Floor plan"),
        ),
        InlinePanel("zones", label=_("Zones and pavilions")),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("booking_mode"),
                FieldRowPanel([FieldPanel("applications_open"), FieldPanel("applications_close")]),
                FieldRowPanel([FieldPanel("registration_opens"), FieldPanel("registration_closes")]),
                FieldRowPanel([FieldPanel("payment_hours"), FieldPanel("deposit_percent"), FieldPanel("balance_due")]),
                FieldPanel("refund_until"),
            ],
            heading=_("Exhibitors and visitors"),
        ),
    ]
    search_fields = SitePage.search_fields + [
        index.SearchField("name_en"),
        index.SearchField("summary"),
        index.SearchField("summary_en"),
        index.SearchField("venue"),
        index.FilterField("start_date"),
    ]
    api_fields = [
        APIField("name_en"),
        APIField("summary"),
        APIField("summary_en"),
        APIField("start_date"),
        APIField("end_date"),
        APIField("opens_at"),
        APIField("closes_at"),
        APIField("venue"),
        APIField("venue_en"),
        APIField("address"),
        APIField("address_en"),
        APIField("host_city_info"),
        APIField("organisers"),
        APIField("co_organisers"),
        APIField("county_info"),
        APIField("description"),
        APIField("status"),
        APIField("booking_mode"),
        APIField("applications_open"),
        APIField("applications_close"),
        APIField("registration_opens"),
        APIField("registration_closes"),
        APIField("zone_info"),
        APIField("stall_types_info"),
        APIField("stall_map_url"),
    ]
    parent_page_types = ["events.FairIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("fair")
        verbose_name_plural = _("fairs")

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The last day cannot be before the first day.")
        if self.applications_open and self.applications_close and self.applications_close <= self.applications_open:
            errors["applications_close"] = _("Applications must close after they open.")
        if self.deposit_percent > 100:
            errors["deposit_percent"] = _("A deposit is at most 100%.")
        if errors:
            raise ValidationError(errors)

    def get_card_image(self):
        first = next(iter(self.images.all()), None)
        return first.image if first else self.social_image

    # -- for templates and the API -------------------------------------------------------------------

    @property
    def host_city_info(self):
        city = self.host_city
        return {"id": city.pk, "name": city.name, "name_en": city.name_en}

    @property
    def county_info(self):
        def rows(qs):
            return [{"id": c.pk, "name": c.name, "name_en": c.name_en, "slug": c.slug} for c in qs.all()]

        return {"mountain": rows(self.mountain_counties), "coastal": rows(self.coastal_counties)}

    @property
    def zone_info(self):
        return [{"id": z.pk, "name": z.name, "kind": z.kind} for z in self.zones.all()]

    @property
    def stall_types_info(self):
        return [
            {
                "id": t.pk,
                "name": t.name,
                "size": t.size_label,
                "price": f"{t.price:.2f}",
                "includes_power": t.includes_power,
                "includes_water": t.includes_water,
            }
            for t in self.stall_types.all()
        ]

    @property
    def stall_map_url(self):
        return f"/api/fairs/{self.pk}/stalls/"

    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    def applications_are_open(self, now=None):
        now = now or timezone.now()
        if self.status != self.Status.OPEN:
            return False
        if self.applications_open and now < self.applications_open:
            return False
        return not (self.applications_close and now > self.applications_close)

    @property
    def allows_self_booking(self):
        return self.booking_mode == self.Booking.SELF

    def confirmed_exhibitors(self):
        return (
            StallBooking.objects.filter(fair=self, status=StallBooking.Status.CONFIRMED)
            .select_related("vendor", "vendor__county", "stall", "stall__zone")
            .order_by("vendor__county__name", "stall__code")
        )

    # Public routes whose HTML anonymous visitors may get from cms.page_cache. Its forms, iCal, check-in and
    # reports are ordinary URLs in events/urls.py; its stall map comes from the fair_map template tag.
    page_cache_routes = ("fair_view",)

    @path("")
    def fair_view(self, request):
        return self.render(request)


class FairImage(CaptionedImage):
    page = ParentalKey(FairPage, on_delete=models.CASCADE, related_name="images")


class FairZone(Orderable):
    class Kind(models.TextChoices):
        PAVILION = "pavilion", _("County pavilion")
        FOOD = "food", _("Food street")
        B2B = "b2b", _("B2B matchmaking area")
        GENERAL = "general", _("General")

    page = ParentalKey(FairPage, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GENERAL)
    county = models.ForeignKey(
        "cms.County", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("county")
    )

    panels = ["name", "name_en", "kind", "county"]

    class Meta(Orderable.Meta):
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self):
        return self.name


class StallType(models.Model):
    fair = models.ForeignKey(FairPage, on_delete=models.CASCADE, related_name="stall_types", verbose_name=_("fair"))
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    width_m = models.DecimalField(_("width (m)"), max_digits=5, decimal_places=1, default=Decimal("3.0"))
    depth_m = models.DecimalField(_("depth (m)"), max_digits=5, decimal_places=1, default=Decimal("3.0"))
    price = models.DecimalField(
        _("fee (CNY)"), max_digits=10, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    includes_power = models.BooleanField(_("power included"), default=False)
    includes_water = models.BooleanField(_("water included"), default=False)
    description = models.CharField(_("description"), max_length=200, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("stall type")
        verbose_name_plural = _("stall types")
        ordering = ["fair", "price", "pk"]
        constraints = [models.UniqueConstraint(fields=["fair", "name"], name="events_unique_stall_type_name")]

    def __str__(self):
        return f"{self.name} ({self.size_label}, ¥{self.price})"

    @property
    def size_label(self):
        return f"{self.width_m:g}×{self.depth_m:g} m"

    @property
    def utilities_label(self):
        parts = []
        if self.includes_power:
            parts.append(str(_("power")))
        if self.includes_water:
            parts.append(str(_("water")))
        return ", ".join(parts) or str(_("none"))


class Stall(models.Model):
    fair = models.ForeignKey(FairPage, on_delete=models.CASCADE, related_name="stalls", verbose_name=_("fair"))
    code = models.CharField(_("code"), max_length=12)
    zone = models.ForeignKey(
        FairZone, null=True, blank=True, on_delete=models.SET_NULL, related_name="stalls", verbose_name=_("zone")
    )
    stall_type = models.ForeignKey(StallType, on_delete=models.PROTECT, related_name="stalls", verbose_name=_("type"))
    x = models.DecimalField(_("x"), max_digits=7, decimal_places=2, default=ZERO)
    y = models.DecimalField(_("y"), max_digits=7, decimal_places=2, default=ZERO)
    width = models.DecimalField(_("width on plan"), max_digits=7, decimal_places=2, default=Decimal("3"))
    height = models.DecimalField(_("height on plan"), max_digits=7, decimal_places=2, default=Decimal("3"))
    blocked = models.BooleanField(_("blocked"), default=False, help_text=_("Not for booking (pillar, exit, staff)."))

    class Meta:
        verbose_name = _("stall")
        verbose_name_plural = _("stalls")
        ordering = ["fair", "code"]
        constraints = [models.UniqueConstraint(fields=["fair", "code"], name="events_unique_stall_code")]

    def __str__(self):
        return self.code


class AddOn(models.Model):
    class Kind(models.TextChoices):
        POWER = "power", _("Extra power")
        WATER = "water", _("Water")
        TABLE = "table", _("Table")
        CHAIR = "chair", _("Chair")
        OTHER = "other", _("Other")

    fair = models.ForeignKey(FairPage, on_delete=models.CASCADE, related_name="addons", verbose_name=_("fair"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    price = models.DecimalField(_("price (CNY)"), max_digits=10, decimal_places=2, default=ZERO)

    class Meta:
        verbose_name = _("add-on")
        verbose_name_plural = _("add-ons")
        ordering = ["fair", "kind", "pk"]

    def __str__(self):
        return f"{self.name} (¥{self.price})"


def application_upload_to(instance, filename):
    """Stall application uploads (the food licence) go to the private area under an unguessable name."""
    from cms.private_media import private_name

    return private_name(APPLICATION_FILES, filename)


APPLICATION_FILES = "fair-applications"


class StallApplication(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WAITLISTED = "waitlisted", _("Waitlisted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ACTIVE = (Status.SUBMITTED, Status.WAITLISTED, Status.APPROVED)
    TRANSITIONS = Transitions(
        Status,
        {
            Status.SUBMITTED: {Status.WAITLISTED, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN},
            Status.WAITLISTED: {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN},
        },
    )

    fair = models.ForeignKey(FairPage, on_delete=models.PROTECT, related_name="applications", verbose_name=_("fair"))
    vendor = models.ForeignKey(
        "marketplace.VendorPage", on_delete=models.PROTECT, related_name="stall_applications", verbose_name=_("vendor")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="stall_applications",
        verbose_name=_("applicant"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    stall_type = models.ForeignKey(
        StallType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("preferred type")
    )
    preferred_stalls = models.ManyToManyField(Stall, blank=True, related_name="+", verbose_name=_("preferred stalls"))
    products = models.ManyToManyField(
        "marketplace.ProductPage", blank=True, related_name="+", verbose_name=_("products to show and sell")
    )
    product_note = models.TextField(_("other products"), blank=True)
    needs_power = models.BooleanField(_("needs power"), default=False)
    needs_water = models.BooleanField(_("needs water"), default=False)
    addons = models.ManyToManyField(AddOn, blank=True, related_name="+", verbose_name=_("add-ons"))
    # Private (cms.private_media): served only by /private-media/ to the vendor's members and organisers.
    food_licence = models.FileField(_("food licence"), upload_to=application_upload_to, blank=True)
    note = models.TextField(_("note to the organiser"), blank=True)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why the application was rejected."))
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("stall application")
        verbose_name_plural = _("stall applications")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fair", "vendor"],
                condition=Q(status__in=["submitted", "waitlisted", "approved"]),
                name="events_one_active_application_per_vendor",
            )
        ]

    def __str__(self):
        return f"{self.vendor} → {self.fair}"

    def needs_label(self):
        parts = []
        if self.needs_power:
            parts.append(str(_("power")))
        if self.needs_water:
            parts.append(str(_("water")))
        parts += [a.name for a in self.addons.all()]
        return ", ".join(parts)


def new_pass_code():
    return secrets.token_urlsafe(12)


class StallBooking(models.Model):
    class Status(models.TextChoices):
        HELD = "held", _("Held until paid")
        CONFIRMED = "confirmed", _("Confirmed")
        RELEASED = "released", _("Released")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.HELD, Status.CONFIRMED)
    # A confirmed booking whose balance order expires unpaid is released too.
    TRANSITIONS = Transitions(
        Status,
        {
            Status.HELD: {Status.CONFIRMED, Status.RELEASED, Status.CANCELLED},
            Status.CONFIRMED: {Status.RELEASED, Status.CANCELLED},
        },
    )

    fair = models.ForeignKey(FairPage, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("fair"))
    stall = models.ForeignKey(Stall, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("stall"))
    vendor = models.ForeignKey(
        "marketplace.VendorPage", on_delete=models.PROTECT, related_name="stall_bookings", verbose_name=_("vendor")
    )
    application = models.ForeignKey(
        StallApplication, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stall_bookings", verbose_name=_("booked by")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    fee = models.DecimalField(_("fee"), max_digits=10, decimal_places=2, default=ZERO)
    order = models.ForeignKey(
        "checkout.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("order")
    )
    balance_order = models.ForeignKey(
        "checkout.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("balance"),
    )
    hold_until = models.DateTimeField(_("held until"), null=True, blank=True)
    pass_code = models.CharField(max_length=32, unique=True, default=new_pass_code)
    created_at = models.DateTimeField(_("booked"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    ended_at = models.DateTimeField(_("released or cancelled"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stall booking")
        verbose_name_plural = _("stall bookings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["stall"],
                condition=Q(status__in=["held", "confirmed"]),
                name="events_one_active_booking_per_stall",
            )
        ]

    def __str__(self):
        return f"{self.stall} · {self.vendor}"

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    @cached_property
    def open_order(self):
        """The order the vendor still has to pay, if any."""
        for order in (self.order, self.balance_order):
            if order is not None and order.is_open_unpaid:
                return order
        return None


# -- visitor registration: ticket types, time slots, registrations, check-in ----------------------------------


class TicketType(models.Model):
    class Audience(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        CANTEEN = "canteen", _("Members of canteen buyer units")
        EXHIBITOR = "exhibitor", _("Exhibitors' staff")

    fair = models.ForeignKey(FairPage, on_delete=models.CASCADE, related_name="ticket_types", verbose_name=_("fair"))
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    price = models.DecimalField(
        _("price per person (CNY)"),
        max_digits=10,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text=_("0 for free entry."),
    )
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    per_person_limit = models.PositiveSmallIntegerField(
        _("people per registration at most"), default=5, validators=[MinValueValidator(1)]
    )
    audience = models.CharField(_("who may register"), max_length=10, choices=Audience.choices, default="public")
    sales_start = models.DateTimeField(_("sales start"), null=True, blank=True)
    sales_end = models.DateTimeField(_("sales end"), null=True, blank=True)
    requires_slot = models.BooleanField(_("requires a time slot"), default=True)
    entries_per_day = models.PositiveSmallIntegerField(
        _("entries per day"), default=1, validators=[MinValueValidator(1)]
    )
    waitlist = models.BooleanField(_("waiting list when full"), default=True)
    registrations_per_phone = models.PositiveSmallIntegerField(
        _("registrations per mobile number"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_(
            "How many active registrations (held, confirmed, offered or waiting) one mobile number may have in one "
            "time slot when registering for this ticket type."
        ),
    )
    confirmed = models.PositiveIntegerField(_("confirmed people"), default=0, editable=False)
    held = models.PositiveIntegerField(_("held people"), default=0, editable=False)

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        ordering = ["fair", "price", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["fair", "name"], name="events_unique_ticket_type_name"),
            models.CheckConstraint(
                condition=Q(confirmed__gte=0)
                & Q(held__gte=0)
                & Q(capacity__gte=models.F("confirmed") + models.F("held")),
                name="events_ticket_type_within_capacity",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_free(self):
        return self.price <= 0

    @property
    def remaining(self):
        return max(0, self.capacity - self.confirmed - self.held)


class TimeSlot(models.Model):
    fair = models.ForeignKey(FairPage, on_delete=models.CASCADE, related_name="slots", verbose_name=_("fair"))
    date = models.DateField(_("day"))
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    closed = models.BooleanField(_("closed"), default=False, help_text=_("Takes no more registrations."))
    confirmed = models.PositiveIntegerField(_("confirmed people"), default=0, editable=False)
    held = models.PositiveIntegerField(_("held people"), default=0, editable=False)

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["fair", "date", "starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["fair", "date", "starts_at"], name="events_unique_slot_start"),
            models.CheckConstraint(
                condition=Q(confirmed__gte=0)
                & Q(held__gte=0)
                & Q(capacity__gte=models.F("confirmed") + models.F("held")),
                name="events_slot_within_capacity",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="events_slot_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def remaining(self):
        return max(0, self.capacity - self.confirmed - self.held)

    def start_datetime(self):
        from datetime import datetime

        return timezone.make_aware(datetime.combine(self.date, self.starts_at))

    def end_datetime(self):
        from datetime import datetime

        return timezone.make_aware(datetime.combine(self.date, self.ends_at))


def new_ticket_code():
    return secrets.token_urlsafe(16)


def new_manage_key():
    return secrets.token_urlsafe(24)


# The short code door staff can type: no look-alikes (no 0/O, 1/I/L), 31⁸ ≈ 8.5 × 10¹¹ codes, unique per fair.
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SHORT_CODE_LENGTH = 8


def new_short_code():
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


class Registration(models.Model):
    class Status(models.TextChoices):
        HELD = "held", _("Held until paid")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        OFFERED = "offered", _("Place offered")
        CANCELLED = "cancelled", _("Cancelled")
        RELEASED = "released", _("Released (not paid in time)")
        LAPSED = "lapsed", _("Offer not taken up")

    # Statuses that hold places in the counters.
    HOLDING = (Status.HELD, Status.OFFERED)
    ACTIVE = (Status.HELD, Status.CONFIRMED, Status.OFFERED, Status.WAITLISTED)
    # New registrations start confirmed (free), held (paid) or waitlisted.
    TRANSITIONS = Transitions(
        Status,
        {
            Status.HELD: {Status.CONFIRMED, Status.CANCELLED, Status.RELEASED},
            Status.WAITLISTED: {Status.OFFERED, Status.CANCELLED},
            Status.OFFERED: {Status.CONFIRMED, Status.HELD, Status.LAPSED, Status.CANCELLED},
            Status.CONFIRMED: {Status.CANCELLED},
        },
    )

    fair = models.ForeignKey(FairPage, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("fair"))
    ticket_type = models.ForeignKey(
        TicketType, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("ticket type")
    )
    slot = models.ForeignKey(
        TimeSlot, null=True, blank=True, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("slot")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fair_registrations",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("mobile phone"), max_length=11)
    email = models.EmailField(_("e-mail"), blank=True)
    people = models.PositiveSmallIntegerField(_("people"), validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, db_index=True)
    # The QR code / typed code: proves entry to this fair, nothing else.
    ticket_code = models.CharField(_("ticket code"), max_length=32, unique=True, default=new_ticket_code)
    # The code door staff can type instead of scanning: unique within the fair only (ticketing.unique_short_code).
    short_code = models.CharField(_("short code"), max_length=SHORT_CODE_LENGTH, default=new_short_code, editable=False)
    # The manage link's secret (view, change slot, cancel); never in the QR code.
    manage_key = models.CharField(max_length=40, unique=True, default=new_manage_key, editable=False)
    order = models.ForeignKey(
        "checkout.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("order")
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    ended_at = models.DateTimeField(_("cancelled or released"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    # X-Idempotency-Key of the API call that created it (cms.json_api.idempotency), per account or, without
    # one, among all registrations without an account; with a digest of the request body.
    idempotency_key = models.CharField(max_length=80, blank=True, editable=False)
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        # PIPL: organisers see attendees' mobile numbers masked (138****0000) unless they hold this permission.
        permissions = [("view_attendee_phone", _("Can see attendees' full mobile numbers"))]
        constraints = [
            models.CheckConstraint(condition=Q(people__gte=1), name="events_registration_people_positive"),
            models.UniqueConstraint(fields=["fair", "short_code"], name="events_registration_short_code_per_fair"),
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~Q(idempotency_key="") & Q(user__isnull=False),
                name="events_registration_idempotency_key_per_user",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key="") & Q(user__isnull=True),
                name="events_registration_idempotency_key_guest",
            ),
        ]

    # True on a registration that register() returned for a retried request (same idempotency key).
    replayed = False

    def __str__(self):
        return f"{self.name} × {self.people} · {self.fair}"

    @property
    def holds_places(self):
        return self.status in (self.Status.HELD, self.Status.OFFERED, self.Status.CONFIRMED)

    @property
    def display_code(self):
        return self.ticket_code

    @property
    def grouped_short_code(self):
        """The short code as people read it out and type it: ABCD-EFGH."""
        code = self.short_code or ""
        return f"{code[:4]}-{code[4:]}" if len(code) == SHORT_CODE_LENGTH else code


class Attendee(models.Model):
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("registration")
    )
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class CheckIn(models.Model):
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="checkins", verbose_name=_("registration")
    )
    fair = models.ForeignKey(FairPage, on_delete=models.PROTECT, related_name="checkins", verbose_name=_("fair"))
    slot = models.ForeignKey(TimeSlot, null=True, blank=True, on_delete=models.PROTECT, related_name="checkins")
    day = models.DateField(_("day"))
    people = models.PositiveSmallIntegerField(_("people"))
    at = models.DateTimeField(_("checked in"), default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-at", "-pk"]


class CheckInStaff(models.Model):
    """The check-in role: this user may check visitors in at this fair (and nobody else may, but superusers)."""

    fair = models.ForeignKey(FairPage, on_delete=models.CASCADE, related_name="checkin_staff", verbose_name=_("fair"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_roles", verbose_name=_("user")
    )

    class Meta:
        verbose_name = _("check-in staff")
        verbose_name_plural = _("check-in staff")
        constraints = [models.UniqueConstraint(fields=["fair", "user"], name="events_one_checkin_role")]

    def __str__(self):
        return f"{self.user} @ {self.fair}"


# Django finds the app's models in events.models: the agreements' and the fair results' models (sales at the stalls,
# fair series, publication) live in their sub-packages and are registered with the one app here (label "events").
from events.agreements.models import AgreementLine, AgreementOrder, PurchaseAgreement  # noqa: E402, F401
from events.fairs.models import FairResultsPublication, FairSeries, StallSale  # noqa: E402, F401
