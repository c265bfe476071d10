"""Site-wide pages: home, standard pages, news and campaigns."""

from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageViewRestriction
from wagtail.search import index

from cms.blocks import BodyBlock, HomeSectionsBlock

from .bilingual import BilingualTitleMixin


def english_panel(*fields):
    """The English twins of a page's texts, in a collapsed group under the Chinese ones."""
    return MultiFieldPanel([FieldPanel(f) for f in fields], heading=_("English"), classname="collapsed")


class SitePage(BilingualTitleMixin, Page):
    """Abstract base: an English title, a social-sharing image and a card template for listings and featured
    blocks. `display_name` is the title in the page's language (cms/models/bilingual.py)."""

    name_en = models.CharField(_("English name"), max_length=120, blank=True)

    social_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("social sharing image"),
        help_text=_("Shown when the page is shared (Open Graph); the page's main image is used if empty."),
    )

    card_template = "cms/cards/page_card.html"

    content_panels = Page.content_panels + [FieldPanel("name_en")]
    promote_panels = Page.promote_panels + [FieldPanel("social_image")]

    class Meta:
        abstract = True

    def get_view_restrictions(self):
        """Wagtail's query, asked on every page served, only when a restriction may apply (cms.page_cache keeps
        the restricted pages' paths in the cache, following every restriction and page move)."""
        from cms import page_cache

        if not page_cache.may_be_restricted(self):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    def get_card_image(self):
        return self.social_image

    def get_og_image(self):
        return self.social_image or self.get_card_image()


class CaptionedImage(Orderable):
    """An image in a page's gallery, with an optional caption (subclasses add the ParentalKey)."""

    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.CASCADE, related_name="+", verbose_name=_("image")
    )
    caption = models.CharField(_("caption"), max_length=120, blank=True)

    panels = ["image", "caption"]

    class Meta(Orderable.Meta):
        abstract = True


class HomePage(SitePage):
    hero_title = models.CharField(_("hero title"), max_length=80)
    hero_title_en = models.CharField(_("hero title (English)"), max_length=80, blank=True)
    hero_text = models.TextField(_("hero text"), blank=True)
    hero_text_en = models.TextField(_("hero text (English)"), blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hero image"),
    )
    hero_link = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hero link"),
    )
    hero_link_label = models.CharField(_("hero link text"), max_length=40, blank=True)
    hero_link_label_en = models.CharField(_("hero link text (English)"), max_length=40, blank=True)
    sections = StreamField(HomeSectionsBlock(), blank=True, verbose_name=_("sections"))

    content_panels = SitePage.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("hero_title"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
                FieldPanel("hero_link"),
                FieldPanel("hero_link_label"),
            ],
            heading=_("Hero"),
        ),
        english_panel("hero_title_en", "hero_text_en", "hero_link_label_en"),
        FieldPanel("sections"),
    ]
    api_fields = [
        APIField("hero_title"),
        APIField("hero_title_en"),
        APIField("hero_text"),
        APIField("hero_text_en"),
        APIField("sections"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.StandardPage",
        "cms.NewsIndexPage",
        "cms.CampaignPage",
        "marketplace.VendorIndexPage",
        "events.FairIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_card_image(self):
        return self.hero_image

    def latest_news(self, count=4):
        return (
            NewsArticlePage.objects.live()
            .public()
            .descendant_of(self)
            .select_related("image")
            .order_by("-date", "-pk")[:count]
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = self.latest_news()
        return context


class StandardPage(SitePage):
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    body_en = StreamField(BodyBlock(), blank=True, verbose_name=_("body (English)"))

    content_panels = SitePage.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        english_panel("intro_en", "body_en"),
    ]
    api_fields = [APIField("name_en"), APIField("intro"), APIField("intro_en"), APIField("body"), APIField("body_en")]
    search_fields = Page.search_fields + [
        index.SearchField("name_en"),
        index.SearchField("intro"),
        index.SearchField("intro_en"),
        index.SearchField("body"),
        index.SearchField("body_en"),
    ]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")


class NewsIndexPage(SitePage):
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = SitePage.content_panels + [FieldPanel("intro"), english_panel("intro_en")]
    api_fields = [APIField("intro"), APIField("intro_en")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsArticlePage"]
    max_count = 1
    articles_per_page = 10

    class Meta:
        verbose_name = _("news index page")
        verbose_name_plural = _("news index pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = (
            NewsArticlePage.objects.live().public().child_of(self).select_related("image").order_by("-date", "-pk")
        )
        context["articles"] = Paginator(articles, self.articles_per_page).get_page(request.GET.get("page"))
        return context


class NewsArticlePage(SitePage):
    """A notice as the organisers publish it, such as a city office's report on a fair."""

    date = models.DateField(_("publication date"), default=timezone.localdate)
    source = models.CharField(_("source"), max_length=80, blank=True, help_text=_("Organisation that issued it."))
    source_en = models.CharField(_("source (English)"), max_length=120, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"))
    body_en = StreamField(BodyBlock(), blank=True, verbose_name=_("body (English)"))

    content_panels = SitePage.content_panels + [
        FieldPanel("date"),
        FieldPanel("source"),
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("body"),
        english_panel("source_en", "summary_en", "body_en"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("name_en"),
        index.SearchField("summary"),
        index.SearchField("summary_en"),
        index.SearchField("body"),
        index.SearchField("body_en"),
        index.FilterField("date"),
    ]
    api_fields = [
        APIField("name_en"),
        APIField("date"),
        APIField("source"),
        APIField("source_en"),
        APIField("summary"),
        APIField("summary_en"),
        APIField("image"),
        APIField("body"),
        APIField("body_en"),
    ]

    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []
    card_template = "cms/cards/news_card.html"

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")

    def get_card_image(self):
        return self.image


class CampaignPage(SitePage):
    """A 百县千碗 or 山海协作 campaign: its story, dates and the pages that belong to it."""

    class Kind(models.TextChoices):
        BAIXIAN_QIANWAN = "baixian_qianwan", _("Hundred counties, thousand bowls")
        SHANHAI = "shanhai", _("Mountain-sea cooperation")
        OTHER = "other", _("Other")

    kind = models.CharField(_("campaign"), max_length=20, choices=Kind.choices, default=Kind.SHANHAI)
    subtitle = models.CharField(_("subtitle"), max_length=120, blank=True)
    subtitle_en = models.CharField(_("subtitle (English)"), max_length=160, blank=True)
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"), null=True, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )
    body = StreamField(BodyBlock(), verbose_name=_("story"))
    body_en = StreamField(BodyBlock(), blank=True, verbose_name=_("story (English)"))

    content_panels = SitePage.content_panels + [
        FieldPanel("kind"),
        FieldPanel("subtitle"),
        MultiFieldPanel([FieldPanel("start_date"), FieldPanel("end_date")], heading=_("Dates")),
        FieldPanel("image"),
        FieldPanel("body"),
        english_panel("subtitle_en", "body_en"),
        InlinePanel("related_pages", heading=_("Linked pages"), label=_("page")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("name_en"),
        index.SearchField("subtitle"),
        index.SearchField("subtitle_en"),
        index.SearchField("body"),
        index.SearchField("body_en"),
    ]
    api_fields = [
        APIField("name_en"),
        APIField("kind"),
        APIField("subtitle"),
        APIField("subtitle_en"),
        APIField("start_date"),
        APIField("end_date"),
        APIField("image"),
        APIField("body"),
        APIField("body_en"),
    ]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.StandardPage"]
    card_template = "cms/cards/campaign_card.html"

    class Meta:
        verbose_name = _("campaign page")
        verbose_name_plural = _("campaign pages")

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("A campaign cannot end before it starts.")})

    def get_card_image(self):
        return self.image

    @property
    def is_running(self):
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or today <= self.end_date)


class CampaignRelatedPage(Orderable):
    campaign = ParentalKey(CampaignPage, on_delete=models.CASCADE, related_name="related_pages")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("page"))

    panels = [PageChooserPanel("page")]


class TypedChildRouteMixin:
    """Route to children of one known page type with one query instead of Wagtail's two per level.

    Wagtail's default routing loads the child as a base Page and then its specific class. A page whose
    children are all of one type can load the specific child directly (and what its template needs).
    """

    def child_route_queryset(self):
        raise NotImplementedError

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        queryset = self.child_route_queryset()
        try:
            child = queryset.child_of(self).get(slug=path_components[0])
        except queryset.model.DoesNotExist:
            raise Http404 from None
        child._cached_parent_obj = self
        return child.route(request, path_components[1:])
