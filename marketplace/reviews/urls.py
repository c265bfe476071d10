from django.urls import path

from . import views

urlpatterns = [
    path("orders/<str:number>/lines/<int:line>/review/", views.review_line, name="order_line_review"),
    path("account/reviews/", views.vendor_reviews, name="vendor_reviews"),
    path("account/reviews/<int:pk>/reply/", views.vendor_reply, name="vendor_review_reply"),
]
