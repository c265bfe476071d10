"""Template tags of the buyer's checkout pages."""

from django import template

from ..checkout.cart import purchase_state

register = template.Library()


@register.simple_tag(takes_context=True)
def buy_state(context, product):
    """{"can_buy": bool, "message": str} for the product page's buy box and the current buyer."""
    request = context.get("request")
    can_buy, message = purchase_state(product, getattr(request, "user", None))
    return {"can_buy": can_buy, "message": message}
