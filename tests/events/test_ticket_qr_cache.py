"""A ticket's QR code (events.registration.tickets.qr_svg) is encoded once and then read from the cache under a
digest of what it encodes: the same SVG as encoding it again, and never another ticket's."""

from types import SimpleNamespace

import pytest
import segno
from django.core.cache import cache

from events.registration import tickets

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_qr_code_is_encoded_once_per_ticket_code(monkeypatch):
    encoded = []
    make = segno.make

    def counting(content, **kwargs):
        encoded.append(content)
        return make(content, **kwargs)

    monkeypatch.setattr(segno, "make", counting)
    first, second = SimpleNamespace(ticket_code="AAAA1111"), SimpleNamespace(ticket_code="BBBB2222")
    svg = tickets.qr_svg(first)
    assert tickets.qr_svg(first) == svg
    assert len(encoded) == 1
    assert svg == make(tickets.checkin_url(first), error="m").svg_inline(
        scale=6, dark="#111", light="#fff", omitsize=False
    )
    other = tickets.qr_svg(second)
    assert other != svg and len(encoded) == 2
    assert tickets.qr_svg(first, scale=3) != svg  # the size is part of the key
