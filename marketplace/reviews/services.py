"""Reviews (评价): write, moderate, reply. Each operation is one transaction raising DomainError.

- A buyer reviews an order line once, only for a product they received: a product line of their own order
  whose vendor part is confirmed received (确认收货, by them, automatically or by staff) and not fully refunded.
- A review is shown (and counted in the product's rating) only once staff approve it; staff may reject it, or
  take an approved one down again. Every step goes into Wagtail's audit log (the review's history in the admin).
- A member of the product's vendor may reply once; the reply is shown under the review.
Locks: the order first (as checkout does), then the review; the product's counters are changed last
(marketplace.services.stats, which also bumps the page cache).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Collection

from cms import locking
from cms.errors import DomainError
from marketplace.errors import MarketplaceCode

from ..canteen.services import checked_image
from ..checkout.models import Order, OrderLine
from ..models import VendorMember
from ..services import stats
from .models import MAX_PHOTOS, MAX_TEXT, Review, ReviewPhoto

PHOTO_COLLECTION_NAME = "评价图片 · Review photos"
MODERATE_PERMISSION = "marketplace.change_review"


def mask_name(user):
    """张** — the first character of the buyer's name (else the username), then two stars. The name starts with
    the family name when one is given apart (last_name 张, first_name 三); sign-up keeps the whole name in
    first_name (张三)."""
    name = (user.last_name or "").strip() or (user.first_name or "").strip() or (user.get_username() or "").strip()
    return (name[:1] or "*") + "**"


def can_moderate(user):
    return bool(user and user.is_active and user.has_perm(MODERATE_PERMISSION))


def is_vendor_member(user, vendor_id):
    return bool(
        getattr(user, "is_authenticated", False)
        and vendor_id
        and VendorMember.objects.filter(user=user, vendor_id=vendor_id).exists()
    )


def _refusal(line):
    """Why `line` (with its vendor part loaded) cannot be reviewed now (a DomainError, not raised), or None."""
    if line.is_received_product:
        return None
    if line.kind != OrderLine.Kind.PRODUCT or line.product_id is None or line.vendor_order is None:
        return DomainError(MarketplaceCode.REVIEW_NOT_A_PRODUCT)
    if line.refunded_quantity >= line.quantity:
        return DomainError(MarketplaceCode.REVIEW_REFUNDED, name=line.name)
    return DomainError(MarketplaceCode.REVIEW_NOT_RECEIVED, name=line.name)


def reviewable_line_ids(order):
    """The ids of the order's lines its buyer may review now (received, not refunded, not reviewed yet)."""
    lines = order.lines.select_related("vendor_order").filter(review__isnull=True)
    return {line.pk for line in lines if _refusal(line) is None}


def create_review(line, *, user, rating, text="", photos=()):
    """The buyer reviews one received order line: rating 1–5, up to MAX_TEXT characters, up to MAX_PHOTOS photos
    (checked like Wagtail's image form). The review waits for staff approval. Returns the Review."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError(MarketplaceCode.INVALID_RATING, field="rating")
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise DomainError(MarketplaceCode.REVIEW_TOO_LONG, field="text", n=MAX_TEXT)
    photos = [photo for photo in photos or () if photo]
    if len(photos) > MAX_PHOTOS:
        raise DomainError(MarketplaceCode.TOO_MANY_REVIEW_PHOTOS, field="photos", n=MAX_PHOTOS)
    photos = [checked_image(photo, field="photos") for photo in photos]
    if not getattr(user, "is_authenticated", False):
        raise DomainError(MarketplaceCode.REVIEW_LOGIN_REQUIRED)
    try:
        with transaction.atomic():
            order = locking.lock_one(Order, line.order_id)
            if order.buyer_id != user.pk:
                raise DomainError(MarketplaceCode.REVIEW_LINE_NOT_YOURS)
            line = OrderLine.objects.select_related("vendor_order").get(pk=line.pk, order=order)
            if Review.objects.filter(line=line).exists():
                raise DomainError(MarketplaceCode.ALREADY_REVIEWED, name=line.name)
            refusal = _refusal(line)
            if refusal:
                raise refusal
            review = Review.objects.create(
                line=line,
                product_id=line.product_id,
                vendor_id=line.vendor_order.vendor_id,
                author=user,
                author_masked=mask_name(user),
                rating=rating,
                text=text,
            )
            for position, photo in enumerate(photos):
                ReviewPhoto.objects.create(review=review, image=_store_photo(photo, review, user), sort_order=position)
            log(instance=review, action="wagtail.create", user=user, data={"rating": rating, "order": order.number})
    except IntegrityError as error:
        # Two submissions of the same line raced; the other one won (one review per line, by constraint).
        raise DomainError(MarketplaceCode.ALREADY_REVIEWED, name=line.name) from error
    return review


def photo_collection():
    """The public collection review photos go into (made on first use)."""
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=PHOTO_COLLECTION_NAME).first()
    return collection or root.add_child(name=PHOTO_COLLECTION_NAME)


def _store_photo(upload, review, user):
    from wagtail.images import get_image_model

    upload.seek(0)
    image = get_image_model()(
        title=f"评价 #{review.pk} · {review.line.name}"[:255],
        collection=photo_collection(),
        uploaded_by_user=user,
    )
    image.file.save(upload.name, upload, save=False)
    image._set_image_file_metadata()
    image.save()
    return image


def _locked(review):
    return locking.lock_one(Review, review.pk)


def _check_moderator(user):
    if not can_moderate(user):
        raise DomainError(MarketplaceCode.MODERATION_STAFF_ONLY)


def approve_review(review, *, user):
    """Staff approve a pending review: it appears on the product page and counts in its rating."""
    _check_moderator(user)
    with transaction.atomic():
        review = _locked(review)
        previous = review.status
        Review.TRANSITIONS.move(review, Review.Status.APPROVED)
        review.moderated_at, review.moderated_by = timezone.now(), user
        review.save(update_fields=["status", "moderated_at", "moderated_by"])
        stats.add(review.product_id, reviews=1, rating=review.rating)
        log(instance=review, action="marketplace.review_approved", user=user, data={"from": previous})
    return review


def reject_review(review, *, user, reason=""):
    """Staff reject a pending review, or take an approved one down (it leaves the page and the rating)."""
    _check_moderator(user)
    reason = (reason or "").strip()[:200]
    with transaction.atomic():
        review = _locked(review)
        previous = review.status
        Review.TRANSITIONS.move(review, Review.Status.REJECTED)
        review.moderated_at, review.moderated_by, review.rejection_reason = timezone.now(), user, reason
        review.save(update_fields=["status", "moderated_at", "moderated_by", "rejection_reason"])
        if previous == Review.Status.APPROVED:
            stats.add(review.product_id, reviews=-1, rating=-review.rating)
        log(
            instance=review,
            action="marketplace.review_rejected",
            user=user,
            data={"from": previous, "reason": reason},
        )
    return review


def reply_to_review(review, *, user, text):
    """A member of the product's vendor replies to a review, once."""
    text = (text or "").strip()
    if not text:
        raise DomainError(MarketplaceCode.REPLY_REQUIRED, field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(MarketplaceCode.REPLY_TOO_LONG, field="text", n=MAX_TEXT)
    with transaction.atomic():
        review = _locked(review)
        if not is_vendor_member(user, review.vendor_id):
            raise DomainError(MarketplaceCode.REPLY_VENDOR_ONLY)
        if review.status == Review.Status.REJECTED:
            raise DomainError(MarketplaceCode.REVIEW_REJECTED)
        if review.replied_at is not None:
            raise DomainError(MarketplaceCode.ALREADY_REPLIED)
        review.reply, review.replied_at, review.replied_by = text, timezone.now(), user
        review.save(update_fields=["reply", "replied_at", "replied_by"])
        log(instance=review, action="marketplace.review_replied", user=user)
        if review.status == Review.Status.APPROVED:
            from cms import page_cache

            page_cache.bump()  # the reply shows on the cached product page
    return review


# -- what pages and the API show ------------------------------------------------------------------------


def approved_reviews(product_id):
    """A product's approved reviews, newest first, with their photos."""
    return Review.objects.shown_for(product_id)


def reviews_for_vendor_user(user):
    """Reviews of the products of the vendors `user` is a member of (every status but rejected), newest first."""
    vendor_ids = VendorMember.objects.filter(user=user).values_list("vendor_id", flat=True)
    return (
        Review.objects.filter(vendor_id__in=vendor_ids)
        .exclude(status=Review.Status.REJECTED)
        .select_related("product", "line")
        .prefetch_related("photos__image")
    )
