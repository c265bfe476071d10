from django import template

from events.fairs.stall_map import fair_context

register = template.Library()


@register.simple_tag(takes_context=True)
def fair_map(context, fair):
    """The fair page's stall map, legend and exhibitors for this reader: `{% fair_map page as map %}`. Worked out
    once a request: later calls (another block of the template) get the same answer."""
    if not hasattr(fair, "_fair_map"):
        fair._fair_map = fair_context(context["request"], fair)
    return fair._fair_map
