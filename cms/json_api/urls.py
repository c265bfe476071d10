"""The account page's API token actions (under the language prefix, like the account page)."""

from django.urls import path

from . import token_views

urlpatterns = [
    path("account/api-tokens/new/", token_views.create_token, name="api_token_create"),
    path("account/api-tokens/<int:pk>/revoke/", token_views.revoke_token, name="api_token_revoke"),
]
