"""People's checkout pages (cart, checkout, payment, orders, account), mounted under the language prefix."""

from django.urls import path

from . import views

urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.order_list, name="orders"),
    path("orders/guest/<str:token>/", views.order_access, name="order_access"),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
    path("orders/<str:number>/cancel/", views.order_cancel, name="order_cancel"),
    path(
        "orders/<str:number>/parts/<int:part>/confirm/",
        views.order_confirm_delivery,
        name="order_confirm_delivery",
    ),
    path("orders/<str:number>/parts/<int:part>/cancel/", views.order_cancel_part, name="order_cancel_part"),
    path("orders/<str:number>/parts/<int:part>/after-sale/", views.after_sale_new, name="after_sale_new"),
    path("orders/<str:number>/after-sale/<int:pk>/", views.after_sale_detail, name="after_sale_detail"),
    path(
        "orders/<str:number>/after-sale/<int:pk>/<slug:action>/",
        views.after_sale_action,
        name="after_sale_action",
    ),
    path("orders/<str:number>/payment-method/", views.order_payment_method, name="order_payment_method"),
    path("orders/<str:number>/pay/", views.order_pay, name="order_pay"),
    path("orders/<str:number>/pay/return/", views.order_pay_return, name="order_pay_return"),
    path("account/", views.account, name="account"),
    path("account/addresses/", views.address_list, name="account_addresses"),
    path("account/addresses/add/", views.address_add, name="address_add"),
    path("account/addresses/<int:pk>/edit/", views.address_edit, name="address_edit"),
    path("account/addresses/<int:pk>/delete/", views.address_delete, name="address_delete"),
    path("account/addresses/<int:pk>/default/", views.address_default, name="address_default"),
]
