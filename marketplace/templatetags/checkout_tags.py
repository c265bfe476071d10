"""Template tags of the buyer's checkout pages."""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cms.phone import mask_phone

from ..checkout.cart import purchase_state
from ..checkout.notifications import guest_link_channel

register = template.Library()


@register.simple_tag(takes_context=True)
def buy_state(context, product):
    """{"can_buy": bool, "message": str} for the product page's buy box and the current buyer."""
    request = context.get("request")
    can_buy, message = purchase_state(product, getattr(request, "user", None))
    return {"can_buy": can_buy, "message": message}


@register.simple_tag
def guest_link_notice(order):
    """What a guest's order page says about its private link: where it was actually sent (e-mail or SMS, the
    same decision as cms.notify makes when sending), or that nothing could be sent."""
    if order is None:
        return ""
    channel = guest_link_channel(order)
    if channel == "email":
        return _("We sent the link to this order to %(email)s: it is the only way back to it without an account.") % {
            "email": order.guest_email
        }
    if channel == "sms":
        phone = order.guest_phone
        return _(
            "We sent the link to this order by SMS to %(phone)s: it is the only way back to it without an account."
        ) % {"phone": mask_phone(phone)}
    return _("Bookmark this page: its address is the only way back to this order without an account.")


@register.simple_tag
def province_options(provinces, selected):
    """The cart's "deliver to" <option>s, the chosen one selected: markup that a template loop made at ≈ 20 µs an
    option (34 provinces on every cart page)."""
    rows = ((name, _SELECTED if name == selected else "", name) for name in provinces)
    return format_html_join("", '<option value="{}"{}>{}</option>', rows)


_SELECTED = mark_safe(" selected")
