from django import template

from events.fair_map import fair_context

register = template.Library()


@register.simple_tag(takes_context=True)
def fair_map(context, fair):
    """The fair page's stall map, legend and exhibitors for this reader: `{% fair_map page as map %}`."""
    return fair_context(context["request"], fair)
