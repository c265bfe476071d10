"""Marketplace content and catalogue data.

Content (vendor and product pages) lives in Wagtail pages and goes through revisions and moderation.
Stock is transactional, so it lives in a plain model (ProductStock) that publishing a revision can
never overwrite, and that checkout changes only under a row lock or a conditional update.
"""

from decimal import Decimal

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import Orderable, Page, PageManager, PageViewRestriction
from wagtail.query import PageQuerySet
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.models.bilingual import BilingualNameMixin
from cms.models.pages import CaptionedImage, SitePage, TypedChildRouteMixin, english_panel
from cms.restrictions import public
from cms.search import search_terms_for
from cms.validators import validate_uscc

from .signals import stock_moved

# Wagtail creates this group; moderators approve vendors and their changes.
MODERATORS_GROUP = "Moderators"

# Stored in Chinese (orders copy the unit as sold); shown in the page's language.
UNIT_CHOICES = [
    ("斤", _("jin (500 g)")),
    ("公斤", _("kg")),
    ("克", _("g")),
    ("盒", _("box")),
    ("箱", _("case")),
    ("瓶", _("bottle")),
    ("袋", _("bag")),
    ("罐", _("jar")),
    ("个", _("piece")),
    ("只", _("whole")),
    ("份", _("portion")),
    ("套", _("set")),
]


class Category(BilingualNameMixin, models.Model):
    """A two-level product category tree: 土特产 → 水果, 百县千碗·菜品 → 热菜 …"""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    name = models.CharField(_("name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    panels = ["parent", "name", "name_en", "slug", "sort_order"]

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="unique_category_name_per_parent")]

    def clean(self):
        if self.parent_id and (self.parent.parent_id or self.parent_id == self.pk):
            raise ValidationError({"parent": _("Categories have two levels: choose a top-level category as parent.")})

    @property
    def is_top_level(self):
        return self.parent_id is None


class VendorIndexPage(TypedChildRouteMixin, SitePage):
    """The market. Its vendor list, the product listing (products/) and county pages (county/<slug>/) are
    ordinary URLs in marketplace/urls.py at /market/…; its children, the vendor pages, are served by Wagtail."""

    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = SitePage.content_panels + [FieldPanel("intro"), english_panel("intro_en")]
    api_fields = [APIField("name_en"), APIField("intro"), APIField("intro_en")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["marketplace.VendorPage"]
    max_count = 1
    RESERVED_SLUGS = {"products", "county"}

    class Meta:
        verbose_name = _("vendor index page")
        verbose_name_plural = _("vendor index pages")

    def child_route_queryset(self):
        return VendorPage.objects.select_related("county", "logo")


class VendorPage(TypedChildRouteMixin, SitePage):
    class Kind(models.TextChoices):
        COOPERATIVE = "cooperative", _("Co-operative")
        FARM = "farm", _("Farm")
        BRAND = "brand", _("Food brand")
        RESTAURANT = "restaurant", _("Restaurant")
        COUNTY_PAVILION = "county_pavilion", _("County pavilion")

    class StoreTier(models.TextChoices):
        EXPERIENCE = "experience", _("百县千碗 experience store (体验店)")
        FLAGSHIP = "flagship", _("百县千碗 flagship store (旗舰店)")

    class Approval(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        SUSPENDED = "suspended", _("Suspended")

    county = models.ForeignKey("cms.County", on_delete=models.PROTECT, related_name="vendors", verbose_name=_("county"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COOPERATIVE)
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"),
        default=1,
        help_text=_("Days a canteen order needs between ordering and delivery."),
    )
    store_tier = models.CharField(
        _("百县千碗 store tier"),
        max_length=20,
        choices=StoreTier.choices,
        blank=True,
        help_text=_("Only for restaurants certified by the 百县千碗 campaign."),
    )
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        validators=[validate_uscc],
        help_text=_("18 characters, as printed on the business licence."),
    )
    tagline = models.CharField(_("tagline"), max_length=120, blank=True)
    tagline_en = models.CharField(_("tagline (English)"), max_length=160, blank=True)
    story = StreamField(BodyBlock(), blank=True, verbose_name=_("story"))
    story_en = StreamField(BodyBlock(), blank=True, verbose_name=_("story (English)"))
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo"),
    )
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=250, blank=True)
    approval_status = models.CharField(
        _("approval"), max_length=20, choices=Approval.choices, default=Approval.PENDING, db_index=True
    )

    content_panels = Page.content_panels + [
        FieldPanel("name_en"),
        FieldPanel("tagline"),
        FieldRowPanel([FieldPanel("county"), FieldPanel("kind"), FieldPanel("store_tier")]),
        FieldPanel("logo"),
        FieldPanel("story"),
        english_panel("tagline_en", "story_en", "address_en"),
        InlinePanel("gallery_images", heading=_("Gallery"), label=_("image")),
        InlinePanel("held_marks", heading=_("Marks and certificates"), label=_("mark")),
        MultiFieldPanel(
            [
                FieldPanel("contact_name"),
                FieldPanel("contact_phone"),
                FieldPanel("contact_email"),
                FieldPanel("address"),
                FieldPanel("lead_time_days"),
            ],
            heading=_("Contact"),
        ),
        MultiFieldPanel(
            [FieldPanel("uscc"), FieldPanel("approval_status", permission="marketplace.approve_vendor")],
            heading=_("Registration"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("name_en", boost=5),
        index.SearchField("search_terms", boost=5),
        index.SearchField("tagline"),
        index.SearchField("tagline_en"),
        index.FilterField("approval_status"),
        index.FilterField("county"),
    ]
    api_fields = [
        APIField("name_en"),
        APIField("tagline"),
        APIField("kind"),
        APIField("store_tier"),
        APIField("county_info"),
        APIField("logo"),
        APIField("logo_thumbnail", serializer=ImageRenditionField("fill-200x200|format-webp", source="logo")),
        APIField("marks_info"),
        APIField("story"),
    ]

    parent_page_types = ["marketplace.VendorIndexPage"]
    subpage_types = ["marketplace.ProductPage"]
    card_template = "marketplace/cards/vendor_card.html"

    class Meta:
        verbose_name = _("vendor page")
        verbose_name_plural = _("vendor pages")
        permissions = [("approve_vendor", _("Can approve vendors"))]

    def child_route_queryset(self):
        return ProductPage.objects.select_related(
            "vendor", "vendor__county", "origin_county", "category", "stock", "stats", "cover_image", "social_image"
        )

    def clean(self):
        super().clean()
        # The market page routes these itself (products/, county/<slug>/); a vendor there would be unreachable.
        if self.slug in VendorIndexPage.RESERVED_SLUGS:
            raise ValidationError({"slug": _("This address is reserved; choose another slug.")})

    @property
    def is_approved(self):
        return self.approval_status == self.Approval.APPROVED

    @classmethod
    def card_queryset(cls, queryset):
        rendition_model = get_image_model().get_rendition_model()
        return queryset.select_related("county", "logo").prefetch_related(
            models.Prefetch("logo__renditions", queryset=rendition_model.objects.all())
        )

    @classmethod
    def api_queryset(cls, queryset):
        return cls.card_queryset(queryset).prefetch_related("held_marks__mark")

    def search_terms(self):
        return search_terms_for(self.title)

    @property
    def county_info(self):
        return {
            "id": self.county_id,
            "name": self.county.name,
            "name_en": self.county.name_en,
            "slug": self.county.slug,
        }

    @property
    def marks_info(self):
        return [
            {"name": held.mark.name, "certificate_number": held.certificate_number, "valid_until": held.valid_until}
            for held in self.held_marks.all()
        ]

    def get_card_image(self):
        return self.logo

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.sync_visibility()

    def sync_visibility(self):
        """Until approved, a vendor and its products are private to moderators.

        A Wagtail view restriction does this everywhere at once: the page and its products drop
        out of `.public()` querysets, the API, the sitemap and search, and serving them asks for login.
        """
        restrictions = PageViewRestriction.objects.filter(page=self)
        if self.is_approved:
            restrictions.delete()
        elif not restrictions.exists():
            restriction = PageViewRestriction.objects.create(page=self, restriction_type=PageViewRestriction.GROUPS)
            restriction.groups.set(Group.objects.filter(name=MODERATORS_GROUP))

    def serve(self, request, *args, **kwargs):
        # Visible to the public only once the platform approved it; editors still preview it.
        if not self.is_approved and not getattr(request, "is_preview", False):
            raise Http404
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["products"] = ProductPage.objects.visible_to(request.user).child_of(self).order_by("path")
        context["held_marks"] = self.held_marks.select_related("mark")
        return context


class VendorGalleryImage(CaptionedImage):
    vendor = ParentalKey(VendorPage, on_delete=models.CASCADE, related_name="gallery_images")


class VendorMark(Orderable):
    """A mark the vendor holds, with the certificate that proves it."""

    vendor = ParentalKey(VendorPage, on_delete=models.CASCADE, related_name="held_marks")
    mark = models.ForeignKey("cms.Mark", on_delete=models.PROTECT, related_name="+", verbose_name=_("mark"))
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    panels = ["mark", "certificate_number", "valid_from", "valid_until"]

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("A certificate cannot expire before it starts.")})

    @property
    def is_valid_today(self):
        today = timezone.localdate()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_until is None or today <= self.valid_until
        )


def is_canteen_buyer(user):
    """A member (any role) of a verified buyer unit. Remembered on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_is_canteen_buyer", None)
    if cached is None:
        # The canteen app builds on this one: found through the app registry, not imported.
        unit_member = apps.get_model("canteen", "UnitMember")
        cached = unit_member.objects.filter(user=user, unit__status="verified").exists()
        user._is_canteen_buyer = cached
    return cached


def audiences_for(user):
    """Which products a user may see: canteen-only products are for canteen buyers and staff."""
    if getattr(user, "is_staff", False) or is_canteen_buyer(user):
        return [ProductPage.Audience.PUBLIC, ProductPage.Audience.BOTH, ProductPage.Audience.CANTEENS]
    return [ProductPage.Audience.PUBLIC, ProductPage.Audience.BOTH]


class ProductQuerySet(PageQuerySet):
    def visible_to(self, user=None, restricted_paths=None):
        """The products `user` may see as cards: live, public (no view restriction), available, of approved
        vendors, in the user's audiences, with the card's relations and cover renditions loaded. `restricted_paths`:
        see `cms.restrictions.public`."""
        products = (
            public(self.live(), restricted_paths).visible().for_listing().filter(audience__in=audiences_for(user))
        )
        return products.prefetch_related(
            models.Prefetch("cover_image__renditions", queryset=get_image_model().get_rendition_model().objects.all())
        )

    def visible(self):
        """Live, public, available products of approved vendors."""
        return self.filter(live=True, available=True, vendor__approval_status=VendorPage.Approval.APPROVED)

    def for_listing(self):
        """Everything a product card needs, in a fixed number of queries whatever the page size."""
        return self.select_related(
            "vendor",
            "vendor__county",
            "origin_county",
            "origin_county__city",
            "category",
            "cover_image",
            "stock",
            "stats",
        ).prefetch_related("marks")


ProductManager = PageManager.from_queryset(ProductQuerySet)


PAGE_REVIEWS = 20  # the newest approved reviews on a product page; the API lists them all


class ProductPage(SitePage):
    class Audience(models.TextChoices):
        PUBLIC = "public", _("Public buyers")
        CANTEENS = "canteens", _("Canteens only")
        BOTH = "both", _("Public buyers and canteens")

    vendor = models.ForeignKey(
        VendorPage,
        null=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="products",
        verbose_name=_("vendor"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    origin_county = models.ForeignKey(
        "cms.County",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("origin county"),
        help_text=_("Leave empty to use the vendor's county."),
    )
    marks = ParentalManyToManyField("cms.Mark", blank=True, related_name="products", verbose_name=_("marks"))
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    summary_en = models.CharField(_("summary (English)"), max_length=250, blank=True)
    description = RichTextField(_("description"), blank=True, features=["bold", "italic", "ol", "ul", "link"])
    description_en = RichTextField(
        _("description (English)"), blank=True, features=["bold", "italic", "ol", "ul", "link"]
    )
    unit = models.CharField(_("unit"), max_length=8, choices=UNIT_CHOICES, default="斤")
    pack_size = models.CharField(_("pack size"), max_length=60, blank=True, help_text=_("For example 5 kg per box."))
    pack_size_en = models.CharField(_("pack size (English)"), max_length=80, blank=True)
    unit_price = models.DecimalField(
        _("unit price (CNY)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    track_stock = models.BooleanField(
        _("track stock"), default=True, help_text=_("Untick for dishes and goods made to order.")
    )
    min_order_quantity = models.PositiveIntegerField(
        _("minimum order quantity"), default=1, validators=[MinValueValidator(1)]
    )
    shelf_life = models.CharField(_("shelf life"), max_length=60, blank=True)
    shelf_life_en = models.CharField(_("shelf life (English)"), max_length=80, blank=True)
    storage = models.CharField(_("storage"), max_length=120, blank=True)
    storage_en = models.CharField(_("storage (English)"), max_length=160, blank=True)
    traceability_code = models.CharField(
        _("traceability code"),
        max_length=60,
        blank=True,
        help_text=_("浙食链 or similar code, where the product has one."),
    )
    audience = models.CharField(_("who may buy it"), max_length=10, choices=Audience.choices, default=Audience.BOTH)
    available = models.BooleanField(_("available"), default=True)

    class Shipping(models.TextChoices):
        RULES = "", _("The vendor's shipping rules")
        FREE = "free", _("Free shipping (包邮)")
        SURCHARGE = "surcharge", _("The vendor's rules plus a surcharge per unit")

    shipping = models.CharField(_("shipping"), max_length=10, choices=Shipping.choices, blank=True, default="")
    shipping_surcharge = models.DecimalField(
        _("shipping surcharge per unit (CNY)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("For example cold-chain packing; added to the fee for each unit ordered."),
    )
    shipping_weight = models.DecimalField(
        _("shipping weight per unit (kg)"),
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("For shipping charged by weight. Empty: worked out from the unit (斤, 公斤, 克), else 1 kg."),
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ProductManager()

    content_panels = Page.content_panels + [
        FieldPanel("name_en"),
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("category"), FieldPanel("origin_county")]),
        FieldPanel("marks", widget=forms.CheckboxSelectMultiple),
        InlinePanel("images", heading=_("Images (the first is the cover)"), label=_("image"), min_num=1),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("unit_price"), FieldPanel("unit"), FieldPanel("pack_size")]),
                FieldRowPanel([FieldPanel("min_order_quantity"), FieldPanel("track_stock")]),
                InlinePanel("tier_prices", heading=_("Bulk prices"), label=_("tier")),
                HelpPanel(template="marketplace/admin/stock_help_panel.html"),
            ],
            heading=_("Price and stock"),
        ),
        MultiFieldPanel(
            [FieldPanel("shelf_life"), FieldPanel("storage"), FieldPanel("traceability_code")],
            heading=_("Food safety"),
        ),
        MultiFieldPanel(
            [FieldPanel("shipping"), FieldRowPanel([FieldPanel("shipping_surcharge"), FieldPanel("shipping_weight")])],
            heading=_("Shipping"),
        ),
        english_panel("summary_en", "description_en", "pack_size_en", "shelf_life_en", "storage_en"),
        FieldRowPanel([FieldPanel("audience"), FieldPanel("available")]),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("name_en", boost=5),
        index.SearchField("search_terms", boost=10),
        index.SearchField("search_body"),
        index.FilterField("available"),
        index.FilterField("audience"),
        index.FilterField("category"),
        index.FilterField("origin_county"),
        index.FilterField("vendor"),
        index.FilterField("unit_price"),
        index.FilterField("track_stock"),
        index.RelatedFields("vendor", [index.FilterField("approval_status")]),
    ]
    api_fields = [
        APIField("name_en"),
        APIField("summary"),
        APIField("summary_en"),
        APIField("unit_price"),
        APIField("unit"),
        APIField("pack_size"),
        APIField("min_order_quantity"),
        APIField("tier_price_list"),
        APIField("stock_state"),
        APIField("audience"),
        APIField("available"),
        APIField("county_info"),
        APIField("category_info"),
        APIField("marks_info"),
        APIField("vendor_info"),
        APIField("review_info"),
        APIField("cover", serializer=ImageRenditionField("fill-600x600|format-webp", source="cover_image")),
        APIField("cover_thumbnail", serializer=ImageRenditionField("fill-300x300|format-webp", source="cover_image")),
        APIField("shelf_life"),
        APIField("storage"),
        APIField("traceability_code"),
    ]

    parent_page_types = ["marketplace.VendorPage"]
    subpage_types = []
    card_template = "marketplace/cards/product_card.html"

    class Meta:
        verbose_name = _("product page")
        verbose_name_plural = _("product pages")
        indexes = [models.Index(fields=["unit_price"]), models.Index(fields=["available", "audience"])]

    @classmethod
    def card_queryset(cls, queryset):
        """What a product card shows, for any number of cards in a fixed number of queries."""
        rendition_model = get_image_model().get_rendition_model()
        return queryset.for_listing().prefetch_related(
            models.Prefetch("cover_image__renditions", queryset=rendition_model.objects.all())
        )

    @classmethod
    def api_queryset(cls, queryset):
        return cls.card_queryset(queryset).prefetch_related("tier_prices")

    def search_terms(self):
        return search_terms_for(self.title, self.name_en)

    def search_body(self):
        return search_terms_for(
            self.summary,
            self.pack_size,
            strip_tags(self.description),
            self.summary_en,
            self.pack_size_en,
            strip_tags(self.description_en),
            with_pinyin=False,
        )

    def clean(self):
        super().clean()
        errors = {}
        tiers = sorted(
            (t for t in self.tier_prices.all() if t.min_quantity and t.unit_price is not None),
            key=lambda t: t.min_quantity,
        )
        previous_price = self.unit_price
        seen = set()
        for tier in tiers:
            if tier.min_quantity in seen:
                errors["unit_price"] = _("Two bulk prices start at the same quantity (%(n)s).") % {
                    "n": tier.min_quantity
                }
                break
            seen.add(tier.min_quantity)
            if tier.min_quantity <= self.min_order_quantity:
                errors["min_order_quantity"] = _(
                    "Bulk prices must start above the minimum order quantity (a tier starts at %(n)s)."
                ) % {"n": tier.min_quantity}
                break
            if previous_price is not None and tier.unit_price >= previous_price:
                errors["unit_price"] = _(
                    "Bulk prices must fall as quantity rises: %(price)s from %(n)s is not below %(previous)s."
                ) % {"price": tier.unit_price, "n": tier.min_quantity, "previous": previous_price}
                break
            previous_price = tier.unit_price
        if self.category_id and self.category.is_top_level and self.category.children.exists():
            errors["category"] = _("Choose a sub-category, such as 水果 under 土特产.")
        stock = self.current_stock
        if self.track_stock and stock and self.min_order_quantity > stock:
            errors["min_order_quantity"] = _(
                "The minimum order quantity (%(moq)s) is more than the stock (%(stock)s)."
            ) % {"moq": self.min_order_quantity, "stock": stock}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        parent = self.get_parent() if self.path else None
        if parent is not None:
            self.vendor_id = parent.pk
            if self.origin_county_id is None:
                self.origin_county_id = parent.specific_deferred.county_id
        cover = next(iter(self.images.all()), None)
        self.cover_image_id = cover.image_id if cover else None
        super().save(*args, **kwargs)

    @cached_property
    def current_stock(self):
        """Units in stock now, or None when stock is not tracked."""
        if not self.track_stock or not self.pk:
            return None
        record = ProductStock.objects.filter(product_id=self.pk).values_list("quantity", flat=True).first()
        return record or 0

    def price_for(self, quantity):
        """Unit price for an order of `quantity`: the best tier whose threshold the quantity reaches."""
        price = self.unit_price
        for tier in sorted(self.tier_prices.all(), key=lambda t: t.min_quantity):
            if quantity >= tier.min_quantity:
                price = tier.unit_price
        return price

    @property
    def tier_price_list(self):
        return [
            {"min_quantity": t.min_quantity, "unit_price": str(t.unit_price)}
            for t in sorted(self.tier_prices.all(), key=lambda t: t.min_quantity)
        ]

    @property
    def stock_state(self):
        """'untracked', 'in_stock', 'low' or 'sold_out', from the stock row loaded with the page."""
        if not self.track_stock:
            return "untracked"
        stock = getattr(self, "stock", None)
        return stock_state_for(stock.quantity if stock else 0, self.min_order_quantity)

    @property
    def county_info(self):
        county = self.origin_county
        if county is None:
            return None
        return {"id": county.pk, "name": county.name, "name_en": county.name_en, "slug": county.slug}

    @property
    def counters(self):
        """The product's ProductStats (loaded with listings), or an empty one when nothing was counted yet."""
        stats = getattr(self, "stats", None)
        return stats if stats is not None else ProductStats(product_id=self.pk)

    @property
    def review_info(self):
        stats = self.counters
        average = stats.average_rating
        return {
            "average_rating": str(average) if average is not None else None,
            "review_count": stats.review_count,
            "sold_count": stats.sold_count,
        }

    @property
    def category_info(self):
        return {"id": self.category_id, "name": self.category.name, "name_en": self.category.name_en}

    @property
    def marks_info(self):
        return [{"name": m.name, "name_en": m.name_en, "kind": m.kind} for m in self.marks.all()]

    @property
    def vendor_info(self):
        vendor = self.vendor
        return {"id": vendor.pk, "name": vendor.title, "url": vendor.url} if vendor else None

    def get_card_image(self):
        return self.cover_image

    def serve(self, request, *args, **kwargs):
        if (not self.vendor or not self.vendor.is_approved) and not getattr(request, "is_preview", False):
            raise Http404
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        rendition_model = get_image_model().get_rendition_model()
        context["images"] = self.images.select_related("image").prefetch_related(
            models.Prefetch("image__renditions", queryset=rendition_model.objects.all())
        )
        context["tier_prices"] = sorted(self.tier_prices.all(), key=lambda t: t.min_quantity)
        context["marks"] = self.marks.all()
        context["vendor"] = self.vendor
        stats = self.counters
        context["stats"] = stats
        # Reviews are asked for only when there are some to show.
        context["reviews"] = list(Review.objects.shown_for(self.pk)[:PAGE_REVIEWS]) if stats.review_count else []
        return context


class ProductImage(CaptionedImage):
    product = ParentalKey(ProductPage, on_delete=models.CASCADE, related_name="images")


class ProductTierPrice(Orderable):
    """Bulk price: from `min_quantity` units on, each costs `unit_price`."""

    product = ParentalKey(ProductPage, on_delete=models.CASCADE, related_name="tier_prices")
    min_quantity = models.PositiveIntegerField(_("from quantity"), validators=[MinValueValidator(2)])
    unit_price = models.DecimalField(
        _("unit price (CNY)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    panels = ["min_quantity", "unit_price"]

    class Meta(Orderable.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="tier_price_positive"),
        ]


def stock_state_for(quantity, min_order_quantity):
    """'in_stock', 'low' or 'sold_out' for a product that tracks stock (what pages and the cart show)."""
    if quantity < min_order_quantity or quantity == 0:
        return "sold_out"
    if quantity <= max(min_order_quantity * 3, 10):
        return "low"
    return "in_stock"


class ProductStockQuerySet(models.QuerySet):
    def move(self, product_id, delta, *, only_if_enough=False):
        """Add `delta` units (negative: take them) to one product's stock in one UPDATE; with
        `only_if_enough`, only if that many are there (the WHERE clause makes it atomic). Returns whether
        the row changed. The page cache learns of it after commit (it refreshes pages only if the
        product's stock state moved)."""
        rows = self.filter(product_id=product_id)
        if only_if_enough:
            rows = rows.filter(quantity__gte=-delta)
        changed = rows.update(quantity=F("quantity") + delta)
        if changed:
            stock_moved.send(sender=ProductStock, product_ids=[product_id])
        return bool(changed)


class ProductStock(models.Model):
    """Units on hand. Changed only by services, under a lock or a conditional update; never negative."""

    product = models.OneToOneField(ProductPage, on_delete=models.CASCADE, related_name="stock", primary_key=True)
    quantity = models.PositiveIntegerField(_("in stock"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductStockQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_never_negative")]

    def __str__(self):
        return f"{self.product_id}: {self.quantity}"


class ProductStats(models.Model):
    """A product's counters for cards and its page: approved reviews (count and rating sum) and units sold.

    Kept apart from the page so a revision being published never writes old counts back. Changed only by
    services (marketplace.services.stats), with `UPDATE … SET n = n + d`, in the transaction that changes what
    they count; listings read them with the product (select_related), never per card.
    """

    product = models.OneToOneField(ProductPage, on_delete=models.CASCADE, related_name="stats", primary_key=True)
    review_count = models.PositiveIntegerField(_("approved reviews"), default=0)
    rating_total = models.PositiveIntegerField(_("sum of the approved ratings"), default=0)
    # Units on received (delivered) order lines, less what was refunded of them.
    sold_count = models.PositiveIntegerField(_("sold"), default=0)

    class Meta:
        verbose_name = _("product statistics")
        verbose_name_plural = _("product statistics")

    def __str__(self):
        return f"{self.product_id}: {self.review_count} reviews, {self.sold_count} sold"

    @property
    def average_rating(self):
        """The mean approved rating to one decimal place (Decimal), or None without reviews."""
        if not self.review_count:
            return None
        return (Decimal(self.rating_total) / self.review_count).quantize(Decimal("0.1"))


class VendorMember(models.Model):
    """A user who works for a vendor: edits its pages in the admin and sees its orders."""

    vendor = models.ForeignKey(VendorPage, on_delete=models.CASCADE, related_name="members", verbose_name=_("vendor"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vendor_memberships", verbose_name=_("user")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vendor member")
        verbose_name_plural = _("vendor members")
        constraints = [models.UniqueConstraint(fields=["vendor", "user"], name="unique_vendor_member")]

    def __str__(self):
        return f"{self.user} @ {self.vendor}"


class VendorApplication(models.Model):
    """A business asking to sell on the platform. Staff approval creates its page, group and login rights."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    business_name = models.CharField(_("business name"), max_length=120)
    business_name_en = models.CharField(_("English name"), max_length=120, blank=True)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        validators=[validate_uscc],
        help_text=_("18 characters, as printed on the business licence."),
    )
    county = models.ForeignKey("cms.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    kind = models.CharField(_("kind"), max_length=20, choices=VendorPage.Kind.choices)
    contact_name = models.CharField(_("contact person"), max_length=40)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    contact_email = models.EmailField(_("contact e-mail"))
    description = models.TextField(_("what you make and sell"), blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="vendor_applications",
        verbose_name=_("applicant"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    vendor_page = models.OneToOneField(
        VendorPage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="application",
        verbose_name=_("vendor page"),
    )

    class Meta:
        verbose_name = _("vendor application")
        verbose_name_plural = _("vendor applications")
        ordering = ["-submitted_at"]
        constraints = [
            # One open application per business at a time.
            models.UniqueConstraint(
                fields=["uscc"], condition=Q(status="pending"), name="one_pending_application_per_uscc"
            ),
        ]

    def __str__(self):
        return self.business_name


from .reviews.models import (  # noqa: E402,F401  (review models belong to this app)
    Review,
    ReviewPhoto,
)
