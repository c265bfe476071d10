"""The buyer's review form (from the order page) and the vendor's reviews with their reply forms: thin views,
the services decide and their MarketplaceError.message (translated) is shown as it is."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..checkout.models import Order, OrderLine
from ..models import VendorMember
from ..services.errors import MarketplaceError
from . import services
from .forms import ReplyForm, ReviewForm
from .models import Review


@never_cache
@login_required
def review_line(request, number, line):
    order = Order.objects.filter(number=number, buyer=request.user).first()
    if order is None:
        raise Http404(_("No such order."))
    order_line = get_object_or_404(OrderLine.objects.select_related("vendor_order", "product"), pk=line, order=order)
    existing = Review.objects.filter(line=order_line).first()
    if existing is not None:
        messages.info(request, _("You have already reviewed %(name)s from this order.") % {"name": order_line.name})
        return redirect("order_detail", number=order.number)
    form = ReviewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_review(
                order_line,
                user=request.user,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
                photos=form.cleaned_data["photos"],
            )
        except MarketplaceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, _("Thank you for your review! It is shown on the product page once it has been checked.")
            )
            return redirect("order_detail", number=order.number)
    context = {"order": order, "line": order_line, "form": form}
    return TemplateResponse(request, "marketplace/reviews/review_form.html", context)


@never_cache
@login_required
def vendor_reviews(request):
    """Reviews of the products of the vendors the user works for, newest first, each with a reply form."""
    if not VendorMember.objects.filter(user=request.user).exists():
        raise Http404(_("You do not work for a vendor."))
    page = Paginator(services.reviews_for_vendor_user(request.user), 20).get_page(request.GET.get("page"))
    context = {"page_obj": page, "reviews": page.object_list, "reply_form": ReplyForm()}
    return TemplateResponse(request, "marketplace/reviews/vendor_reviews.html", context)


@require_POST
@login_required
def vendor_reply(request, pk):
    review = get_object_or_404(Review, pk=pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("text", [])) or _("Write your reply."))
    else:
        try:
            services.reply_to_review(review, user=request.user, text=form.cleaned_data["text"])
        except MarketplaceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your reply is saved."))
    return redirect("vendor_reviews")
