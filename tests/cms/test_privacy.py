"""PIPL: the privacy notice page kept in the CMS, and consent recorded at sign-up."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cms.models import Consent, PrivacyNotice
from cms.phone import mask_phone
from cms.privacy import current_notice, mask_name

pytestmark = pytest.mark.django_db

PASSWORD = "Shanhai-pass-2024"


def test_the_notice_page_shows_the_cms_text_with_its_version_in_chinese_and_english(client, home_page):
    notice = current_notice()
    notice.body = "<p>我们如何处理您的个人信息（测试）</p>"
    notice.body_en = "<p>How we handle your data (test)</p>"
    notice.version = "2.1"
    notice.save()
    page = client.get("/privacy/").content.decode()
    assert "我们如何处理您的个人信息（测试）" in page and "2.1" in page
    page = client.get("/en/privacy/").content.decode()
    assert "How we handle your data (test)" in page and "Version 2.1" in page


def test_the_demo_notice_exists_in_both_languages(client, home_page):
    assert "个人信息保护法" in client.get("/privacy/").content.decode()
    assert "Personal Information Protection" in client.get("/en/privacy/").content.decode()


def test_signup_needs_consent_and_records_it_with_the_notice_version(client, home_page):
    notice = current_notice()
    notice.version = "3.0"
    notice.save()
    data = {"mobile": "13800138000", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("signup"), data)
    assert response.status_code == 200 and response.context["form"].errors["consent"]
    assert not get_user_model().objects.exists() and not Consent.objects.exists()

    client.post(reverse("signup"), {**data, "consent": "on"})
    user = get_user_model().objects.get()
    consent = Consent.objects.get()
    assert (consent.user, consent.purpose, consent.notice_version) == (user, Consent.Purpose.SIGNUP, "3.0")
    assert consent.given_at is not None


def test_the_signup_form_links_to_the_notice(client, home_page):
    page = client.get(reverse("signup")).content.decode()
    assert f'href="{reverse("privacy_notice")}"' in page and 'name="consent"' in page


def test_the_notice_is_a_setting_editors_can_open_in_the_admin(admin_client, home_page):
    current_notice()
    url = reverse("wagtailsettings:edit", args=["cms", "privacynotice"])
    assert admin_client.get(url, follow=True).status_code == 200
    assert PrivacyNotice.objects.count() == 1


def test_masks():
    assert mask_name("张三") == "张**" and mask_name("欧阳娜娜") == "欧***" and mask_name("") == ""
    assert mask_phone("13800000000") == "138****0000" and mask_phone("") == ""
