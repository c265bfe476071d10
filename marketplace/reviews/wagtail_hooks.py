"""The review moderation queue in the Wagtail admin (Snippets › Reviews, and the menu item "Reviews"), and the
audit log actions of reviews. Imported by marketplace/wagtail_hooks.py (Wagtail loads only the app's own)."""

from functools import partial

from django.db.models import Case, Value, When
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import ListingButton
from wagtail.log_actions import LogFormatter
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, IndexView, SnippetViewSet

from ..models import VendorMember
from . import admin_views, services
from .models import Review


class ReviewPermissionPolicy(ModelPermissionPolicy):
    """Moderators (marketplace.change_review) list and moderate reviews; nobody adds, edits or deletes them here:
    reviews are written by buyers and change only through the services."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        if action in ("view", "change"):
            return services.can_moderate(user)
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Review, ReviewPermissionPolicy(Review), exact_class=True)


class ReviewIndexView(IndexView):
    def get_base_queryset(self):
        # The queue: reviews waiting for moderation first, then the newest.
        return (
            super()
            .get_base_queryset()
            .select_related("product", "line")
            .annotate(queue=Case(When(status=Review.Status.PENDING, then=Value(0)), default=Value(1)))
            .order_by("queue", "-created_at", "-pk")
        )

    def get_edit_url(self, instance):
        return reverse(review_viewset.get_url_name("moderate"), args=[instance.pk])

    def get_list_buttons(self, instance):
        buttons = super().get_list_buttons(instance)
        if instance.status == Review.Status.PENDING:
            buttons[:0] = [ListingButton(_("Moderate"), url=self.get_edit_url(instance), icon_name="check", priority=1)]
        return buttons


class ReviewEditView(EditView):
    """Reviews are not edited: the edit address leads to the moderation page."""

    def dispatch(self, request, *args, **kwargs):
        return redirect(review_viewset.get_url_name("moderate"), pk=kwargs["pk"])


class ReviewViewSet(SnippetViewSet):
    model = Review
    icon = "comment"
    menu_label = _("Reviews")
    menu_order = 260
    add_to_admin_menu = True
    index_view_class = ReviewIndexView
    edit_view_class = ReviewEditView
    inspect_view_enabled = True
    list_display = [
        "line",
        "rating",
        "author_masked",
        "status",
        "created_at",
    ]
    list_filter = ["status", "rating"]
    search_fields = ["text", "line__name"]
    form_fields = ["rejection_reason"]
    inspect_view_fields = ["line", "product", "author_masked", "rating", "text", "status", "created_at", "reply"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("moderate/<int:pk>/", partial(admin_views.moderate, viewset=self), name="moderate"),
        ]


review_viewset = ReviewViewSet()
register_snippet(review_viewset)


class VendorReviewsMenuItem(MenuItem):
    """Vendor members read and answer the reviews of their products on the site (/account/reviews/)."""

    def is_shown(self, request):
        return VendorMember.objects.filter(user=request.user).exists()


@hooks.register("register_admin_menu_item")
def register_vendor_reviews_menu_item():
    return VendorReviewsMenuItem(
        _("Reviews of our products"), reverse("vendor_reviews"), icon_name="comment", order=240
    )


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    actions.register_action("marketplace.review_approved", _("Approve review"), _("Review approved"))
    actions.register_action("marketplace.review_replied", _("Reply to review"), _("The vendor replied"))

    @actions.register_action("marketplace.review_rejected")
    class ReviewRejected(LogFormatter):
        label = _("Reject review")

        def format_message(self, log_entry):
            reason = log_entry.data.get("reason") or ""
            return _("Review rejected: %(reason)s") % {"reason": reason} if reason else _("Review rejected")
