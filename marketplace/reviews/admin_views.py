"""The staff moderation page of one review (/admin/snippets/marketplace/review/moderate/<pk>/): thin, the
services decide."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..services.errors import MarketplaceError
from . import services
from .models import Review


class ModerationForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejecting (for staff; the buyer is not told)"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def moderate(request, pk, viewset):
    if not services.can_moderate(request.user):
        raise PermissionDenied
    review = get_object_or_404(
        Review.objects.select_related("product", "line__order", "author", "vendor").prefetch_related("photos__image"),
        pk=pk,
    )
    index_url = reverse(viewset.get_url_name("list"))
    form = ModerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("action") == "approve":
                services.approve_review(review, user=request.user)
                messages.success(request, _("Review approved: it is shown on the product page."))
            else:
                services.reject_review(review, user=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("Review rejected: it is not shown."))
        except MarketplaceError as error:
            form.add_error(None, error.message)
        else:
            return redirect(index_url)
    title = _("Moderate review")
    context = {
        "header_title": title,
        "page_title": title,
        "page_subtitle": review.line.name,
        "header_icon": "comment",
        "review": review,
        "form": form,
        "index_url": index_url,
        "can_approve": Review.TRANSITIONS.allows(review.status, Review.Status.APPROVED),
        "can_reject": Review.TRANSITIONS.allows(review.status, Review.Status.REJECTED),
        "history_url": reverse(viewset.get_url_name("history"), args=[review.pk]),
    }
    return TemplateResponse(request, "marketplace/admin/review_moderate.html", context)
