"""The fairs' back office in the Wagtail admin: audit-log actions, stall applications, stalls, per-fair reports."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

LOG_ACTIONS = [
    ("events.application_submitted", _("Submit stall application"), _("Stall application submitted")),
    ("events.application_waitlisted", _("Waitlist stall application"), _("Stall application waitlisted")),
    ("events.application_approved", _("Approve stall application"), _("Stall application approved")),
    ("events.stall_held", _("Hold stall"), _("Stall held until paid")),
    ("events.stall_confirmed", _("Confirm stall"), _("Stall confirmed")),
    ("events.stall_released", _("Release stall"), _("Stall released")),
    ("events.stall_cancelled", _("Cancel stall"), _("Stall booking cancelled")),
    ("events.stalls_created", _("Create stalls"), _("Stalls created")),
    ("events.fair_cancelled", _("Cancel fair"), _("Fair cancelled")),
    ("events.stall_blocked", _("Block stall"), _("Stall blocked")),
    ("events.stall_unblocked", _("Unblock stall"), _("Stall unblocked")),
    ("events.payment_for_inactive_booking", _("Payment for ended booking"), _("Payment for an ended stall booking")),
    ("events.slots_created", _("Create time slots"), _("Time slots created")),
    ("events.registration_confirmed", _("Confirm registration"), _("Visitor registration confirmed")),
    ("events.registration_held", _("Hold registration"), _("Visitor registration held until paid")),
    ("events.registration_waitlisted", _("Waitlist registration"), _("Visitor registration waitlisted")),
    ("events.registration_offered", _("Offer place"), _("Place offered from the waiting list")),
    ("events.registration_offer_accepted", _("Accept offer"), _("Offered place accepted")),
    ("events.registration_cancelled", _("Cancel registration"), _("Visitor registration cancelled")),
    ("events.registration_released", _("Release registration"), _("Visitor registration released (unpaid)")),
    ("events.registration_lapsed", _("Lapse offer"), _("Waiting-list offer lapsed")),
    ("events.registration_slot_changed", _("Change slot"), _("Visitor registration moved to another slot")),
    (
        "events.payment_for_inactive_registration",
        _("Payment for ended registration"),
        _("Payment for an ended visitor registration"),
    ),
    ("events.tickettype_capacity", _("Change ticket capacity"), _("Ticket type capacity changed")),
    ("events.timeslot_capacity", _("Change slot capacity"), _("Time slot capacity changed")),
    ("events.checked_in", _("Check in"), _("Visitor checked in")),
    ("events.checkin_role_granted", _("Grant check-in role"), _("Check-in role granted")),
    ("events.checkin_role_revoked", _("Revoke check-in role"), _("Check-in role revoked")),
    ("events.sale_recorded", _("Record sale"), _("Sale recorded at a stall")),
    ("events.sale_corrected", _("Correct sale"), _("Sale at a stall corrected")),
    ("events.sale_voided", _("Void sale"), _("Sale at a stall voided")),
    ("events.results_published", _("Publish results"), _("Fair results shown on the fair page")),
    ("events.results_unpublished", _("Unpublish results"), _("Fair results no longer shown on the fair page")),
    ("events.agreement_recorded", _("Record agreement"), _("Purchase agreement recorded")),
    ("events.agreement_changed", _("Change agreement"), _("Purchase agreement changed")),
    ("events.agreement_cancelled", _("Cancel agreement"), _("Purchase agreement cancelled")),
    ("events.agreement_ordered", _("Order against agreement"), _("Unit order placed against a purchase agreement")),
    ("events.agreements_imported", _("Import agreements"), _("Purchase agreements imported from a sheet")),
]


@hooks.register("register_log_actions")
def register_events_log_actions(actions):
    for action, label, message in LOG_ACTIONS:
        actions.register_action(action, label, message)

    @actions.register_action("events.application_rejected")
    class ApplicationRejected(LogFormatter):
        label = _("Reject stall application")

        def format_message(self, log_entry):
            return _("Stall application rejected: %(reason)s") % {"reason": log_entry.data.get("reason", "")}


@hooks.register("register_admin_urls")
def register_fair_admin_urls():
    from django.urls import path

    from events.agreements import admin as agreements_admin
    from events.stalls import admin_views

    return [
        path("fairs/", admin_views.fair_list, name="events_fairs"),
        path("fairs/<int:fair_id>/", admin_views.fair_detail, name="events_fair"),
        path("fairs/<int:fair_id>/exhibitors.<str:fmt>", admin_views.export, name="events_fair_export"),
        path("fairs/<int:fair_id>/agreements/", agreements_admin.fair_agreements, name="events_fair_agreements"),
        path("fairs/<int:fair_id>/agreements/add/", agreements_admin.agreement_create, name="events_agreement_add"),
        path(
            "fairs/<int:fair_id>/agreements/<int:agreement_id>/",
            agreements_admin.agreement_edit,
            name="events_agreement_edit",
        ),
        path(
            "fairs/<int:fair_id>/agreements/import/",
            agreements_admin.agreement_import_view,
            name="events_agreement_import",
        ),
        path(
            "fairs/<int:fair_id>/agreements/template.xlsx",
            agreements_admin.agreement_template,
            name="events_agreement_template",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_fair_menu_item():
    from django.urls import reverse
    from wagtail.admin.menu import MenuItem

    class FairsMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.is_superuser or request.user.has_perm("events.change_stallapplication")

    return FairsMenuItem(_("Stall applications"), reverse("events_fairs"), icon_name="date", order=420)


@hooks.register("register_admin_viewset")
def register_stall_setup():
    from events.stalls.admin import StallSetupGroup

    return StallSetupGroup()


@hooks.register("register_admin_viewset")
def register_registration_setup():
    from events.registration.admin import RegistrationSetupGroup

    return RegistrationSetupGroup()


@hooks.register("construct_homepage_panels")
def add_vendor_stall_panel(request, panels):
    from events.stalls import admin_views

    panel = admin_views.vendor_stall_panel(request)
    if panel is not None:
        panels.append(panel)


def register_fair_series():
    from wagtail.snippets.models import register_snippet

    from events.fairs.admin import FairSeriesViewSet

    register_snippet(FairSeriesViewSet)


register_fair_series()


@hooks.register("register_page_cache_audience")
def vendor_audience(user):
    """The fair map marks the reader's own stalls: people who work for vendors get a copy per set of vendors,
    so a vendor never sees another vendor's marks (cms.personal_cache)."""
    from events.stalls.services import vendors_of

    vendor_ids = sorted(vendors_of(user).values_list("pk", flat=True))
    return "v" + "-".join(map(str, vendor_ids)) if vendor_ids else None


@hooks.register("private_media_access")
def stall_application_files(user, name):
    """A stall application's uploads (food licence): the applicant vendor's members and organisers."""
    from events.stalls.services import can_see_application_files

    from .models import StallApplication

    applications = StallApplication.objects.filter(food_licence=name).select_related("vendor")
    return any(can_see_application_files(user, application) for application in applications)


@hooks.register("private_media_access")
def agreement_files(user, name):
    """A purchase agreement's signed document: both parties and organisers."""
    from events.agreements.models import PurchaseAgreement
    from events.agreements.services import may_see

    return any(may_see(user, agreement) for agreement in PurchaseAgreement.objects.filter(document=name))


@hooks.register("register_canteen_unit_links")
def unit_agreements_link(request, unit):
    """The canteen unit's page links to its purchase agreements once it has any."""
    from django.urls import reverse

    from events.agreements.models import PurchaseAgreement

    if not PurchaseAgreement.objects.filter(buyer_unit=unit).exists():
        return []
    return [{"url": reverse("fair_my_agreements"), "label": _("Purchase agreements signed at fairs")}]
