"""Forms of the fairs: a vendor's stall application and self-booking."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.images.fields import WagtailImageField

from cms import privacy
from marketplace.checkout.forms import set_payment_choices
from marketplace.models import ProductPage

from .models import AddOn, Stall, StallType, TicketType, TimeSlot

LICENCE_TYPES = (".pdf", ".jpg", ".jpeg", ".png")
MAX_LICENCE_BYTES = 5 * 1024 * 1024


class ApplicationForm(forms.Form):
    vendor = forms.ModelChoiceField(queryset=None, label=_("Vendor"))
    stall_type = forms.ModelChoiceField(queryset=None, required=False, label=_("Preferred stall type"))
    preferred_stalls = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Preferred stalls"), widget=forms.SelectMultiple(attrs={"size": 6})
    )
    products = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Products you will show and sell"),
        widget=forms.CheckboxSelectMultiple,
    )
    product_note = forms.CharField(label=_("Other products"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    needs_power = forms.BooleanField(label=_("We need power"), required=False)
    needs_water = forms.BooleanField(label=_("We need water"), required=False)
    addons = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Add-ons"), widget=forms.CheckboxSelectMultiple
    )
    food_licence = forms.FileField(label=_("Food licence (PDF or image)"), required=False)
    note = forms.CharField(label=_("Note to the organiser"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, fair, vendors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors
        if vendors.count() == 1:
            self.fields["vendor"].initial = vendors.first()
        self.fields["stall_type"].queryset = StallType.objects.filter(fair=fair)
        self.fields["preferred_stalls"].queryset = Stall.objects.filter(fair=fair, blocked=False)
        self.fields["products"].queryset = ProductPage.objects.live().filter(vendor__in=vendors)
        self.fields["addons"].queryset = AddOn.objects.filter(fair=fair)

    def clean_food_licence(self):
        upload = self.cleaned_data.get("food_licence")
        if upload:
            if not upload.name.lower().endswith(LICENCE_TYPES):
                raise forms.ValidationError(_("Upload a PDF, JPEG or PNG file."))
            if upload.size > MAX_LICENCE_BYTES:
                raise forms.ValidationError(_("The file is larger than 5 MB."))
            if not upload.name.lower().endswith(".pdf"):
                # An image goes through Wagtail's image checks: real JPEG/PNG, pixel limit (no decompression bombs).
                upload = WagtailImageField(required=False).clean(upload)
        return upload


class BookingForm(forms.Form):
    vendor = forms.ModelChoiceField(queryset=None, label=_("Vendor"))
    addons = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Add-ons"), widget=forms.CheckboxSelectMultiple
    )
    payment_method = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect)

    def __init__(self, *args, fair, vendors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors
        if vendors.count() == 1:
            self.fields["vendor"].initial = vendors.first()
        self.fields["addons"].queryset = AddOn.objects.filter(fair=fair)
        # Only the methods that can be paid now (bank transfer alone without Stripe), the default pre-selected.
        set_payment_choices(self.fields["payment_method"])


class RegistrationForm(forms.Form):
    """A visitor's registration, phone first (most visitors come from a phone and a mini-program)."""

    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "13812345678"}),
    )
    name = forms.CharField(label=_("Name"), max_length=60, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("E-mail (optional, for the ticket)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    ticket_type = forms.ModelChoiceField(queryset=None, label=_("Ticket"), empty_label=None)
    slot = forms.ModelChoiceField(queryset=None, label=_("Time slot"), required=False)
    people = forms.IntegerField(label=_("Number of people"), min_value=1, initial=1)
    attendees = forms.CharField(
        label=_("Names of all attendees (optional, one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    join_waitlist = forms.BooleanField(
        label=_("Put me on the waiting list if it is full"), required=False, initial=True
    )
    # Required only for paid tickets: an empty answer means the default method (ticketing.register).
    payment_method = forms.ChoiceField(label=_("Payment (paid tickets)"), required=False, widget=forms.RadioSelect)
    consent = privacy.consent_field()

    def __init__(self, *args, fair, now, challenge=False, **kwargs):

        super().__init__(*args, **kwargs)
        if challenge:
            # After repeated attempts from one address (events.registration_views): a self-hosted image
            # challenge (django-simple-captcha; the image comes from this site's /captcha/ URLs).
            from captcha.fields import CaptchaField

            self.fields["captcha"] = CaptchaField(
                label=_("Type the characters in the picture"),
                error_messages={"invalid": _("The characters do not match the picture. Try the new one.")},
            )
        self.fields["ticket_type"].queryset = TicketType.objects.filter(fair=fair)
        free = _("free")
        self.fields["ticket_type"].label_from_instance = lambda t: (
            f"{t.name} · " + (str(free) if t.is_free else f"¥{t.price}")
        )
        slots = TimeSlot.objects.filter(fair=fair, closed=False, date__gte=now.date()).order_by("date", "starts_at")
        self.fields["slot"].queryset = slots
        self.fields["slot"].label_from_instance = lambda s: (
            f"{s} · " + (_("%(n)s places left") % {"n": s.remaining} if s.remaining else str(_("full, waiting list")))
        )
        set_payment_choices(self.fields["payment_method"])

    def attendee_names(self):
        return [line.strip() for line in self.cleaned_data.get("attendees", "").splitlines() if line.strip()]


class SlotChangeForm(forms.Form):
    slot = forms.ModelChoiceField(queryset=None, label=_("New time slot"), empty_label=None)

    def __init__(self, *args, registration, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = TimeSlot.objects.filter(fair=registration.fair, closed=False).exclude(
            pk=registration.slot_id
        )


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Ticket code"),
        max_length=300,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
                "aria-describedby": "checkin-code-help",
            }
        ),
    )
