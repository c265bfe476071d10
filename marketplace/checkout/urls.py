"""People's checkout pages (cart, checkout, payment, orders, account), mounted under the language prefix."""

urlpatterns = []
