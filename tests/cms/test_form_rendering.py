"""The site's one form rendering (cms.forms.SiteFormRenderer) and the design filters (percent, status_tone)."""

from django import forms
from django.conf import settings
from django.template import Context, Template

from cms.templatetags.cms_tags import percent, status_tone


class SampleForm(forms.Form):
    name = forms.CharField(label="Name", help_text="As on your ID card")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)
    agree = forms.BooleanField(label="I agree")
    size = forms.ChoiceField(label="Size", choices=[("s", "Small"), ("l", "Large")], widget=forms.RadioSelect)


def test_the_project_renderer_is_configured():
    assert settings.FORM_RENDERER == "cms.forms.SiteFormRenderer"


def test_a_form_renders_labelled_fields_with_required_marks_help_and_choice_lists():
    html = str(SampleForm())
    assert (
        '<label class="field__label" for="id_name">Name<span class="field__required" aria-hidden="true">*</span>'
        in html
    )
    assert '<p class="field__help" id="id_name_helptext">As on your ID card</p>' in html
    assert 'aria-describedby="id_name_helptext"' in html
    assert 'class="field field--textarea"' in html  # optional: no required mark
    assert '<label class="field__label" for="id_note">Note</label>' in html
    # A single checkbox: the box, then its label, in one .check row.
    check = html.split('<div class="check">')[1].split("</div>")[0]
    assert check.index('type="checkbox"') < check.index('<label class="check__label" for="id_agree">')
    # Radio buttons: a fieldset with a legend, each option's label wrapping its button.
    assert '<fieldset class="field__set">' in html
    assert '<legend class="field__label">Size<span class="field__required" aria-hidden="true">*</span></legend>' in html
    assert '<div class="choice-list">' in html
    assert '<label for="id_size_0"><input type="radio" name="size" value="s"' in html


def test_errors_are_tied_to_their_control():
    form = SampleForm(data={"note": "x"})
    assert not form.is_valid()
    html = str(form)
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    # The alert is a wrapper: role="alert" on the <ul> itself would strip its list semantics (axe "listitem").
    assert '<div class="field__errors" id="id_name_error" role="alert"><ul><li>' in html
    assert "field--error" in html
    # A field rendered on its own through {{ field.as_field_group }} looks the same.
    group = Template("{{ form.name.as_field_group }}").render(Context({"form": form}))
    assert 'id="id_name_error"' in group and 'class="field__label"' in group


def test_non_field_errors_show_as_an_error_notice():
    form = SampleForm(data={})
    form.add_error(None, "The stall is taken.")
    assert '<div class="notice notice--error form-errors" role="alert">' in str(form)


def test_percent_shows_a_ratio_as_a_percentage():
    assert percent(0.14) == "14%"
    assert percent("0.125", 1) == "12.5%"
    assert percent(0) == "0%"
    assert percent(1) == "100%"
    assert percent(None) == ""
    assert percent("n/a") == "n/a"


def test_status_tone_gives_the_badge_class_of_a_status():
    assert status_tone("paid") == "status status--ok"
    assert status_tone("awaiting_approval") == "status status--warn"
    assert status_tone("cancelled") == "status status--muted"
    assert status_tone("rejected") == "status status--bad"
    assert status_tone("something-new") == "status"
