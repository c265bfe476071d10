"""The camera scanner end to end without BarcodeDetector: Chromium's fake camera plays a video of a ticket's QR
code (a Y4M file made here with segno), checkin.js draws its frames onto a canvas, jsQR decodes them, the camera
stops and the ticket is checked in."""

import os
import tempfile
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import segno
from django.utils import timezone
from playwright.sync_api import expect

from events.models import CheckIn, TicketType
from events.registration import services as ticketing
from events.registration.tickets import checkin_url
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


CAMERA = Path(tempfile.gettempdir()) / f"shanhai-fake-camera-{os.getpid()}.y4m"


def write_qr_video(text, path, width=640, height=480, frames=5):
    """A short Y4M (4:2:0) video of `text` as a QR code, black on white, for Chromium's fake camera."""
    rows = [list(row) for row in segno.make(text, error="m").matrix_iter(scale=1, border=4)]
    scale = min(width, height) * 9 // 10 // len(rows)
    left, top = (width - len(rows) * scale) // 2, (height - len(rows) * scale) // 2
    luma = bytearray([235]) * (width * height)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + r * scale + dy) * width + left + c * scale
                    luma[start : start + scale] = bytes([16]) * scale
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + bytes(luma) + chroma + chroma)


@pytest.fixture(scope="module")
def browser():
    """Chromium with a fake camera that plays CAMERA (rewritten by the test before the camera starts)."""
    from tests.support.plugin import skip_or_fail

    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} not found (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    write_qr_video("placeholder", CAMERA)
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={CAMERA}",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        yield browser
        browser.close()
    CAMERA.unlink(missing_ok=True)


def test_the_camera_scanner_decodes_a_ticket_with_jsqr_and_checks_it_in(
    live_server, browser, screenshot_dir, make_fair, django_user_model
):
    today = timezone.localdate()
    fair = make_fair("山海协作·衢州名优农产品展销会", stalls=0, start_date=today, end_date=today + timedelta(days=1))
    ticket = TicketType.objects.create(fair=fair, name="普通入场", price=Decimal("0"), capacity=200, per_person_limit=4)
    (slot,) = ticketing.create_slots(fair=fair, days=[today], times=[(time(0, 0), time(23, 59))], capacity=50)
    door = django_user_model.objects.create_user("door", "", "pw")
    ticketing.grant_checkin_role(fair, door)
    reg = ticketing.register(fair=fair, request=ticketing.RegistrationRequest(ticket, "王五", "13700137000", 3, slot))
    write_qr_video(checkin_url(reg), CAMERA)

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", permissions=["camera"], **PHONE)
    try:
        context.set_default_timeout(15_000)
        context.add_init_script("delete window.BarcodeDetector;")
        log_in(context, live_server, door)
        page = context.new_page()
        page.goto(live_server.url + fair.url + "checkin/")
        with page.expect_navigation():
            page.locator("#checkin-scan").click()
        result = page.locator("#checkin-status .checkin-result")
        expect(result).to_have_attribute("data-kind", "valid")
        expect(result).to_contain_text("王五")
        expect(page.locator("#checkin-video")).to_be_hidden()
        page.screenshot(path=screenshot_dir / "checkin-camera-jsqr-phone.png", full_page=True)
    finally:
        context.close()
    assert CheckIn.objects.filter(registration=reg).count() == 1
