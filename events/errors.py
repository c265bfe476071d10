"""The fairs' error table (stalls, registrations, check-in, stall sales): see cms.errors."""

from django.utils.translation import gettext_lazy as _

from cms.errors import ErrorCode


class EventsCode(ErrorCode):
    ALREADY_APPLIED = "already_applied", _("%(vendor)s has already applied for this fair."), 409
    ALREADY_BOOKED = "already_booked", _("%(vendor)s already has a stall at this fair."), 409
    CAPACITY_BELOW_TAKEN = (
        "capacity_below_taken",
        _("%(n)s places are taken already; the capacity cannot be lower."),
        400,
    )
    CONSENT_REQUIRED = "consent_required", _("Please agree to the privacy notice to continue."), 400
    SLOTS_EXIST = "duplicate", _("These slots exist already: %(slots)s"), 400
    STALLS_EXIST = "duplicate", _("These stalls exist already: %(codes)s"), 400
    FAIR_CANCELLED = "fair_cancelled", _("This fair has been cancelled."), 409
    FAIR_CLOSED = "fair_closed", _("This fair does not take exhibitors now."), 409
    BOOKING_NOT_YOURS = "forbidden", _("This is not your booking."), 403
    NO_CHECKIN_ROLE = "forbidden", _("You do not have the check-in role for this fair."), 403
    FULL = "full", _("Sorry, this is fully booked."), 409
    SLOT_FULL = "full", _("That time slot is full."), 409
    ADDON_NOT_OFFERED = "invalid", _("An add-on is not offered at this fair."), 400
    ALREADY_REGISTERED = "invalid", _("You are already registered for that slot."), 400
    CONTACT_NAME_INVALID = "invalid", _("Enter the contact's name (at most 60 characters)."), 400
    NOT_A_FAIR_DAY = "invalid", _("%(day)s is not a day of this fair."), 400
    SALE_CLIENT_ID_INVALID = "invalid", _("The sale has no valid client id."), 400
    SALE_ITEM_REQUIRED = "invalid", _("Pick a product or type what was sold."), 400
    SALE_PAYMENT_REQUIRED = "invalid", _("Choose how the buyer paid."), 400
    SALE_PRICE_INVALID = "invalid", _("Enter the price as a number, like 12.50."), 400
    SALE_PRICE_REQUIRED = "invalid", _("Enter the price of the item."), 400
    PRODUCTS_NOT_OWN = "invalid", _("Choose your own products."), 400
    SLOT_CAPACITY_TOO_SMALL = "invalid", _("A slot needs a capacity of at least one person."), 400
    SLOT_DAYS_REQUIRED = "invalid", _("Choose at least one day and one time."), 400
    SLOT_ENDS_BEFORE_START = "invalid", _("A slot must end after it starts."), 400
    STALL_RANGE_INVALID = "invalid", _("Give a range like 1 to 20 (at most 500 stalls)."), 400
    STALL_REQUIRED = "invalid", _("Choose a stall."), 400
    STALL_TYPE_REQUIRED = "invalid", _("Choose a stall type of this fair."), 400
    TICKET_CODE_FAILED = "invalid", _("Could not make a ticket code; please try again."), 400
    TICKET_TYPE_REQUIRED = "invalid", _("Choose a ticket type."), 400
    TOO_MANY_SLOTS = "invalid", _("That is too many slots at once."), 400
    ZONE_REQUIRED = "invalid", _("Choose a zone of this fair."), 400
    INVALID_ATTENDEES = "invalid_attendees", _("Name every attendee: %(people)s names for %(people)s people."), 400
    INVALID_EMAIL = "invalid_email", _("Enter a valid e-mail address."), 400
    INVALID_PEOPLE = "invalid_people", _("Register between 1 and %(limit)s people."), 400
    INVALID_PHONE = "invalid_phone", _("Enter a mainland China mobile number (11 digits, such as 13812345678)."), 400
    SALE_QUANTITY_INVALID = "invalid_quantity", _("Enter a quantity from 1 to %(max)s."), 400
    BOOKING_NOT_ACTIVE = "invalid_state", _("This booking is %(status)s."), 409
    REGISTRATION_NOT_ACTIVE = "invalid_state", _("This registration is %(status)s."), 409
    SALE_VOIDED = "invalid_state", _("This sale has been voided."), 409
    NO_STALL = "no_stall", _("%(vendor)s has no confirmed stall at this fair."), 409
    TICKET_FOR_CANTEEN_UNITS = (
        "not_eligible",
        _("This ticket is for members of verified canteen buyer units; log in with your unit account."),
        403,
    )
    TICKET_FOR_EXHIBITORS = (
        "not_eligible",
        _("This ticket is for the staff of this fair's exhibitors; log in with your vendor account."),
        403,
    )
    REGISTRATION_NOT_FOUND = "not_found", _("This registration does not exist."), 404
    SALE_NOT_FOUND = "not_found", _("This sale does not exist."), 404
    STALL_NOT_FOUND = "not_found", _("That stall does not exist."), 404
    NOT_SAME_DAY = "invalid_state", _("A sale can be corrected or voided only on the day it was made."), 409
    NOT_VENDOR = "not_vendor", _("Only vendors can apply for stalls; log in with your vendor account."), 403
    NOT_VENDOR_MEMBER = "not_vendor", _("You do not work for this vendor."), 403
    NO_STALL_FOR_SALES = "not_vendor", _("Only vendors with a confirmed stall at this fair can record sales."), 403
    VENDOR_NOT_APPROVED = "not_vendor", _("Your vendor is not approved yet."), 403
    OFFER_EXPIRED = "offer_expired", _("Sorry, this offer has expired."), 409
    APPLICATIONS_CLOSED = "outside_window", _("Applications for this fair have closed."), 409
    APPLICATIONS_NOT_OPEN = "outside_window", _("Applications open on %(date)s."), 409
    SALES_OUTSIDE_FAIR_DAYS = "outside_window", _("Sales can be recorded only on the days of the fair."), 409
    PHONE_LIMIT = (
        "phone_limit",
        _(
            "This mobile number already has %(count)s registration(s) for this time slot, the most "
            "allowed. Cancel one to register again, or register more people on it."
        ),
        409,
    )
    STALL_REJECTION_REASON_REQUIRED = "reason_required", _("Give a reason for the rejection."), 400
    FAIR_OVER = "registration_closed", _("This fair is over."), 409
    REGISTRATION_CLOSED = "registration_closed", _("Registration for this fair has closed."), 409
    REGISTRATION_OFF = "registration_closed", _("Registration for this fair is not open."), 409
    REGISTRATION_NOT_OPEN = "registration_not_open", _("Registration opens on %(date)s."), 409
    REVIEW_ONLY = "review_only", _("Stalls at this fair are allocated by the organiser; please apply."), 409
    SALES_CLOSED = "sales_closed", _("Sales of this ticket have ended."), 409
    SALES_NOT_OPEN = "sales_not_open", _("Sales of this ticket start on %(date)s."), 409
    SLOT_CLOSED = "slot_closed", _("That time slot is closed."), 409
    SLOT_PAST = "slot_past", _("That time slot is over."), 409
    SLOT_REQUIRED = "slot_required", _("Choose a time slot."), 400
    STALL_BLOCKED = "stall_blocked", _("Stall %(code)s is not available for booking."), 409
    STALL_BOOKED = (
        "stall_booked",
        _("Stall %(code)s cannot be blocked: it is %(status)s for %(vendor)s. Cancel that booking first."),
        400,
    )
    STALL_TAKEN = "stall_taken", _("Stall %(code)s has already been taken; please choose another."), 409
    SALE_PRODUCT_UNKNOWN = "unknown_product", _("Choose one of your own products."), 400
    SLOT_NOT_AT_FAIR = "wrong_fair", _("That time slot is not part of this fair."), 400
    STALL_NOT_AT_FAIR = "wrong_fair", _("That stall is not part of this fair."), 400
    STALL_TYPE_NOT_AT_FAIR = "wrong_fair", _("That stall type is not offered at this fair."), 400
    TICKET_TYPE_NOT_AT_FAIR = "wrong_fair", _("That ticket type is not offered at this fair."), 400
    CHECKIN_THROTTLED = "rate_limited", _("Too many typed codes. Wait %(seconds)s seconds, or scan the QR code."), 429
    REGISTRATION_THROTTLED = (
        "rate_limited",
        _("Too many registrations from your network. Try again in %(seconds)s seconds."),
        429,
    )
    # Purchase agreements (events.agreements.services) and their Excel import (events.agreements.import_sheet).
    AGREEMENT_PARTY_FORBIDDEN = "forbidden", _("You may not record agreements for this vendor or buyer."), 403
    AGREEMENT_PHONE_INVALID = (
        "invalid_phone",
        _("Enter a mobile number (11 digits) or a landline with its area code, like 0570-1234567."),
        400,
    )
    DOCUMENT_TYPE_INVALID = "invalid", _("Upload the signed agreement as a PDF, JPEG or PNG file."), 400
    DOCUMENT_TOO_LARGE = "invalid", _("The file is larger than 10 MB."), 400
    DOCUMENT_NOT_PDF = "invalid", _("This file is not a PDF."), 400
    DOCUMENT_NOT_IMAGE = "invalid", _("This file is not a JPEG or PNG image."), 400
    AGREEMENT_LINES_REQUIRED = "invalid", _("An agreement needs at least one line."), 400
    AGREEMENT_PRODUCT_NOT_VENDORS = "unknown_product", _("Choose one of the vendor's own products."), 400
    AGREEMENT_ITEM_REQUIRED = "invalid", _("Name the product or item agreed."), 400
    AGREEMENT_QUANTITY_INVALID = "invalid", _("Enter the quantity as a number greater than 0."), 400
    AGREEMENT_AMOUNT_INVALID = "invalid", _("Enter the amount as a number."), 400
    AGREEMENT_AMOUNT_MISMATCH = (
        "amount_mismatch",
        _("The amount %(written)s is not quantity × price (%(amount)s)."),
        400,
    )
    AGREEMENT_VENDOR_REQUIRED = "invalid", _("Choose the vendor."), 400
    AGREEMENT_UNIT_NOT_VERIFIED = "invalid", _("This unit is not verified yet."), 400
    AGREEMENT_BUYER_REQUIRED = "invalid", _("Name the buyer."), 400
    DELIVERY_PERIOD_REQUIRED = "invalid", _("Enter the delivery period."), 400
    DELIVERY_PERIOD_INVALID = "invalid_period", _("The delivery period ends before it starts."), 400
    VENDOR_CONTACT_REQUIRED = "invalid", _("Name the vendor's contact."), 400
    BUYER_CONTACT_REQUIRED = "invalid", _("Name the buyer's contact."), 400
    AGREEMENT_CHANGE_FORBIDDEN = "forbidden", _("You may not change this agreement."), 403
    AGREEMENT_CANCELLED = "invalid_state", _("This agreement has been cancelled."), 409
    AGREEMENT_VENDOR_FIXED = "invalid", _("The vendor of an agreement cannot change."), 400
    AGREEMENT_BUYER_FIXED = (
        "invalid",
        _("The unit has ordered against this agreement: its buyer cannot change."),
        400,
    )
    AGREEMENT_NOT_FOR_UNIT = "invalid_state", _("Only a canteen unit's agreement can be ordered against."), 409
    AGREEMENT_PRODUCTS_REQUIRED = "invalid", _("Choose at least one product."), 400
    AGREEMENT_PRODUCTS_NOT_VENDORS = "unknown_product", _("Choose products of the agreement's vendor."), 400
    AGREEMENT_DELIVERY_DATE_OUTSIDE = (
        "invalid",
        _("Choose a delivery date from %(start)s to %(end)s, the agreement's delivery period."),
        400,
    )
    ORDER_OF_ANOTHER_AGREEMENT = "invalid_state", _("This order belongs to another agreement."), 409
    IMPORT_DATE_INVALID = "invalid", _("%(column)s: write the date as 2026-05-01."), 400
    IMPORT_FILE_TOO_LARGE = "invalid", _("The file is larger than 5 MB."), 400
    IMPORT_NOT_EXCEL = "invalid", _("This is not an Excel (.xlsx) file."), 400
    IMPORT_TOO_MANY_ROWS = "invalid", _("A sheet may hold at most %(max)s rows."), 400
    IMPORT_UNKNOWN_VENDOR = "invalid", _("No vendor is called “%(name)s”."), 400
    IMPORT_ORGANISERS_ONLY = "forbidden", _("Only organisers can import agreements."), 403
