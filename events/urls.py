"""The fairs' people-facing routes that are not pages: ticket management, QR, check-in, find my ticket, the
stall forms and reports. Ordinary Django URLs under the fair index's path (`/fairs/`, `/en/fairs/`), matched
before Wagtail's page tree; the fair index and the fair pages themselves are Wagtail pages.
"""

from django.urls import path

from . import agreement_views, find_ticket_views, registration_views, stall_sales_views, views
from .pages import fair_view, index_view

# The fair index page's slug (the demo's and the tests'): these URLs keep the paths they had as its sub-routes.
FAIRS = "fairs/"

urlpatterns = [
    # Under the fair index.
    path(f"{FAIRS}mine/", views.my_stalls, name="fair_my_stalls"),
    path(f"{FAIRS}agreements/", index_view(agreement_views.my_agreements), name="fair_my_agreements"),
    path(f"{FAIRS}agreements/record/", index_view(agreement_views.record), name="fair_agreement_record"),
    path(f"{FAIRS}pass/<str:code>/", views.exhibitor_pass, name="fair_exhibitor_pass"),
    path(f"{FAIRS}registration/<str:key>/", registration_views.manage, name="fair_registration"),
    path(f"{FAIRS}registration/<str:key>/qr/", registration_views.qr, name="fair_registration_qr"),
    path(f"{FAIRS}registration/<str:key>/ical/", registration_views.ical, name="fair_registration_ical"),
    path(f"{FAIRS}checkin/<str:code>/", registration_views.checkin_code, name="fair_checkin_code"),
    path(f"{FAIRS}find-ticket/", find_ticket_views.ask, name="fair_find_ticket"),
    path(f"{FAIRS}find-ticket/code/", find_ticket_views.check, name="fair_find_ticket_code"),
    path(
        f"{FAIRS}series/<int:series_id>/",
        index_view(stall_sales_views.series_results),
        name="fair_series_results",
    ),
    # Under a fair page.
    path(f"{FAIRS}<str:fair_slug>/ical/", views.fair_ical, name="fair_ical"),
    path(f"{FAIRS}<str:fair_slug>/apply/", views.apply, name="fair_apply"),
    path(f"{FAIRS}<str:fair_slug>/book/<int:stall_id>/", views.book, name="fair_book"),
    path(f"{FAIRS}<str:fair_slug>/register/", registration_views.register, name="fair_register"),
    path(f"{FAIRS}<str:fair_slug>/checkin/", registration_views.checkin, name="fair_checkin"),
    path(f"{FAIRS}<str:fair_slug>/registrations/", registration_views.report, name="fair_registrations"),
    path(f"{FAIRS}<str:fair_slug>/sales/", fair_view(stall_sales_views.sales_page), name="fair_sales"),
    path(f"{FAIRS}<str:fair_slug>/sales/worker/", fair_view(stall_sales_views.sales_worker), name="fair_sales_worker"),
    path(f"{FAIRS}<str:fair_slug>/results/", fair_view(stall_sales_views.results), name="fair_results"),
    path(
        f"{FAIRS}<str:fair_slug>/results/print/", fair_view(stall_sales_views.results_print), name="fair_results_print"
    ),
]
