"""The site's one form rendering: every public form's fields go through the same templates.

`{{ form }}` renders cms/forms/div.html and `{{ field.as_field_group }}` renders cms/forms/field.html
(labelled field, required mark, help text and errors tied to the control with `aria-describedby`,
choice lists as large tap targets with the label next to its box). Their classes are styled in
cms/static/cms/css/site.css.
"""

import functools
from pathlib import Path

import django.forms
from django.forms.renderers import TemplatesSetting
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeData


class SiteFormRenderer(TemplatesSetting):
    """Django's TemplatesSetting (templates found through the project's TEMPLATES) with project form templates."""

    form_template_name = "cms/forms/div.html"
    field_template_name = "cms/forms/field.html"

    def render(self, template_name, context, request=None):
        # Django's own input, textarea and select templates rendered in Python, to the same bytes: through the
        # template engine each costs 0.15 ms, and each <option> of a select as much again (the checkout's
        # province list alone was 1.7 ms). Any other template, or one a project app overrides, renders as before.
        fast = _FAST_WIDGETS.get(template_name)
        if fast is not None and request is None and self._is_djangos(template_name):
            html = fast(self, context)
            if html is not None:
                return html
        return super().render(template_name, context, request=request)

    @functools.cached_property
    def _djangos_templates(self):
        return {}

    def _is_djangos(self, template_name):
        """Whether `template_name` is found in Django's own form templates (not overridden by the project)."""
        found = self._djangos_templates.get(template_name)
        if found is None:
            origin = Path(self.get_template(template_name).origin.name).resolve()
            found = self._djangos_templates[template_name] = origin.is_relative_to(DJANGO_FORM_TEMPLATES)
        return found


DJANGO_FORM_TEMPLATES = (Path(django.forms.__file__).parent / "templates").resolve()
_PLAIN = Context()  # what TemplatesSetting renders a widget with: autoescape on, localisation as configured


def _text(value):
    """`{{ value }}` in a widget template."""
    return render_value_in_context(value, _PLAIN)


def _as_string(value):
    """`{{ value|stringformat:'s' }}`: str() of the value, escaped unless it was safe already."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs):
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is not False:
            parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_as_string(value)}"')
    return "".join(parts)


def _input(renderer, context):
    """django/forms/widgets/input.html (text, hidden, number, e-mail … include it)."""
    widget = context["widget"]
    value = f' value="{_as_string(widget["value"])}"' if widget["value"] != None else ""  # noqa: E711 (as the template)
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _textarea(renderer, context):
    widget = context["widget"]
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


SELECT_OPTION = "django/forms/widgets/select_option.html"


def _select(renderer, context):
    widget = context["widget"]
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _group_index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != SELECT_OPTION or not renderer._is_djangos(SELECT_OPTION):
                return None  # an option template of its own: the engine renders the whole select
            parts.append(
                f'\n  <option value="{_as_string(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"  # the included option template's own line end
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


_INPUTS = ("text", "hidden", "number", "email", "password", "url", "tel", "search", "date", "datetime", "time")
_FAST_WIDGETS = {
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUTS},
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/checkbox.html": _input,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
}
