from django.urls import path

from .. import privacy
from . import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("signup/", views.signup, name="signup"),
    path("privacy/", privacy.privacy_notice, name="privacy_notice"),
    path("logout/", views.logout_view, name="logout"),
    path("account/profile/", views.profile, name="account_profile"),
    path("account/my-data/", views.my_data, name="account_my_data"),
    path("account/delete/", views.delete_account, name="account_delete"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/sms/", views.password_reset_sms, name="password_reset_sms"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
