"""省/市/区 in a phone browser: the city and district lists follow the chosen province and city (cms/js/divisions.js
with the site's own china-divisions.json, under the strict Content-Security-Policy), the page stays within 390 px,
the mobile number is pre-filled, and the address is saved; in English the labels are English."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from marketplace.checkout.models import DeliveryAddress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def option_texts(locator):
    return locator.locator("option").all_inner_texts()


def test_cascading_selects_on_a_phone(live_server, phone_page, screenshot_dir, home_page, django_user_model):
    page = phone_page
    buyer = django_user_model.objects.create_user("13800138000", "", "pw")
    log_in(page, live_server, buyer)
    page.goto(live_server.url + "/account/addresses/add/")
    page.wait_for_selector("html[data-divisions-ready]")
    province, city, district = (page.locator(f"#id_{name}") for name in ("province", "city", "district"))
    expect(province).to_have_value("浙江省")
    expect(page.locator("#id_phone")).to_have_value("13800138000")
    assert "衢州市" in option_texts(city)

    province.select_option("江苏省")
    assert option_texts(city)[1:4] == ["南京市", "无锡市", "徐州市"]
    expect(city).to_have_value("")
    assert option_texts(district) == [option_texts(district)[0]]  # only the placeholder until a city is chosen
    city.select_option("南京市")
    assert "玄武区" in option_texts(district) and "柯城区" not in option_texts(district)
    district.select_option("玄武区")
    page.locator("#id_recipient").fill("张三")
    page.locator("#id_street").fill("中山路 1 号")
    page.screenshot(path=screenshot_dir / "address-selects-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("form.account-form button[type=submit]").click()
    page.wait_for_url("**/account/addresses/")
    saved = DeliveryAddress.objects.get(user=buyer)
    assert (saved.province, saved.city, saved.district, saved.phone) == ("江苏省", "南京市", "玄武区", "13800138000")


def test_english_labels_and_the_server_check_without_script(
    live_server, desktop_page, screenshot_dir, home_page, django_user_model
):
    page = desktop_page
    buyer = django_user_model.objects.create_user("li@example.cn", "li@example.cn", "pw")
    log_in(page, live_server, buyer)
    page.goto(live_server.url + "/en/account/addresses/add/")
    expect(page.locator("label[for=id_province]")).to_contain_text("Province")
    expect(page.locator("label[for=id_district]")).to_contain_text("District")
    page.wait_for_selector("html[data-divisions-ready]")
    page.locator("#id_city").select_option("杭州市")
    # A combination the lists would not offer (as a page without JavaScript could send): the server refuses it.
    page.evaluate(
        """() => { const d = document.getElementById("id_district"); d.add(new Option("柯城区", "柯城区"));
                   d.value = "柯城区"; }"""
    )
    page.locator("#id_recipient").fill("Li Si")
    page.locator("#id_phone").fill("13900139000")
    page.locator("#id_street").fill("1 Wensan Road")
    page.locator("form.account-form button[type=submit]").click()
    expect(page.locator(".field--error")).to_contain_text("Choose a district or county of 杭州市 from the list.")
    page.screenshot(path=screenshot_dir / "address-selects-error-desktop-en.png", full_page=True)
    assert not DeliveryAddress.objects.filter(user=buyer).exists()
