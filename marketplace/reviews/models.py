"""Reviews (评价) of received order lines, their photos and the vendor's reply.

Imported at the end of marketplace/models.py: these models belong to the marketplace app. Every change goes
through marketplace.reviews.services, which keeps ProductStats and the page cache in step and logs each step
in Wagtail's audit log.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.state_machine import Transitions

MAX_TEXT = 500
MAX_PHOTOS = 3


class ReviewQuerySet(models.QuerySet):
    def shown_for(self, product_id):
        """A product's approved reviews, newest first, with their photos and the photos' renditions loaded."""
        from wagtail.images import get_image_model

        renditions = get_image_model().get_rendition_model().objects.all()
        photos = ReviewPhoto.objects.select_related("image").prefetch_related(
            models.Prefetch("image__renditions", queryset=renditions)
        )
        return (
            self.filter(product_id=product_id, status=Review.Status.APPROVED)
            .prefetch_related(models.Prefetch("photos", queryset=photos))
            .order_by("-created_at", "-pk")
        )


class Review(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    # Staff may take an approved review down again; a rejected one stays rejected.
    TRANSITIONS = Transitions(
        Status,
        {
            Status.PENDING: {Status.APPROVED, Status.REJECTED},
            Status.APPROVED: {Status.REJECTED},
        },
    )

    # One review per order line (the buyer reviews each product of each order once).
    line = models.OneToOneField(
        "checkout.OrderLine", on_delete=models.PROTECT, related_name="review", verbose_name=_("order line")
    )
    product = models.ForeignKey(
        "marketplace.ProductPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
        verbose_name=_("product"),
    )
    vendor = models.ForeignKey(
        "marketplace.VendorPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
        verbose_name=_("vendor"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("buyer")
    )
    # What the product page shows instead of the buyer's name (张**), fixed when the review is written.
    author_masked = models.CharField(_("shown as"), max_length=20)
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)], help_text=_("1 to 5 stars")
    )
    text = models.CharField(_("review"), max_length=MAX_TEXT, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now, db_index=True)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("moderated by"),
    )
    rejection_reason = models.CharField(_("reason for rejecting"), max_length=200, blank=True)
    # The vendor's one reply, shown under the review.
    reply = models.CharField(_("vendor's reply"), max_length=MAX_TEXT, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["product", "status", "-created_at"], name="review_product_status")]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_to_5"),
        ]

    def __str__(self):
        return f"{self.line.name if self.line_id else ''} · {self.rating}★ · {self.author_masked}"

    @property
    def stars(self):
        """[True, True, True, False, False] for 3 of 5: what the star row draws."""
        return [n <= self.rating for n in range(1, 6)]


class ReviewPhoto(models.Model):
    """A photo of a review: an ordinary (public) Wagtail image, so it gets renditions for thumbnails."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return f"{self.review_id}: {self.image_id}"
