"""Reviews in the JSON API: a product's approved reviews (public), the buyer's review of a received order line,
the vendor's reply. Thin callers of marketplace.reviews.services; refusals answer as JSON with the status from
cms.json_api.errors.STATUS_BY_CODE."""

from datetime import datetime

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from cms.json_api import register_domain_error
from cms.json_api.schemas import ERROR_400, ERROR_401, ERROR_403, ERROR_404, ERROR_409
from cms.validators import MAX_DB_INT, MAX_PAGE_NUMBER

from ..checkout.models import Order
from ..models import ProductPage
from ..services.errors import MarketplaceError
from . import services
from .models import MAX_TEXT, Review

register_domain_error(MarketplaceError)

router = Router(tags=["reviews"])

THUMBNAIL = "fill-160x160|format-webp"


class PhotoOut(Schema):
    url: str = Field(description="The photo as uploaded")
    thumbnail: str = Field(description="A 160×160 WebP thumbnail")


class ReviewOut(Schema):
    id: int
    product: int | None
    product_name: str
    author: str = Field(description="The buyer's name shortened: the first character and **", examples=["张**"])
    rating: int = Field(ge=1, le=5)
    text: str
    photos: list[PhotoOut]
    status: str = Field(description="pending, approved or rejected (the product's list shows approved only)")
    created_at: datetime
    reply: str = Field(description="The vendor's reply, or empty")
    replied_at: datetime | None


class ReviewPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    next_page: int | None
    average_rating: str | None = Field(description='The mean approved rating, one decimal ("4.5")')
    sold_count: int
    items: list[ReviewOut]


class ReviewIn(Schema):
    rating: int = Field(description="1 to 5 stars", examples=[5])
    text: str = Field("", max_length=MAX_TEXT, description="At most 500 characters")


class ReplyIn(Schema):
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class PageIn(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE_NUMBER)
    page_size: int = Field(20, ge=1, le=100)


def _review_out(review):
    return {
        "id": review.pk,
        "product": review.product_id,
        "product_name": review.line.name if review.line_id else "",
        "author": review.author_masked,
        "rating": review.rating,
        "text": review.text,
        "photos": [
            {"url": photo.image.file.url, "thumbnail": photo.image.get_rendition(THUMBNAIL).url}
            for photo in review.photos.all()
        ],
        "status": review.status,
        "created_at": review.created_at,
        "reply": review.reply,
        "replied_at": review.replied_at,
    }


@router.get(
    "products/{product_id}/reviews/",
    response={200: ReviewPageOut, **ERROR_400, **ERROR_404},
    auth=None,
    operation_id="product_reviews",
    summary="A product's approved reviews",
)
def product_reviews(request, product_id: int, paging: Query[PageIn]):
    """The approved reviews of a live product, newest first, with the product's average rating and units sold.
    Buyers' names are shortened (张**)."""
    if not 1 <= product_id <= MAX_DB_INT:
        raise MarketplaceError(_("Not found."), code="not_found")
    product = ProductPage.objects.live().public().visible().select_related("stats").filter(pk=product_id).first()
    if product is None:
        raise MarketplaceError(_("Not found."), code="not_found")
    reviews = Review.objects.shown_for(product.pk).select_related("line")
    count = reviews.count()
    pages = max(1, -(-count // paging.page_size))
    start = (paging.page - 1) * paging.page_size
    stats = product.counters
    average = stats.average_rating
    return {
        "count": count,
        "page": paging.page,
        "page_size": paging.page_size,
        "pages": pages,
        "next_page": paging.page + 1 if paging.page < pages else None,
        "average_rating": str(average) if average is not None else None,
        "sold_count": stats.sold_count,
        "items": [_review_out(review) for review in reviews[start : start + paging.page_size]],
    }


@router.post(
    "orders/{number}/lines/{line_id}/review/",
    response={201: ReviewOut, **ERROR_400, **ERROR_401, **ERROR_404, **ERROR_409},
    operation_id="orders_review_line",
    summary="Review a received order line (评价)",
)
def review_line(request, number: str, line_id: int, payload: Form[ReviewIn], photos: File[list[UploadedFile]] = None):
    """Send as multipart/form-data: `rating` (1–5), `text`, and up to three `photos` (images within the site's
    upload limits). Only a product line of the caller's own order whose part was received (确认收货) and is not
    wholly refunded: else 409 `not_received`; a second review of the line 409 `already_reviewed`. The review is
    published once staff approve it (`status` pending until then)."""
    order = Order.objects.filter(number=number, buyer=request.auth).first()
    line = order.lines.filter(pk=line_id).first() if order is not None and 1 <= line_id <= MAX_DB_INT else None
    if line is None:
        raise MarketplaceError(_("Order %(number)s was not found.") % {"number": number}, code="not_found")
    review = services.create_review(
        line, user=request.auth, rating=payload.rating, text=payload.text, photos=list(photos or [])
    )
    return Status(201, _review_out(Review.objects.prefetch_related(Prefetch("photos")).get(pk=review.pk)))


@router.post(
    "reviews/{review_id}/reply/",
    response={200: ReviewOut, **ERROR_400, **ERROR_401, **ERROR_403, **ERROR_404, **ERROR_409},
    operation_id="reviews_reply",
    summary="The vendor's reply to a review",
)
def reply(request, review_id: int, payload: ReplyIn):
    """A member of the product's vendor replies once (409 `already_replied` the second time; 403 `forbidden` for
    anyone else)."""
    review = Review.objects.filter(pk=review_id).first() if 1 <= review_id <= MAX_DB_INT else None
    if review is None:
        raise MarketplaceError(_("Not found."), code="not_found")
    review = services.reply_to_review(review, user=request.auth, text=payload.text)
    return _review_out(review)
