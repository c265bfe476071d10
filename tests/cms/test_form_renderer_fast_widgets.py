"""The site form renderer draws Django's input, textarea and select templates in Python (cms.forms): every widget
must come out byte for byte as the template engine draws it, escaping, localisation, groups and odd values
included, and a template a project app overrides must still be used."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from cms.forms import SiteFormRenderer


class EngineOnly(TemplatesSetting):
    """Django's TemplatesSetting as it is: every widget through the template engine."""


class Everything(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Search"), "autofocus": True}))
    quoted = forms.CharField(initial='a "b" <c> & d', widget=forms.TextInput(attrs={"data-x": "<&>", "off": False}))
    safe = forms.CharField(initial=mark_safe("<b>kept</b>"))
    number = forms.DecimalField(initial=Decimal("1234.50"))
    integer = forms.IntegerField(initial=12345)
    email = forms.EmailField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="x<y")
    hidden = forms.CharField(widget=forms.HiddenInput, initial="k=1&v=2")
    phone = forms.CharField(widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}))
    day = forms.DateField(initial=datetime.date(2026, 12, 5), widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField(initial=datetime.datetime(2026, 12, 5, 9, 30))
    time = forms.TimeField(initial=datetime.time(9, 30))
    url = forms.URLField(required=False, assume_scheme="https")
    agree = forms.BooleanField(required=False, initial=True)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), initial="line <1>\nline 2")
    empty_note = forms.CharField(widget=forms.Textarea, required=False)
    choice = forms.ChoiceField(
        choices=[("", "Choose…"), ("浙江省", "浙江省"), ("a&b", 'A "&" B'), (3, 1234)], initial="a&b"
    )
    grouped = forms.ChoiceField(
        choices=[("", "—"), ("浙江", [("杭州", "杭州市"), ("衢州", "衢州市")]), ("其他", [(1, gettext_lazy("Other"))])],
        initial="衢州",
    )
    many = forms.MultipleChoiceField(choices=[(1, "one"), (2, "two"), (3, "three")], initial=[1, 3])
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, initial="b")


def rendered(form_class, renderer, **kwargs):
    form = form_class(renderer=renderer, **kwargs)
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("bound", [False, True])
def test_every_widget_renders_as_the_template_engine_does(language, bound):
    data = {"text": "胡柚 <x>", "quoted": "'q'", "number": "12.5", "choice": "3", "grouped": "1", "many": ["2"]}
    kwargs = {"data": data, "prefix": "new"} if bound else {}
    with override(language):
        fast = rendered(Everything, SiteFormRenderer(), **kwargs)
        engine = rendered(Everything, EngineOnly(), **kwargs)
    assert fast == engine


def test_the_fast_path_is_taken_for_inputs_and_selects():
    renderer = SiteFormRenderer()
    calls = []
    original = TemplatesSetting.render

    def counting(self, template_name, context, request=None):
        calls.append(template_name)
        return original(self, template_name, context, request)

    TemplatesSetting.render = counting
    try:
        form = Everything(renderer=renderer)
        for name in ("text", "note", "choice", "grouped", "agree"):
            str(form[name])
        assert calls == []  # none went to the engine
        str(form["radio"])  # radio lists keep their templates
        assert calls
    finally:
        TemplatesSetting.render = original


def test_a_project_override_of_a_widget_template_is_respected(tmp_path, settings):
    override_dir = tmp_path / "templates" / "django" / "forms" / "widgets"
    override_dir.mkdir(parents=True)
    (override_dir / "text.html").write_text('<input class="mine" name="{{ widget.name }}">')
    engines = settings.TEMPLATES
    settings.TEMPLATES = [{**engines[0], "DIRS": [tmp_path / "templates", *engines[0]["DIRS"]]}]

    class One(forms.Form):
        name = forms.CharField()

    assert str(One(renderer=SiteFormRenderer())["name"]) == '<input class="mine" name="name">'
