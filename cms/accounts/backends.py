"""One sign-in for everyone: a username, a mobile number or an e-mail address, with the password.

`IdentifierBackend` replaces Django's ModelBackend (it is one, so permissions, Wagtail's admin login and
`authenticate(username=…, password=…)` keep working): it resolves what a person typed to an account and
checks the password. Door staff (`checkin`), canteen members (`canteen-prov-buyer`) and vendors sign in with
their usernames, buyers with the mobile number or e-mail they signed up with.

Constant time: when nothing matches, the password hasher still runs once, so a wrong identifier answers as
slowly as a wrong password (Django's ModelBackend does the same).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q

from cms.phone import normalize_mobile

BACKEND = "cms.accounts.backends.IdentifierBackend"

# At most this many accounts share one e-mail address (Django allows duplicates); each is tried.
MAX_CANDIDATES = 5


def is_email(value):
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def candidates(identifier):
    """The accounts an identifier may name, best match first: the exact username, then a mobile number
    (phone accounts' username is the number), then an e-mail address (username or e-mail field)."""
    User = get_user_model()
    identifier = (identifier or "").strip()
    if not identifier:
        return []
    field = User.USERNAME_FIELD
    exact = list(User._default_manager.filter(**{field: identifier})[:1])
    if exact:
        return exact
    phone = normalize_mobile(identifier)
    if phone:
        return list(User._default_manager.filter(**{field: phone})[:1])
    if "@" in identifier and is_email(identifier):
        return list(
            User._default_manager.filter(Q(**{f"{field}__iexact": identifier}) | Q(email__iexact=identifier)).order_by(
                "pk"
            )[:MAX_CANDIDATES]
        )
    return list(User._default_manager.filter(**{f"{field}__iexact": identifier}).order_by("pk")[:1])


class IdentifierBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        found = candidates(username)
        if not found:
            # Run the hasher anyway, so that timing does not tell whether an account exists.
            get_user_model()().set_password(password)
            return None
        for user in found:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None
