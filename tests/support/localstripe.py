"""A fake Stripe for tests: the `localstripe` package (PyPI) run as a subprocess on a free loopback port.

    with LocalStripe.start() as fake:          # waits until it answers; killed on the way out
        settings.STRIPE_API_BASE = fake.url     # http://127.0.0.1:PORT
        pm = fake.payment_method(CARD_OK)       # a PaymentMethod id made from a test card number

localstripe speaks the Stripe REST protocol for PaymentIntents, PaymentMethods, charges and refunds,
confirms an intent created with `confirm=True` and a payment method at once, declines the card numbers
listed in its resources.py, and POSTs signed webhooks (`t=<ts>,v1=<hmac>`, Stripe's scheme) about a second
after an event to the URLs registered with `POST /_config/webhooks/<id>`.

What the harness changes in the fake (in the child process only, by wrapping its classes before the
server starts), and why:
- it listens on 127.0.0.1 only (localstripe binds `::`, every interface, and fails without IPv6);
- it never loads or dumps its store to /tmp/localstripe.pickle (shared by every localstripe on the
  machine: other test runs must not see our objects, nor we theirs);
- PaymentIntents accept `description` (real Stripe does; localstripe 1.15 answers 400 "Unexpected").

What it does not do, so the tests fake or check it elsewhere: idempotency keys are ignored, intents have
no `amount_received`, a refund sends no `charge.refunded` event, disputes do not exist.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

# Test cards, from localstripe/resources.py (PaymentMethod._charging_is_declined and friends).
CARD_OK = "4242424242424242"
CARD_CHARGE_DECLINED = "4000000000000341"  # attaches fine, the charge is declined (card_declined)
CARD_NEEDS_3DS = "4000002500003155"  # the intent stops at requires_action

SECRET_KEY = "sk_test_shanhai_localstripe_0123456789"
PUBLISHABLE_KEY = "pk_test_shanhai_localstripe_0123456789"
WEBHOOK_SECRET = "whsec_shanhai_localstripe_test_secret"

_LAUNCHER = r"""
import sys
from aiohttp import web
from localstripe import resources, server

resources.Store.dump_to_disk = lambda self: None
resources.Store.try_load_from_disk = lambda self: None

_init = resources.PaymentIntent.__init__
def _init_with_description(self, *args, description=None, statement_descriptor=None, **kwargs):
    _init(self, *args, **kwargs)
    self.description = description
resources.PaymentIntent.__init__ = _init_with_description

web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def unavailable_reason() -> str | None:
    if importlib.util.find_spec("localstripe") is None:
        return "the localstripe package is not installed (pip install localstripe)"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalStripeError(RuntimeError):
    pass


class LocalStripe:
    def __init__(self, process: subprocess.Popen, port: int, log_path: Path):
        self.process, self.port, self.log_path = process, port, log_path
        self.url = f"http://127.0.0.1:{port}"

    # --- life cycle ---------------------------------------------------------------------------------

    @classmethod
    @contextlib.contextmanager
    def start(cls, *, timeout: float = 30) -> Iterator[LocalStripe]:
        reason = unavailable_reason()
        if reason:
            raise LocalStripeError(reason)
        log = tempfile.NamedTemporaryFile(prefix="localstripe-", suffix=".log", delete=False)  # noqa: SIM115
        log_path = Path(log.name)
        fake = None
        try:
            for _attempt in range(5):  # a port can be taken between choosing and binding it
                port = _free_port()
                process = subprocess.Popen(
                    [sys.executable, "-c", _LAUNCHER, str(port)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
                fake = cls(process, port, log_path)
                if fake._wait_until_up(timeout):
                    break
                fake.stop()
                fake = None
            if fake is None:
                raise LocalStripeError(f"localstripe did not start:\n{log_path.read_text(errors='replace')}")
            yield fake
        finally:
            if fake is not None:
                fake.stop()
            log.close()
            log_path.unlink(missing_ok=True)

    def _wait_until_up(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                self.request("GET", "/v1/customers")
                return True
            except (OSError, LocalStripeError):
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # --- talking to it directly (what Stripe.js or the dashboard would do) -----------------------------

    def request(self, method: str, path: str, data: dict | None = None) -> dict:
        body = urllib.parse.urlencode(_flatten(data or {})).encode() if data is not None else None
        req = urllib.request.Request(
            self.url + path,
            data=body,
            method=method,
            headers={"Authorization": f"Bearer {SECRET_KEY}", "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise LocalStripeError(f"{method} {path}: {exc.code} {exc.read().decode(errors='replace')}") from None
        return json.loads(raw) if raw.strip() else {}

    def payment_method(self, number: str = CARD_OK) -> str:
        """A card PaymentMethod made from a test card number; returns its id."""
        card = {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}
        return self.request("POST", "/v1/payment_methods", {"type": "card", "card": card})["id"]

    def confirm_in_browser(self, intent_id: str, number: str = CARD_OK) -> dict:
        """What Stripe.js does on the payment page: attach a card to the intent and confirm it."""
        self.request("POST", f"/v1/payment_intents/{intent_id}", {"payment_method": self.payment_method(number)})
        return self.request("POST", f"/v1/payment_intents/{intent_id}/confirm", {})

    def intent(self, intent_id: str) -> dict:
        return self.request("GET", f"/v1/payment_intents/{intent_id}")

    def intents(self) -> list[dict]:
        return self.request("GET", "/v1/payment_intents?limit=100")["data"]

    def refunds_of(self, intent_id: str) -> list[dict]:
        return self.request("GET", f"/v1/refunds?payment_intent={intent_id}")["data"]

    def register_webhook(self, hook_id: str, url: str, secret: str, events: list[str] | None = None) -> None:
        """Have localstripe POST signed events to url (each event about 1 s after it happens)."""
        data = {"url": url, "secret": secret}
        if events is not None:
            data["events"] = events
        self.request("POST", f"/_config/webhooks/{hook_id}", data)

    def disable_webhook(self, hook_id: str) -> None:
        """localstripe cannot forget a webhook; point it at an event type that never happens."""
        self.register_webhook(hook_id, "http://127.0.0.1:9/", "unused", events=["shanhai.never"])


def _flatten(data: dict, prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding: card[number]=…, events[0]=…"""
    items = []
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, dict):
            items.extend(_flatten(value, name))
        elif isinstance(value, list | tuple):
            items.extend(_flatten({str(i): v for i, v in enumerate(value)}, name))
        elif isinstance(value, bool):
            items.append((name, "true" if value else "false"))
        else:
            items.append((name, str(value)))
    return items
