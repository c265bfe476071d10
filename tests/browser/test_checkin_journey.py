"""Door check-in on a phone without BarcodeDetector (as on iPhone Safari or in WeChat's browser).

(a) The volunteer types the ticket's short code as a person would (lower case, a dash) and the valid result is
    announced in the page's polite live region.
(b) The jsQR fallback decodes: with BarcodeDetector removed, a QR image of a ticket's check-in URL (segno PNG,
    the same URL as the ticket's QR) drawn onto a canvas goes through checkin.js's decoding function, which
    loads jsQR from the project's static files, fills the code in and checks the ticket in.
"""

from datetime import time, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import segno
from django.utils import timezone
from playwright.sync_api import expect

from events.models import CheckIn, TicketType
from events.registration import services as ticketing
from events.registration.tickets import checkin_url
from tests.support.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


NO_BARCODE_DETECTOR = "delete window.BarcodeDetector;"
# Records what is put into the live region after the page has loaded (what a screen reader reads out).
WATCH_LIVE_REGION = """
window.__announced = [];
document.addEventListener("DOMContentLoaded", () => {
  const region = document.getElementById("checkin-status");
  new MutationObserver(() => window.__announced.push(region.textContent.trim()))
    .observe(region, {childList: true, subtree: true, characterData: true});
});
"""

DRAW_AND_SCAN = """async ({src, submit}) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext("2d");
    context.drawImage(img, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    await window.shanhaiCheckin.loadDecoder();
    if (submit) { window.shanhaiCheckin.scanImageData(pixels); return null; }
    return window.shanhaiCheckin.decodeImageData(pixels);
}"""


@pytest.fixture
def door_scene(make_fair, django_user_model):
    today = timezone.localdate()
    fair = make_fair("山海协作·衢州名优农产品展销会", stalls=0, start_date=today, end_date=today + timedelta(days=1))
    ticket = TicketType.objects.create(fair=fair, name="普通入场", price=Decimal("0"), capacity=200, per_person_limit=4)
    (slot,) = ticketing.create_slots(fair=fair, days=[today], times=[(time(0, 0), time(23, 59))], capacity=50)
    door = django_user_model.objects.create_user("door", "", "pw")
    ticketing.grant_checkin_role(fair, door)

    def register(name, phone):
        return ticketing.register(fair=fair, request=ticketing.RegistrationRequest(ticket, name, phone, 2, slot))

    return fair, door, register


def test_door_staff_type_a_short_code_and_the_result_is_announced(live_server, phone_page, screenshot_dir, door_scene):
    fair, door, register = door_scene
    reg = register("张三", "13800138000")
    page = phone_page
    page.add_init_script(NO_BARCODE_DETECTOR)
    page.add_init_script(WATCH_LIVE_REGION)
    log_in(page.context, live_server, door)

    page.goto(live_server.url + fair.url + "checkin/")
    status = page.locator("#checkin-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(page.locator("#id_code")).to_have_attribute("aria-describedby", "checkin-code-help")
    # Without BarcodeDetector the camera scanner is still offered (jsQR does the decoding).
    expect(page.locator("#checkin-scan")).to_be_visible()
    expect(page.locator("#checkin-scan-stop")).to_be_hidden()  # until the camera runs
    page.screenshot(path=screenshot_dir / "checkin-empty-phone.png", full_page=True)

    code = reg.short_code
    page.locator("#id_code").fill(f"{code[:4].lower()}-{code[4:].lower()}")
    page.locator(".checkin__submit").click()
    result = status.locator(".checkin-result")
    expect(result).to_have_attribute("data-kind", "valid")
    expect(result).to_contain_text("张三")
    expect(page.locator("#checkin-total")).to_have_text("2")
    # The result was put into the polite live region after the page loaded, so it is read out.
    page.wait_for_function("window.__announced.some(text => text.includes('张三'))")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "checkin-short-code-valid-phone.png", full_page=True)
    assert CheckIn.objects.filter(registration=reg).count() == 1


def test_without_barcode_detector_jsqr_decodes_a_ticket_qr_and_checks_it_in(
    live_server, phone_page, screenshot_dir, door_scene
):
    fair, door, register = door_scene
    reg = register("李四", "13900139000")
    page = phone_page
    page.add_init_script(NO_BARCODE_DETECTOR)
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    log_in(page.context, live_server, door)
    page.goto(live_server.url + fair.url + "checkin/")
    assert page.evaluate("'BarcodeDetector' in window") is False

    url = checkin_url(reg)
    qr = segno.make(url, error="m").png_data_uri(scale=6, border=4)
    assert page.evaluate(DRAW_AND_SCAN, {"src": qr, "submit": False}) == url
    # jsQR came from this site's static files, and nothing was asked of another host.
    scripts = page.evaluate("[...document.scripts].map(s => s.src)")
    assert any(s.startswith(live_server.url + "/static/events/vendor/jsqr/jsQR") for s in scripts)
    assert hosts <= {urlsplit(live_server.url).netloc, ""}

    with page.expect_navigation():
        page.evaluate(DRAW_AND_SCAN, {"src": qr, "submit": True})
    result = page.locator("#checkin-status .checkin-result")
    expect(result).to_have_attribute("data-kind", "valid")
    expect(result).to_contain_text("李四")
    page.screenshot(path=screenshot_dir / "checkin-jsqr-valid-phone.png", full_page=True)
    assert CheckIn.objects.filter(registration=reg).count() == 1
