"""Accounts: users with a known password (MD5-hashed in tests), vendor users, moderators."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

PASSWORD = "vendor-pass-2024"


class UserFactory(DjangoModelFactory):
    """A user with password PASSWORD (or `password`), e-mail `<username>@example.com` unless given ("" for none)."""

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user-{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # create_user hashes the password (MD5 in tests) and normalises the e-mail, as sign-up does.
        return model_class._default_manager.create_user(*args, **kwargs)


def make_user(username, **fields):
    return UserFactory(username=username, **fields)


def make_vendor_user(vendor, username, **fields):
    """A user with access to `vendor`'s pages and orders (granted by the vendor service, as the admin does)."""
    from marketplace.services.vendors import grant_vendor_access

    user = make_user(username, **fields)
    grant_vendor_access(vendor, user)
    return user


def moderator(username="moderator"):
    from marketplace.models import MODERATORS_GROUP

    user = make_user(username)
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


MOBILE = "13800138000"


def make_mobile_buyer(password="pw"):
    """A buyer who signed up with a mobile number only: username MOBILE (13800138000), no e-mail."""
    return get_user_model().objects.create_user(MOBILE, "", password)
