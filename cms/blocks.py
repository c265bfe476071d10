"""Small StreamField blocks, each rendered by its own template under templates/blocks/.

Bodies have an English twin stream (`body_en`); the home page's sections are one stream for both languages,
so their short texts carry an optional English twin (`heading_en`, `label_en`) read through the `tr` filter.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("text"))
    level = blocks.ChoiceBlock(choices=[("h2", "H2"), ("h3", "H3")], default="h2", label=_("level"))

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        label = _("Heading")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(required=False, label=_("caption"))

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"
        label = _("Image")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(required=False, label=_("attribution"))

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        label = _("Quote")


class CallToActionBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("button text"))
    label_en = blocks.CharBlock(required=False, label=_("button text (English)"))
    page = blocks.PageChooserBlock(required=False, label=_("page"))
    url = blocks.URLBlock(required=False, label=_("or web address"))

    class Meta:
        icon = "link"
        template = "blocks/call_to_action_block.html"
        label = _("Call to action")


class FactsBlock(blocks.StructBlock):
    """Key figures of a campaign or fair: "60 stalls", "6 counties"."""

    facts = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("figure", blocks.CharBlock(label=_("figure"))),
                ("label", blocks.CharBlock(label=_("label"))),
                ("figure_en", blocks.CharBlock(required=False, label=_("figure (English)"))),
                ("label_en", blocks.CharBlock(required=False, label=_("label (English)"))),
            ]
        ),
        label=_("facts"),
    )

    class Meta:
        icon = "list-ul"
        template = "blocks/facts_block.html"
        label = _("Key figures")


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul", "hr"],
        template="blocks/paragraph_block.html",
        label=_("Paragraph"),
    )
    image = ImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    facts = FactsBlock()


class FeaturedPagesBlock(blocks.StructBlock):
    """Pages an editor puts on the home page: vendors, products, fairs or any other page.

    Each page is drawn by its own card template (`card_template` on the page class), so this
    block need not know the apps that define those pages.
    """

    heading = blocks.CharBlock(label=_("heading"))
    heading_en = blocks.CharBlock(required=False, label=_("heading (English)"))
    pages = blocks.ListBlock(blocks.PageChooserBlock(), label=_("pages"))
    more_link = blocks.PageChooserBlock(required=False, label=_("“more” link"))

    class Meta:
        icon = "pick"
        template = "blocks/featured_pages_block.html"
        label = _("Featured pages")


class HomeSectionsBlock(blocks.StreamBlock):
    featured = FeaturedPagesBlock()
    facts = FactsBlock()
    call_to_action = CallToActionBlock()
