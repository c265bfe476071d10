"""The site form renderer draws widgets with Django's templates only (cms.forms): no second, hand-built rendering,
and a widget template an app overrides is the one used."""

from django import forms
from django.forms.renderers import TemplatesSetting

from cms.forms import SiteFormRenderer


def test_widgets_go_through_the_template_engine(monkeypatch):
    assert "render" not in vars(SiteFormRenderer)  # Django's TemplatesSetting.render, not one of ours
    rendered = []
    original = TemplatesSetting.render

    def recording(self, template_name, context, request=None):
        rendered.append(template_name)
        return original(self, template_name, context, request)

    monkeypatch.setattr(TemplatesSetting, "render", recording)

    class Widgets(forms.Form):
        text = forms.CharField()
        note = forms.CharField(widget=forms.Textarea)
        choice = forms.ChoiceField(choices=[("a", "A")])

    form = Widgets(renderer=SiteFormRenderer())
    for name in form.fields:
        str(form[name])
    assert rendered == [
        "django/forms/widgets/text.html",
        "django/forms/widgets/textarea.html",
        "django/forms/widgets/select.html",
    ]


def test_a_project_override_of_a_widget_template_is_respected(tmp_path, settings):
    override_dir = tmp_path / "templates" / "django" / "forms" / "widgets"
    override_dir.mkdir(parents=True)
    (override_dir / "text.html").write_text('<input class="mine" name="{{ widget.name }}">')
    engines = settings.TEMPLATES
    settings.TEMPLATES = [{**engines[0], "DIRS": [tmp_path / "templates", *engines[0]["DIRS"]]}]

    class One(forms.Form):
        name = forms.CharField()

    assert str(One(renderer=SiteFormRenderer())["name"]) == '<input class="mine" name="name">'
