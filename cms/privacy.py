"""Personal information (PIPL): the privacy notice, consents, and the per-app registry of personal data.

cms owns accounts and the notice but not the data of the apps above it (orders, registrations). Each app
registers a *collector* (what it holds about an account, for "download my data") and an *eraser* (what it
masks or deletes when the account is deleted) here, so the account pages never import marketplace or events.
"""

import io
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from cms import locking
from cms.errors import CommonCode, DomainError

from .models.api_tokens import ApiToken
from .models.privacy import Consent, PrivacyNotice


def current_notice(request=None):
    """The privacy notice of the request's site (the default site without a request)."""
    if request is not None:
        return PrivacyNotice.for_request(request)
    return PrivacyNotice.for_site(Site.objects.filter(is_default_site=True).first() or Site.objects.first())


def consent_field():
    """The required "I agree" checkbox of a form that collects personal data from someone who has not
    consented yet; the template shows the link to the notice beside it (cms/privacy/link.html)."""
    return forms.BooleanField(
        label=_("I have read and agree to the privacy notice"),
        required=True,
        error_messages={"required": _("Please agree to the privacy notice to continue.")},
    )


def record_consent(*, purpose, user=None, subject="", request=None):
    """Record one consent to the current version of the notice. Runs inside the caller's transaction."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return Consent.objects.create(
        user=user, purpose=purpose, subject=subject, notice_version=current_notice(request).version
    )


def mask_name(name):
    """张三 → 张**, Li Lei → L******: the first character kept, the rest starred."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 2)


# -- the registry of personal data held by each app ------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One kind of personal data: `collect(user)` gives a list of flat dicts (one per row, for JSON and one
    spreadsheet sheet); `erase(user)` masks or deletes it when the account is deleted (inside the deletion's
    transaction, before the account itself is anonymised)."""

    name: str
    label: str
    collect: Callable
    erase: Callable | None = None


_SECTIONS: dict[str, Section] = {}


def register_personal_data(name, *, label, collect, erase=None):
    """Called from an app's AppConfig.ready(): `name` becomes the JSON key and the spreadsheet's sheet name."""
    _SECTIONS[name] = Section(name, label, collect, erase)


def sections():
    return list(_SECTIONS.values())


def _profile(user):
    return [
        {
            "username": user.get_username(),
            "name": user.get_full_name(),
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        }
    ]


def _consents(user):
    return [
        {
            "purpose": consent.purpose,
            "subject": consent.subject,
            "notice_version": consent.notice_version,
            "given_at": consent.given_at,
        }
        for consent in Consent.objects.filter(user=user).order_by("given_at", "pk")
    ]


def _api_tokens(user):
    return [
        {"name": t.name, "key_prefix": t.key_prefix, "created_at": t.created_at, "revoked_at": t.revoked_at}
        for t in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
    ]


register_personal_data("profile", label=_("Profile"), collect=_profile)
register_personal_data("consents", label=_("Consents"), collect=_consents)
register_personal_data("api_tokens", label=_("API tokens"), collect=_api_tokens)


def collect_personal_data(user):
    """Everything the site holds about this account, section by section (each app's registered collector)."""
    return {section.name: section.collect(user) for section in sections()}


def personal_data_json(user):
    data = {"exported_at": timezone.now(), **collect_personal_data(user)}
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        value = timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, (list, dict)):
        value = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # never a formula in the buyer's spreadsheet program
    if not isinstance(value, (str, int, float)) and not hasattr(value, "year"):
        return str(value)
    return value


def personal_data_xlsx(user):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in collect_personal_data(user).items():
        sheet = workbook.create_sheet(title=name[:31])
        columns = list(dict.fromkeys(key for row in rows for key in row))
        if columns:
            sheet.append(columns)
        for row in rows:
            sheet.append([_cell(row.get(column)) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@transaction.atomic
def delete_account(user, password):
    """Delete an account as far as the law on accounting allows: every app erases or masks its data (orders
    are kept with the name and number masked), API tokens go, and the user row is deactivated and anonymised
    (no name, no e-mail, an unguessable username, no usable password). Refused without the right password."""
    if not user.check_password(password):
        raise DomainError(CommonCode.WRONG_PASSWORD)
    user = locking.lock_one(get_user_model(), user.pk)
    for section in sections():
        if section.erase is not None:
            section.erase(user)
    ApiToken.objects.filter(user=user).delete()
    user.username = f"deleted-{user.pk}-{secrets.token_hex(6)}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    return user


def privacy_notice(request):
    return TemplateResponse(request, "cms/privacy/notice.html", {"notice": current_notice(request)})


__all__ = [
    "collect_personal_data",
    "consent_field",
    "current_notice",
    "delete_account",
    "mask_name",
    "personal_data_json",
    "personal_data_xlsx",
    "record_consent",
    "register_personal_data",
]
