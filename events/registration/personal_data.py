"""The fairs' part of "download my data" and "delete my account" (registered with cms.privacy): the account's
fair registrations with their attendees. On deletion their names and numbers are masked (counts, tickets and
check-in times stay, as after the retention period)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms import locking, privacy
from cms.phone import mask_phone
from events.models import Attendee, Registration
from marketplace.checkout.models import Order


def registrations(user):
    return [
        {
            "fair": r.fair.title,
            "ticket_type": r.ticket_type.name,
            "slot": str(r.slot) if r.slot_id else "",
            "name": r.name,
            "phone": r.phone,
            "email": r.email,
            "people": r.people,
            "attendees": [a.name for a in r.attendees.all()],
            "status": r.status,
            "created_at": r.created_at,
        }
        for r in Registration.objects.filter(user=user)
        .select_related("fair", "ticket_type", "slot")
        .prefetch_related("attendees")
        .order_by("created_at", "pk")
    ]


def mask_registrations(registrations_qs):
    """Mask the names and mobile numbers of these registrations and their attendees; idempotent. Returns how
    many registrations changed."""
    changed = 0
    # The guest orders first: an order is locked before the registrations it pays for (cms.locking.LOCK_ORDER).
    order_ids = registrations_qs.exclude(order=None).values_list("order_id", flat=True)
    guest_orders = {
        order.pk: order for order in locking.lock(Order.objects.filter(buyer__isnull=True), list(order_ids))
    }
    for registration in locking.lock(registrations_qs):
        name, phone = privacy.mask_name(registration.name), mask_phone(registration.phone)
        if (name, phone, "") != (registration.name, registration.phone, registration.email):
            registration.name, registration.phone, registration.email = name, phone, ""
            registration.save(update_fields=["name", "phone", "email"])
            changed += 1
        if registration.order_id in guest_orders:
            _mask_guest_order(guest_orders[registration.order_id])
        for attendee in Attendee.objects.filter(registration=registration):
            masked = privacy.mask_name(attendee.name)
            if masked != attendee.name:
                attendee.name = masked
                attendee.save(update_fields=["name"])
    return changed


def _mask_guest_order(order):
    """A guest's paid-ticket order (locked) carries the registration's contact: kept for accounting, masked alike."""
    masked = (privacy.mask_name(order.guest_name), mask_phone(order.guest_phone), "")
    if masked != (order.guest_name, order.guest_phone, order.guest_email):
        order.guest_name, order.guest_phone, order.guest_email = masked
        order.save(update_fields=["guest_name", "guest_phone", "guest_email"])


def purge_ended_fairs(*, today=None, days=None):
    """Retention (PIPL): mask the names and mobile numbers of registrations (and attendees) at fairs that
    ended more than `days` (EVENTS_PERSONAL_DATA_DAYS, 90) days ago. Counts, tickets and check-in times stay.
    Idempotent: masked values mask to themselves. One transaction per fair; returns registrations changed."""
    days = settings.EVENTS_PERSONAL_DATA_DAYS if days is None else days
    cutoff = (today or timezone.localdate()) - datetime.timedelta(days=days)
    changed = 0
    fair_ids = Registration.objects.filter(fair__end_date__lt=cutoff).values_list("fair_id", flat=True).distinct()
    for fair_id in sorted(set(fair_ids)):
        with transaction.atomic():
            changed += mask_registrations(Registration.objects.filter(fair_id=fair_id))
    return changed


def erase_registrations(user):
    mask_registrations(Registration.objects.filter(user=user))


def register():
    privacy.register_personal_data(
        "registrations", label=_("Fair registrations"), collect=registrations, erase=erase_registrations
    )
