"""Account operations behind the pages: password reset by SMS code. One transaction each; refusals raise
cms.errors.DomainError (codes in cms.errors.CommonCode)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cms.errors import CommonCode, DomainError

from . import sms_codes

RESET_PURPOSE = "password_reset"
RESET_TEMPLATE = "password_reset_code"


def phone_account(phone):
    """The active account that signs in with this mobile number (its username), or None."""
    return get_user_model()._default_manager.filter(username=phone, is_active=True).first()


def send_reset_code(phone):
    """Send a password-reset code to `phone` when an account signs in with it. Without one, nothing is sent
    but the request is counted all the same, so the page answers alike either way."""
    user = phone_account(phone)
    return sms_codes.send_code(
        phone,
        RESET_PURPOSE,
        template=RESET_TEMPLATE,
        text=_("[Shanhai Market] Your password reset code is {code}. It is valid for 10 minutes."),
        deliver=user is not None,
    )


def reset_password_with_code(phone, code, password):
    """Check the code and set the new password (already validated by the form). Returns the user.
    The code is checked in its own transaction first, so that a wrong guess stays counted."""
    sms_codes.check_code(phone, RESET_PURPOSE, code)
    with transaction.atomic():
        user = phone_account(phone)
        if user is None:  # the account went away after the code was sent
            raise DomainError(CommonCode.SMS_NO_CODE)
        user.set_password(password)
        user.save(update_fields=["password"])
    return user
