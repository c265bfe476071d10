"""Vendor applicants hear of their application by SMS as well as e-mail: received, approved (with the admin
link), rejected (with the reason) — on the application's mobile number, else the account's."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from cms import sms
from marketplace.services.vendors import (
    approve_vendor_application,
    reject_vendor_application,
    submit_vendor_application,
)
from tests.factories import make_uscc, make_user, moderator

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(db):
    user = moderator("reviewer")
    user.user_permissions.add(Permission.objects.get(codename="approve_vendor"))
    return user


def apply(changshan, name, *, phone, username="applicant@example.com", email="applicant@example.com"):
    return submit_vendor_application(
        business_name=name,
        uscc=make_uscc(),
        county=changshan,
        kind="brand",
        contact_name="李明",
        contact_phone=phone,
        contact_email="li@example.com",
        description="山茶油",
        applicant=make_user(username, email=email),
    )


def test_applicant_gets_sms_and_email(market, changshan, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = apply(changshan, "常山山茶油坊", phone="13812345678")
        approve_vendor_application(application, reviewer)
    assert [(m.phone, m.template) for m in sms.outbox] == [
        ("13812345678", "vendor_application_received"),
        ("13812345678", "vendor_application_approved"),
    ]
    assert sms.outbox[-1].params["link"].endswith("/admin/") and "常山山茶油坊" in sms.outbox[-1].text
    assert [m.to for m in mail.outbox][-1] == ["li@example.com", "applicant@example.com"]


def test_landline_contact_falls_back_to_the_account_mobile(
    market, changshan, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = apply(changshan, "开化龙顶茶", phone="0570-5012345", username="13712345678", email="")
        reject_vendor_application(application, reviewer, "资质不全")
    # The landline cannot receive SMS: messages go to the account's mobile number.
    assert [m.phone for m in sms.outbox] == ["13712345678", "13712345678"]
    assert sms.outbox[-1].template == "vendor_application_rejected" and "资质不全" in sms.outbox[-1].text
