"""Forms of visitor registration: registering for a fair and changing the time slot."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cms import privacy
from events.models import TicketType, TimeSlot
from marketplace.checkout.forms import set_payment_choices


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
            # After repeated attempts from one address (events.registration.views): a self-hosted image
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
        # The options read once: a ModelChoiceField queries again each time its choices are iterated, and the
        # select widget iterates them twice (its `required` check and its options).
        self.fields["slot"].choices = list(iter(self.fields["slot"].choices))  # iter(): no COUNT for a length hint
