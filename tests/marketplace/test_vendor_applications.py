"""Vendor sign-up at /vendors/apply/ and staff review in the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.http import HttpRequest
from wagtail.models import Collection, PageLogEntry

from cms.errors import DomainError
from marketplace.models import VendorApplication, VendorMember, VendorPage
from marketplace.services.vendors import (
    approve_vendor_application,
    reject_vendor_application,
    submit_vendor_application,
    vendor_collection,
    vendor_group,
)
from tests.factories import make_uscc, make_user, moderator

pytestmark = pytest.mark.django_db

APPLY_URL = "/vendors/apply/"


def application_data(county, **overrides):
    data = {
        "business_name": "江山蜂蜜合作社",
        "business_name_en": "Jiangshan Honey Co-op",
        "uscc": make_uscc(),
        "county": county.pk,
        "kind": "cooperative",
        "contact_name": "王芳",
        "contact_phone": "13812345678",
        "contact_email": "wang@example.com",
        "description": "土蜂蜜、蜂王浆",
        "account_email": "Wang.Login@example.com",
        "password": "honey-bees-2024!",
        "password_confirm": "honey-bees-2024!",
    }
    data.update(overrides)
    return data


@pytest.fixture
def reviewer(db):
    user = moderator("reviewer")
    user.user_permissions.add(Permission.objects.get(codename="approve_vendor"))
    return user


@pytest.fixture
def application(market, changshan):
    applicant = make_user("applicant@example.com", email="applicant@example.com")
    return submit_vendor_application(
        business_name="常山山茶油坊",
        uscc=make_uscc(),
        county=changshan,
        kind="brand",
        contact_name="李明",
        contact_phone="0570-5012345",
        contact_email="li@example.com",
        description="山茶油",
        applicant=applicant,
    )


def test_apply_page_renders(client, home_page, changshan):
    response = client.get(APPLY_URL)
    assert response.status_code == 200
    assert 'name="uscc"' in response.content.decode()
    assert 'name="password_confirm"' in response.content.decode()
    assert client.get("/en" + APPLY_URL).status_code == 200


def test_valid_application_creates_pending_application_and_user(
    client, home_page, changshan, reviewer, django_capture_on_commit_callbacks
):
    data = application_data(changshan)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(APPLY_URL, data)
    assert response.status_code == 302
    assert response.url == "/vendors/apply/thanks/"

    application = VendorApplication.objects.get()
    assert application.status == VendorApplication.Status.PENDING
    assert application.uscc == data["uscc"]
    user = application.applicant
    assert user.username == "wang.login@example.com"
    assert user.check_password("honey-bees-2024!")
    assert not user.is_staff
    assert not user.has_perm("wagtailadmin.access_admin")
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["reviewer@example.com", "wang.login@example.com", "wang@example.com"]

    thanks = client.get(response.url)
    assert thanks.status_code == 200
    assert "江山蜂蜜合作社" in thanks.content.decode()


def test_wrong_check_digit_is_a_field_error_and_creates_nothing(client, home_page, changshan):
    uscc = make_uscc()
    wrong = uscc[:17] + ("0" if uscc[17] != "0" else "1")
    response = client.post(APPLY_URL, application_data(changshan, uscc=wrong))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["uscc"]
    assert errors.as_data()["uscc"][0].code == "uscc_check"
    assert not VendorApplication.objects.exists()
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize("phone", ["12345678901", "1381234567", "abc"])
def test_bad_phone_is_refused(client, home_page, changshan, phone):
    response = client.post(APPLY_URL, application_data(changshan, contact_phone=phone))
    assert list(response.context["form"].errors) == ["contact_phone"]
    assert not VendorApplication.objects.exists()


def test_password_confirmation_must_match(client, home_page, changshan):
    response = client.post(APPLY_URL, application_data(changshan, password_confirm="something-else-1"))
    assert list(response.context["form"].errors) == ["password_confirm"]
    assert not get_user_model().objects.exists()


def test_second_pending_application_for_same_uscc_is_refused(client, home_page, changshan):
    uscc = make_uscc()
    assert client.post(APPLY_URL, application_data(changshan, uscc=uscc)).status_code == 302
    client.logout()
    second = client.post(
        APPLY_URL, application_data(changshan, uscc=uscc, account_email="other@example.com", contact_email="o@x.cn")
    )
    assert second.status_code == 200
    assert "uscc" in second.context["form"].errors
    assert VendorApplication.objects.count() == 1
    assert not get_user_model().objects.filter(username="other@example.com").exists()


def test_uscc_of_an_existing_vendor_is_refused(make_vendor, changshan):
    vendor = make_vendor("已入驻商家", changshan)
    with pytest.raises(DomainError) as refused:
        submit_vendor_application(
            business_name="x",
            uscc=vendor.uscc,
            county=changshan,
            kind="farm",
            contact_name="x",
            contact_phone="13800000000",
            contact_email="x@example.com",
            account_email="x@example.com",
            password="long-enough-pass-1",
        )
    assert refused.value.code == "uscc_taken"
    assert not VendorApplication.objects.exists()


def test_logged_in_user_applies_without_account_fields(client, home_page, changshan):
    user = make_user("existing")
    client.force_login(user)
    page = client.get(APPLY_URL)
    assert 'name="password"' not in page.content.decode()
    data = application_data(changshan)
    for name in ("account_email", "password", "password_confirm"):
        data.pop(name)
    assert client.post(APPLY_URL, data).status_code == 302
    assert VendorApplication.objects.get().applicant == user


def test_approve_creates_published_vendor_with_access(
    client, application, reviewer, django_capture_on_commit_callbacks
):
    list_url = "/admin/snippets/marketplace/vendorapplication/"
    client.force_login(reviewer)
    listing = client.get(list_url, {"status": "pending"})
    assert listing.status_code == 200
    approve_url = f"{list_url}approve/{application.pk}/"
    assert approve_url in listing.content.decode()
    assert client.get(approve_url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(approve_url)
    assert response.status_code == 302, response.context["form"].errors

    application.refresh_from_db()
    assert application.status == VendorApplication.Status.APPROVED
    assert application.reviewed_by == reviewer
    assert application.reviewed_at is not None
    vendor = application.vendor_page
    assert vendor.live
    assert vendor.approval_status == VendorPage.Approval.APPROVED
    assert vendor.uscc == application.uscc
    assert vendor.get_parent().specific_class.__name__ == "VendorIndexPage"
    assert vendor_group(vendor) is not None
    assert vendor_collection(vendor).get_parent() == Collection.get_first_root_node()
    assert VendorMember.objects.filter(vendor=vendor, user=application.applicant).exists()
    assert PageLogEntry.objects.filter(page=vendor, action="marketplace.vendor_approved").exists()
    assert [m.to for m in mail.outbox][-1] == ["li@example.com", "applicant@example.com"]

    # The applicant logs in to the admin and finds their page.
    client.logout()
    assert client.login(request=HttpRequest(), username="applicant@example.com", password="vendor-pass-2024")
    home = client.get("/admin/")
    assert home.status_code == 200
    assert "常山山茶油坊" in home.content.decode()
    assert client.get(f"/admin/pages/{vendor.pk}/edit/").status_code == 200

    # Approving twice is refused.
    with pytest.raises(DomainError):
        approve_vendor_application(application, reviewer)


def test_reject_needs_a_reason(client, application, reviewer):
    client.force_login(reviewer)
    url = f"/admin/snippets/marketplace/vendorapplication/reject/{application.pk}/"
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    application.refresh_from_db()
    assert application.status == VendorApplication.Status.PENDING

    with pytest.raises(DomainError) as refused:
        reject_vendor_application(application, reviewer, "")
    assert refused.value.code == "reason_required"

    assert client.post(url, {"reason": "营业执照经营范围不含食品销售"}).status_code == 302
    application.refresh_from_db()
    assert application.status == VendorApplication.Status.REJECTED
    assert application.rejection_reason == "营业执照经营范围不含食品销售"
    assert application.vendor_page is None


def test_users_without_the_permission_cannot_review(client, application, two_admin_users):
    approve_url = f"/admin/snippets/marketplace/vendorapplication/approve/{application.pk}/"
    plain, editor = two_admin_users
    client.force_login(plain)
    response = client.post(approve_url)
    assert response.status_code == 302  # no admin access at all: sent to the login page
    assert response.url.startswith("/admin/login/")

    client.force_login(editor)  # admin access (a Moderator) but not marketplace.approve_vendor
    # Wagtail turns the refusal into a redirect to the dashboard with a permission message.
    refused = client.post(approve_url)
    assert (refused.status_code, refused.url) == (302, "/admin/")
    assert "error" in [m.level_tag for m in client.get("/admin/").context["messages"]]
    listing = client.get("/admin/snippets/marketplace/vendorapplication/")
    assert (listing.status_code, listing.url) == (302, "/admin/")
    with pytest.raises(DomainError):
        approve_vendor_application(application, editor)
    application.refresh_from_db()
    assert application.status == VendorApplication.Status.PENDING
    assert not VendorPage.objects.exists()


@pytest.fixture
def two_admin_users(db):
    return make_user("plain"), moderator("editor")
