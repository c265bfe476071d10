"""The fairs' people-facing routes that are not pages: ticket management, QR, check-in, find my ticket, the
stall forms and reports. Ordinary Django URLs under the fair index's path (`/fairs/`, `/en/fairs/`), matched
before Wagtail's page tree; the fair index and the fair pages themselves are Wagtail pages.
"""

from django.urls import path

from events.agreements import views as agreement_views
from events.checkin import views as checkin_views
from events.fairs import views as fair_views
from events.pages import fair_view, index_view
from events.registration import find_ticket_views
from events.registration import views as registration_views
from events.stalls import views as stall_views

# The fair index page's slug (the demo's and the tests'): these URLs keep the paths they had as its sub-routes.
FAIRS = "fairs/"

urlpatterns = [
    # Under the fair index.
    path(f"{FAIRS}mine/", stall_views.my_stalls, name="fair_my_stalls"),
    path(f"{FAIRS}agreements/", index_view(agreement_views.my_agreements), name="fair_my_agreements"),
    path(f"{FAIRS}agreements/record/", index_view(agreement_views.record), name="fair_agreement_record"),
    path(f"{FAIRS}pass/<str:code>/", stall_views.exhibitor_pass, name="fair_exhibitor_pass"),
    path(f"{FAIRS}registration/<str:key>/", registration_views.manage, name="fair_registration"),
    path(f"{FAIRS}registration/<str:key>/qr/", registration_views.qr, name="fair_registration_qr"),
    path(f"{FAIRS}registration/<str:key>/ical/", registration_views.ical, name="fair_registration_ical"),
    path(f"{FAIRS}checkin/<str:code>/", checkin_views.checkin_code, name="fair_checkin_code"),
    path(f"{FAIRS}find-ticket/", find_ticket_views.ask, name="fair_find_ticket"),
    path(f"{FAIRS}find-ticket/code/", find_ticket_views.check, name="fair_find_ticket_code"),
    path(
        f"{FAIRS}series/<int:series_id>/",
        index_view(fair_views.series_results),
        name="fair_series_results",
    ),
    # Under a fair page.
    path(f"{FAIRS}<str:fair_slug>/ical/", stall_views.fair_ical, name="fair_ical"),
    path(f"{FAIRS}<str:fair_slug>/apply/", stall_views.apply, name="fair_apply"),
    path(f"{FAIRS}<str:fair_slug>/book/<int:stall_id>/", stall_views.book, name="fair_book"),
    path(f"{FAIRS}<str:fair_slug>/register/", registration_views.register, name="fair_register"),
    path(f"{FAIRS}<str:fair_slug>/checkin/", checkin_views.checkin, name="fair_checkin"),
    path(f"{FAIRS}<str:fair_slug>/registrations/", registration_views.report, name="fair_registrations"),
    path(f"{FAIRS}<str:fair_slug>/sales/", fair_view(fair_views.sales_page), name="fair_sales"),
    path(f"{FAIRS}<str:fair_slug>/sales/worker/", fair_view(fair_views.sales_worker), name="fair_sales_worker"),
    path(f"{FAIRS}<str:fair_slug>/results/", fair_view(fair_views.results), name="fair_results"),
    path(f"{FAIRS}<str:fair_slug>/results/print/", fair_view(fair_views.results_print), name="fair_results_print"),
]
