from django.urls import path

from . import views

urlpatterns = [
    path("canteen/", views.unit_list, name="canteen_units"),
    path("canteen/apply/", views.unit_apply, name="canteen_apply"),
    path("canteen/share/", views.staff_share, name="canteen_staff_share"),
    path("canteen/share/print/", views.staff_share, {"printable": True}, name="canteen_staff_share_print"),
    path("canteen/<int:pk>/", views.dashboard, name="canteen_dashboard"),
    path("canteen/<int:pk>/checkout/", views.unit_checkout, name="canteen_checkout"),
    path("canteen/<int:pk>/statement/", views.statement, name="canteen_statement"),
    path("canteen/<int:pk>/share/", views.share, name="canteen_share"),
    path("canteen/<int:pk>/share/print/", views.share, {"printable": True}, name="canteen_share_print"),
    path("canteen/<int:pk>/budget/", views.budget, name="canteen_budget"),
    path("canteen/<int:pk>/members/", views.members, name="canteen_members"),
    path("canteen/<int:pk>/members/<int:member_id>/remove/", views.member_remove, name="canteen_member_remove"),
    path("canteen/<int:pk>/addresses/", views.addresses, name="canteen_addresses"),
    path("canteen/<int:pk>/addresses/<int:address_id>/", views.address_edit, name="canteen_address_edit"),
    path("canteen/<int:pk>/addresses/<int:address_id>/delete/", views.address_delete, name="canteen_address_delete"),
    path("canteen/orders/<str:number>/", views.order_detail, name="canteen_order"),
    path("canteen/orders/<str:number>/approve/", views.order_approve, name="canteen_order_approve"),
    path("canteen/orders/<str:number>/reject/", views.order_reject, name="canteen_order_reject"),
    path("canteen/orders/<str:number>/reorder/", views.order_reorder, name="canteen_order_reorder"),
    path("canteen/orders/<str:number>/parts/<int:part_id>/receive/", views.order_receive, name="canteen_receive"),
    path(
        "canteen/orders/<str:number>/parts/<int:part_id>/invoice/",
        views.order_request_invoice,
        name="canteen_request_invoice",
    ),
]
