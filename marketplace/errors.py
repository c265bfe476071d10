"""The marketplace's error table (vendors, products, stock, checkout, canteen): see cms.errors."""

from django.utils.translation import gettext_lazy as _

from cms.errors import DETAIL, ErrorCode


class MarketplaceCode(ErrorCode):
    ACCOUNT_EXISTS = "account_exists", _("An account with this e-mail already exists. Log in first, then apply."), 400
    ACCOUNT_REQUIRED = "account_required", _("Choose a login e-mail and password."), 400
    ADDRESS_REQUIRED = "address_required", _("Please give a delivery address."), 400
    CANTEEN_ADDRESS_REQUIRED = "address_required", _("Choose one of your unit's canteen addresses."), 400
    AMOUNT_MISMATCH = "amount_mismatch", _("The transfer (%(amount)s) does not match the order total (%(total)s)."), 400
    BANK_REFERENCE_REQUIRED = "bank_reference_required", _("Enter the bank's reference for the transfer."), 400
    BELOW_MINIMUM = "below_minimum", _("The minimum order for %(name)s is %(n)s %(unit)s."), 400
    DUPLICATE_APPLICATION = (
        "duplicate_application",
        _("An application for this unified social credit code is already waiting for review."),
        400,
    )
    EMPTY_CART = "empty_cart", _("Your cart is empty."), 400
    NOTHING_TO_PAY = "empty_cart", _("There is nothing to pay for."), 400
    ORDER_NOT_YOURS = "forbidden", _("This is not your order."), 403
    OWN_ORDER_APPROVAL = "forbidden", _("You cannot approve an order you placed yourself."), 403
    STOCK_NOT_YOURS = "forbidden", _("You cannot change the stock of this product."), 403
    UNIT_NOT_VERIFIED = "forbidden", _("This unit is not verified yet."), 403
    UNIT_ROLE_MISSING = "forbidden", _("You do not have that role in this unit."), 403
    UNIT_VERIFY_FORBIDDEN = "forbidden", _("You may not verify buyer units."), 403
    VENDOR_REVIEW_FORBIDDEN = "forbidden", _("You may not review vendor applications."), 403
    ADDRESS_AMBIGUOUS = "invalid", _("Give either a delivery address or the id of a saved one, not both."), 400
    BUDGET_INVALID = "invalid", _("The budget must be a positive amount."), 400
    BUDGET_YEAR_INVALID = "invalid", _("Enter a year between 2000 and 2100."), 400
    CANTEEN_ADDRESS_INVALID = "invalid", _("Choose one of your unit's canteen addresses."), 400
    DELIVERY_DATE_PAST = "invalid", _("The delivery date must be in the future."), 400
    DELIVERY_DATE_REQUIRED = "invalid", _("Choose a delivery date."), 400
    DELIVERY_DATE_TOO_SOON = (
        "invalid",
        _("The vendors need time to prepare: the earliest delivery date is %(date)s."),
        400,
    )
    FEE_INVALID = "invalid", _("A fee must have a positive price and quantity."), 400
    FILE_TOO_LARGE = "invalid", _("The file is too large: at most %(size)s MB."), 400
    GUEST_CONTACT_REQUIRED = "invalid", _("An order without an account needs the buyer's name and mobile number."), 400
    INVOICE_DETAILS_REQUIRED = "invalid", _("Enter the invoice number and date."), 400
    INVOICE_NOT_PDF = "invalid", _("Upload the invoice as a PDF file."), 400
    ROLE_REQUIRED = "invalid", _("Choose a role."), 400
    TARGET_SHARE_INVALID = "invalid", _("The target share must be between 0 and 1 (0.100 is 10%)."), 400
    PAID_BY_BANK_TRANSFER = "invalid_payment_method", _("This order is paid by bank transfer."), 400
    QUANTITY_TOO_LARGE = "invalid_quantity", _("At most %(max)s of one product per order."), 400
    QUANTITY_TOO_SMALL = "invalid_quantity", _("Each quantity must be at least 1."), 400
    REFUND_LINES_REQUIRED = "invalid_quantity", _("Choose what to refund."), 400
    REFUND_QUANTITY_TOO_LARGE = "invalid_quantity", _("At most %(n)s of %(name)s can still be refunded."), 400
    STOCK_NOT_WHOLE = "invalid_quantity", _("Enter stock as a whole number."), 400
    STOCK_TOO_LARGE = "invalid_quantity", _("Stock can be at most %(max)s."), 400
    DELIVERY_ALREADY_RECEIVED = "invalid_state", _("This delivery has already been received."), 409
    INVOICE_ALREADY_REQUESTED = "invalid_state", _("The invoice has already been requested."), 409
    INVOICE_ISSUED = (
        "invalid_state",
        _(
            "Invoice %(number)s is issued and cannot be changed. Record the corrected invoice (红冲/重开) "
            "under its new number."
        ),
        409,
    )
    LAST_APPROVER = "invalid_state", _("A unit needs at least one approver: add another approver first."), 409
    LAST_CANTEEN_ADDRESS = "invalid_state", _("A unit needs at least one canteen address: add another one first."), 409
    NOT_AWAITING_PAYMENT = "invalid_state", _("This order is not waiting for payment."), 409
    NO_PAYMENT_TO_REFUND = "invalid_state", _("This order has no successful payment to refund."), 409
    ORDER_NOT_AWAITING_APPROVAL = "invalid_state", _("Order %(number)s is %(status)s, not waiting for approval."), 409
    ORDER_NOT_AWAITING_PAYMENT = "invalid_state", _("Order %(number)s is %(status)s, not waiting for payment."), 409
    ORDER_NOT_CANCELLABLE = (
        "invalid_state",
        _("Order %(number)s is %(status)s and can no longer be cancelled; ask for a refund instead."),
        409,
    )
    ORDER_NOT_REFUNDABLE = "invalid_state", _("Order %(number)s is %(status)s: there is nothing to refund."), 409
    ORDER_NOT_SHIPPED = "invalid_state", _("Only a shipped order can be completed."), 409
    PAYMENT_METHOD_FIXED = (
        "invalid_state",
        _("Order %(number)s is %(status)s: its payment method can no longer be changed."),
        409,
    )
    PAYMENT_TIME_PASSED = "invalid_state", _("The time to pay order %(number)s has passed."), 409
    RECEIPT_ALREADY_CONFIRMED = "invalid_state", _("You already confirmed receipt of %(vendor)s's part."), 409
    REORDER_NOT_UNIT_ORDER = "invalid_state", _("Only unit orders can be reordered here."), 409
    ROLE_ALREADY_HELD = "invalid_state", _("%(user)s already has that role in this unit."), 409
    UNIT_ALREADY_REVIEWED = "invalid_state", _("This unit has already been reviewed."), 409
    VENDOR_ORDER_CANCELLED = "invalid_state", _("This part of the order is cancelled."), 409
    VENDOR_ORDER_NOT_SHIPPABLE = (
        "invalid_state",
        _("This part of the order is %(status)s and cannot be shipped now."),
        409,
    )
    LOGIN_REQUIRED = "login_required", _("Log in or sign up to place an order."), 401
    NEGATIVE_STOCK = "negative_quantity", _("Stock cannot be negative."), 400
    NO_MARKET = "no_market", _("There is no market page to add the vendor to."), 400
    CANTEEN_ONLY = "not_for_sale_to_buyer", _("%(name)s is sold to canteen buyers only."), 400
    ACCOUNT_NOT_FOUND = (
        "not_found",
        _("There is no account with that mobile number or e-mail; ask them to sign up first."),
        404,
    )
    CANTEEN_ADDRESS_NOT_FOUND = "not_found", _("No such canteen."), 404
    LINE_NOT_IN_ORDER = "not_found", _("That line is not part of this order."), 404
    MEMBER_NOT_FOUND = "not_found", _("No such member."), 404
    NOT_A_UNIT_ORDER = "not_found", _("This is not a unit order."), 404
    NOT_IN_CART = "not_found", _("This product is not in your cart."), 404
    ORDER_NOT_FOUND = "not_found", _("Order %(number)s was not found."), 404
    ORDER_PRODUCT_NOT_FOUND = "not_found", _("A product in your order does not exist."), 404
    PRODUCT_NOT_FOUND = "not_found", _("This product does not exist."), 404
    UNIT_NOT_FOUND = "not_found", _("No such unit."), 404
    UNIT_ORDER_NOT_FOUND = "not_found", _("No such order."), 404
    APPLICATION_ALREADY_REVIEWED = "not_pending", _("This application has already been reviewed (%(status)s)."), 400
    NOT_SHIPPED = (
        "not_shipped",
        _("%(vendor)s has not shipped this part yet (it is %(status)s): receipt can be confirmed once it is shipped."),
        409,
    )
    SOLD_OUT = "out_of_stock", _("%(name)s is sold out."), 409
    PAYMENT_FAILED = "payment_failed", _("The payment service refused the payment: %(reason)s"), 402
    PAYMENTS_UNAVAILABLE = "payments_unavailable", _("Online payment is not configured."), 503
    SWITCH_TO_BANK_TRANSFER = (
        "payments_unavailable",
        _("Online payment is not available right now; please switch this order to bank transfer."),
        503,
    )
    PRICE_CHANGED = (
        "price_changed",
        _("The price of %(name)s has changed from %(old)s to %(new)s; please check your cart."),
        400,
    )
    VENDOR_REJECTION_REASON_REQUIRED = "reason_required", _("Give the applicant a reason for the rejection."), 400
    REFUND_FAILED = "refund_failed", _("The payment service refused the refund: %(reason)s"), 400
    TRACKING_REQUIRED = "tracking_required", _("Enter the carrier and the tracking number."), 400
    CANNOT_BE_BOUGHT = "unavailable", _("%(name)s cannot be bought: %(reason)s"), 400
    NO_LONGER_FOR_SALE = "unavailable", _("%(name)s is no longer for sale."), 400
    UNKNOWN_ADDRESS = "unknown_address", _("This delivery address does not exist."), 400
    UNKNOWN_CARRIER = "unknown_carrier", _("Choose a carrier from the list."), 400
    STOCK_UNTRACKED = "untracked", _("This product does not track stock."), 400
    USCC_TAKEN = "uscc_taken", _("A vendor with this unified social credit code already sells on the platform."), 400
    USE_INSPECTION = (
        "use_inspection",
        _("Unit orders are received with an inspection (验收) on the unit's order page."),
        409,
    )
    OUT_OF_STOCK = "out_of_stock", _("Only %(left)s %(unit)s of %(name)s left."), 409
    PAYMENT_METHOD_OFFLINE_ONLY = (
        "invalid_payment_method",
        _("Online payment (card, Alipay, WeChat Pay) is not available now; please pay by bank transfer."),
        400,
    )
    PAYMENT_METHOD_UNAVAILABLE = "invalid_payment_method", _("This payment method is not available."), 400
    UNKNOWN_PRODUCT = "unknown_product", _("A product in your order does not exist."), 400
    BUDGET_NOT_A_NUMBER = "invalid", _("Enter the budget as an amount in CNY."), 400
    TARGET_SHARE_NOT_A_NUMBER = "invalid", _("Enter the target share as a number from 0 to 1."), 400
    NOT_DELIVERED = "not_delivered", DETAIL, 400
    INVALID_ADDRESS = "invalid_address", DETAIL, 400
    # After-sale requests (marketplace.checkout.after_sale) and cancelling a vendor's part.
    AFTER_SALE_OWN_ACCOUNT_ONLY = (
        "after_sale_window_closed",
        _("After-sale requests are for orders placed by a buyer's own account."),
        409,
    )
    AFTER_SALE_PART_NOT_SHIPPED = (
        "after_sale_window_closed",
        _("%(vendor)s has not shipped this part yet: cancel it instead."),
        409,
    )
    AFTER_SALE_PART_CLOSED = (
        "after_sale_window_closed",
        _("%(vendor)s's part is %(status)s: no after-sale request can be made."),
        409,
    )
    AFTER_SALE_PERIOD_OVER = (
        "after_sale_window_closed",
        _("The after-sale period for %(vendor)s's part ended on %(date)s (%(days)s days after receipt)."),
        409,
    )
    TOO_MANY_AFTER_SALE_PHOTOS = "too_many_photos", _("Send at most %(n)s photos."), 400
    INVALID_AFTER_SALE_PHOTO = "invalid_photo", _("%(name)s is not a photo we can take: %(why)s"), 400
    AFTER_SALE_STEP_NOT_ALLOWED = "invalid_state", _("This request is %(status)s: that cannot be done now."), 409
    AFTER_SALE_KIND_REQUIRED = "invalid", _("Choose refund only or return and refund."), 400
    AFTER_SALE_REASON_REQUIRED = "invalid", _("Choose a reason from the list."), 400
    AFTER_SALE_QUANTITY_TOO_LARGE = (
        "invalid_quantity",
        _("At most %(n)s of %(name)s can still be asked for (bought, less refunded or already asked)."),
        400,
    )
    AFTER_SALE_LINES_REQUIRED = "invalid_quantity", _("Choose at least one item and how many."), 400
    VENDOR_ANSWERED_IN_TIME = "invalid_state", _("The vendor answered in time."), 409
    AFTER_SALE_VENDOR_ONLY = "forbidden", _("Only the vendor can answer this request."), 403
    RETURN_ADDRESS_REQUIRED = "invalid", _("Give the address the buyer sends the goods back to."), 400
    AFTER_SALE_REFUSAL_REASON_REQUIRED = "invalid", _("Say why you refuse the request."), 400
    AFTER_SALE_STAFF_ONLY = "forbidden", _("Only platform staff decide escalated requests."), 403
    AFTER_SALE_REJECTION_NOTE_REQUIRED = "invalid", _("Say why the request is rejected."), 400
    AFTER_SALE_ALREADY_REFUNDED = "invalid_state", _("This request has already been refunded."), 409
    AFTER_SALE_NOT_FOUND = "not_found", _("That after-sale request was not found."), 404
    PART_NOT_CANCELLABLE = (
        "invalid_state",
        _("%(vendor)s's part is %(status)s: only a part that has not shipped can be cancelled."),
        409,
    )
    # Product reviews (marketplace.reviews).
    INVALID_RATING = "invalid_rating", _("Give a rating from 1 to 5 stars."), 400
    REVIEW_TOO_LONG = "invalid", _("A review can be at most %(n)s characters long."), 400
    TOO_MANY_REVIEW_PHOTOS = "too_many_photos", _("At most %(n)s photos per review."), 400
    REVIEW_LOGIN_REQUIRED = "unauthorized", _("Log in to write a review."), 401
    REVIEW_LINE_NOT_YOURS = "not_found", _("That order line is not one of yours."), 404
    ALREADY_REVIEWED = "already_reviewed", _("You have already reviewed %(name)s from this order."), 409
    REVIEW_NOT_A_PRODUCT = "not_received", _("Only products can be reviewed."), 409
    REVIEW_REFUNDED = "not_received", _("%(name)s was refunded, so it cannot be reviewed."), 409
    REVIEW_NOT_RECEIVED = "not_received", _("You can review %(name)s once you have confirmed receipt of it."), 409
    MODERATION_STAFF_ONLY = "forbidden", _("Only staff may moderate reviews."), 403
    REPLY_REQUIRED = "invalid", _("Write your reply."), 400
    REPLY_TOO_LONG = "invalid", _("A reply can be at most %(n)s characters long."), 400
    REPLY_VENDOR_ONLY = "forbidden", _("Only the vendor of this product may reply."), 403
    REVIEW_REJECTED = "invalid_state", _("This review was rejected: it cannot be replied to."), 409
    ALREADY_REPLIED = "already_replied", _("You have already replied to this review."), 409
