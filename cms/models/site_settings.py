from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable

from cms import shell_cache


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting, ClusterableModel):
    """Site name, contact details and the footer, including the ICP filing number Chinese sites must show."""

    site_name = models.CharField(_("site name"), max_length=40, default="山海集市")
    site_name_en = models.CharField(_("English site name"), max_length=60, default="Shanhai Market")
    tagline = models.CharField(_("tagline"), max_length=120, blank=True)
    tagline_en = models.CharField(_("tagline (English)"), max_length=160, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=250, blank=True)
    footer_text = models.TextField(_("footer text"), blank=True)
    footer_text_en = models.TextField(_("footer text (English)"), blank=True)
    icp_number = models.CharField(
        _("ICP filing number"),
        max_length=60,
        blank=True,
        help_text=_("备案号, e.g. 浙ICP备12345678号-1; shown in the footer."),
    )
    public_security_number = models.CharField(_("public security filing number"), max_length=60, blank=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("site_name"), FieldPanel("site_name_en"), FieldPanel("tagline"), FieldPanel("tagline_en")],
            heading=_("Site"),
        ),
        MultiFieldPanel(
            [FieldPanel("contact_phone"), FieldPanel("contact_email"), FieldPanel("address"), FieldPanel("address_en")],
            heading=_("Contact"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("footer_text"),
                FieldPanel("footer_text_en"),
                FieldPanel("icp_number"),
                FieldPanel("public_security_number"),
                InlinePanel("footer_links", label=_("link")),
            ],
            heading=_("Footer"),
        ),
    ]

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    @classmethod
    def for_site(cls, site):
        return shell_cache.get_or_set(("settings", site.pk), lambda: super(SiteSettings, cls).for_site(site))


class FooterLink(Orderable):
    settings = ParentalKey(SiteSettings, on_delete=models.CASCADE, related_name="footer_links")
    label = models.CharField(_("label"), max_length=40)
    label_en = models.CharField(_("label (English)"), max_length=60, blank=True)
    page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("page")
    )
    url = models.URLField(_("or web address"), blank=True)

    panels = ["label", "label_en", "page", "url"]

    @property
    def href(self):
        return self.page.url if self.page_id else self.url
