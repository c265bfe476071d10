"""The site's one form rendering: every form's fields go through the same templates.

`{{ form }}` renders cms/forms/div.html and `{{ field.as_field_group }}` renders cms/forms/field.html
(labelled field, required mark, help text and errors tied to the control with `aria-describedby`,
choice lists as large tap targets with the label next to its box). Their classes are styled in
cms/static/cms/css/site.css. The widgets inside are Django's own templates, found through TEMPLATES like any
other (an app may override one), so there is one way a widget is drawn.
"""

from django.forms.renderers import TemplatesSetting


class SiteFormRenderer(TemplatesSetting):
    """Django's TemplatesSetting (templates found through the project's TEMPLATES) with project form templates."""

    form_template_name = "cms/forms/div.html"
    field_template_name = "cms/forms/field.html"
