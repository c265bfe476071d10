"""The one domain error type, and the table every app declares its errors in.

A refused operation raises `DomainError(code, field=None, **params)`. The code is a member of an app's
`ErrorCode` enum (`CommonCode` here, `marketplace.errors.MarketplaceCode`, `events.errors.EventsCode`), declared
as `NAME = "api_code", _("message with %(params)s"), http_status`. So a raise site names what went wrong and its
parameters; the table gives the translated message and the status the JSON API answers with, and HTML views
show `error.message`.

The API string (`code.value`) is the stable part clients rely on; several members may share one (each its own
message) — `invalid` has dozens — and a member compares equal to it (`code == "invalid"`), as codes are `str`.
"""

import enum
import functools

from django.utils import translation
from django.utils.translation import gettext_lazy as _

# The message of a code whose text was translated where it was made (a form's or a model's validation, a
# shipping quote) and is passed on as the parameter `detail`.
DETAIL = "%(detail)s"

_registry = []


class ErrorCode(enum.StrEnum):
    """Base of each app's error table. Members: `NAME = "api_code", message, status` (status defaults to 400)."""

    def __new__(cls, api_code, message, status=400):
        member = str.__new__(cls, api_code)
        # Enum merges members with equal values into aliases; members sharing an API string must stay apart.
        member._value_ = (api_code, len(cls._member_names_))
        member.api_code = api_code
        member.message = message
        member.status = status
        return member

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _registry.append(cls)

    @enum.property
    def value(self):
        """The stable string the API answers with."""
        return self.api_code

    def __str__(self):
        return self.api_code

    def __repr__(self):
        return f"<{type(self).__name__}.{self.name}: {self.api_code!r}>"

    def __reduce_ex__(self, protocol):
        return getattr, (type(self), self.name)

    __hash__ = str.__hash__  # found by its API string in dicts keyed by str (FIELD_FOR_CODE …)


def error_tables():
    """Every app's table (the enums declared so far; each app's errors module is imported with its services)."""
    return list(_registry)


def all_codes():
    return [code for table in _registry for code in table]


class CommonCode(ErrorCode):
    INVALID = "invalid", _("Enter a valid value.")
    FIELD_REQUIRED = "invalid", _("This field is required.")
    INVALID_JSON = "invalid", _("The request body is not valid JSON.")
    INVALID_DETAIL = "invalid", DETAIL
    VALUE_OUT_OF_RANGE = "invalid", _("A value in the request is out of range.")
    QUANTITY_NOT_WHOLE = "invalid_quantity", _("Quantities must be whole numbers.")
    IDEMPOTENCY_KEY_TOO_LONG = "invalid", _("The idempotency key is longer than %(max)s characters.")
    IDEMPOTENCY_MISMATCH = (
        "idempotency_mismatch",
        _("This idempotency key was already used for a different request. Use a new key."),
        422,  # as Stripe answers it
    )
    UNAUTHORIZED = (
        "unauthorized",
        _("Log in, or send a valid API token in the header Authorization: Bearer <token>."),
        401,
    )
    CSRF_FAILED = "csrf_failed", _("CSRF verification failed. Request aborted."), 403
    NOT_FOUND = "not_found", _("Not found."), 404
    INVALID_TRANSITION = "invalid_state", _("This %(object)s is %(status)s: it cannot become %(target)s."), 409
    WRONG_PASSWORD = "wrong_password", _("The password is not correct.")
    # SMS codes (cms.accounts.sms_codes): asking for one, then using it.
    SMS_CODE_WAIT = (
        "wait",
        _("A code was sent to this number a moment ago. Wait a minute before asking for another."),
        429,
    )
    SMS_TOO_MANY_CODES = "too_many_codes", _("Too many codes were asked for this number. Try again in an hour."), 429
    SMS_CODE_WRONG = "wrong", _("The code is not right. Check the SMS and try again. %(tries_left)s")
    SMS_CODE_EXPIRED = "expired", _("The code has expired. Ask for a new one.")
    SMS_CODE_TOO_MANY_TRIES = "too_many_tries", _("Too many wrong codes. Ask for a new one.")
    SMS_CODE_USED = "used", _("This code has been used already. Ask for a new one.")
    SMS_NO_CODE = "no_code", _("Ask for a code first.")
    SMS_CODE_MALFORMED = "invalid", _("Enter the 6-digit code from the SMS.")
    SERVER_ERROR = "server_error", _("Something went wrong on our side. Please try again later."), 500
    # A row lock not had in time (cms.locking): try again shortly.
    BUSY = "busy", _("Busy, please try again in a moment."), 503
    SERVICE_UNAVAILABLE = "unavailable", _("The service is briefly unavailable. Please try again."), 503


class DomainError(Exception):
    """A refused operation: `code` (an ErrorCode member), the request `field` it concerns, and the parameters
    of its message. `message` is in the language that was active when it was raised, like the parameters
    (a status's label …) the raise site worked out."""

    def __init__(self, code, /, field=None, **params):
        if not isinstance(code, ErrorCode):
            raise TypeError(f"DomainError needs an ErrorCode member, not {code!r}")
        super().__init__(code, params)
        self.code = code
        self.field = field
        self.params = params
        self.language = translation.get_language()

    @property
    def message(self):
        with translation.override(self.language):
            text = str(self.code.message)
        return text % self.params if self.params else text

    @property
    def status(self):
        return self.code.status

    @property
    def retry_after(self):
        """Seconds to wait before trying again, for a rate limit (its message takes `seconds`)."""
        return self.params.get("seconds") if self.status == 429 else None

    def __str__(self):
        return self.message

    def __reduce__(self):
        return functools.partial(DomainError, self.code, self.field, **self.params), (), {"language": self.language}
