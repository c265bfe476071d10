"""The buyer's review form and the vendor's reply form; the services check everything that matters."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .models import MAX_PHOTOS, MAX_TEXT

RATING_CHOICES = [
    (5, _("5 stars — excellent")),
    (4, _("4 stars — good")),
    (3, _("3 stars — all right")),
    (2, _("2 stars — poor")),
    (1, _("1 star — bad")),
]


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several image files from one input; each is checked as an image by the service (Wagtail's limits)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(PhotosField, self).clean(upload, initial) for upload in files if upload]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"), choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Your review"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What did you like, what not? At most 500 characters. Shown once staff have checked it."),
    )
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        help_text=ngettext_lazy("Up to %(n)d photo.", "Up to %(n)d photos.", MAX_PHOTOS) % {"n": MAX_PHOTOS},
    )

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(
                ngettext_lazy("At most %(n)d photo per review.", "At most %(n)d photos per review.", MAX_PHOTOS)
                % {"n": MAX_PHOTOS}
            )
        return photos


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown under the review on the product page. You can reply once."),
    )
