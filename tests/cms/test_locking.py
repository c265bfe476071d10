"""cms.locking: locks in the declared order, a timeout that answers "busy", and no network call under a lock."""

import ast
import logging
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Site

from cms import locking, mail, sms
from cms.errors import CommonCode, DomainError
from cms.models import SmsCode
from marketplace.checkout import stripe_client
from tests.factories import make_user


@pytest.fixture
def rows(db):
    user = make_user("locker")
    code = SmsCode.objects.create(
        purpose="login", phone="13800138000", code_hash="x" * 64, expires_at=timezone.now() + timedelta(minutes=5)
    )
    return user, code


def test_the_declared_order_names_installed_models():
    from django.apps import apps

    for label in locking.LOCK_ORDER:
        apps.get_model(label)
    assert len(set(locking.LOCK_ORDER)) == len(locking.LOCK_ORDER)


def test_locks_in_order_are_taken_and_returned_by_primary_key(rows):
    user, code = rows
    other = make_user("second")
    with transaction.atomic():
        assert locking.lock(get_user_model(), [other.pk, user.pk]) == [user, other]
        assert locking.lock_one(SmsCode, code.pk) == code
        assert locking.held_labels() == ["auth.User", "cms.SmsCode"]
    assert locking.held_labels() == []


def test_a_lock_against_the_order_raises(rows):
    user, code = rows
    with pytest.raises(locking.LockOrderError, match="auth.User taken after cms.SmsCode"), transaction.atomic():
        locking.lock_one(SmsCode, code.pk)
        locking.lock_one(get_user_model(), user.pk)


@override_settings(LOCKING_STRICT=False)
def test_in_production_a_lock_against_the_order_is_logged(rows, caplog):
    user, code = rows
    with caplog.at_level(logging.WARNING, logger="cms.locking"), transaction.atomic():
        locking.lock_one(SmsCode, code.pk)
        assert locking.lock_one(get_user_model(), user.pk) == user
    assert "auth.User taken after cms.SmsCode" in caplog.text


def test_a_row_already_held_may_be_locked_again(rows):
    user, code = rows
    with transaction.atomic():
        locking.lock_one(get_user_model(), user.pk)
        locking.lock_one(SmsCode, code.pk)
        locking.lock_one(get_user_model(), user.pk)


def test_the_next_transaction_starts_afresh(rows):
    user, code = rows
    with transaction.atomic():
        locking.lock_one(SmsCode, code.pk)
    with transaction.atomic():
        locking.lock_one(get_user_model(), user.pk)


def test_a_lock_in_a_rolled_back_savepoint_is_forgotten(rows):
    user, code = rows
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            locking.lock_one(SmsCode, code.pk)
            raise RuntimeError
        assert locking.held_labels() == []
        locking.lock_one(get_user_model(), user.pk)


def test_a_missing_row_and_an_undeclared_model(rows):
    with transaction.atomic():
        with pytest.raises(SmsCode.DoesNotExist):
            locking.lock_one(SmsCode, 10**9)
        with pytest.raises(ImproperlyConfigured, match="not in cms.locking.LOCK_ORDER"):
            locking.lock(Site)


# -- no network call under a lock -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: stripe_client.client(), id="stripe"),
        pytest.param(lambda: sms.send_sms("13800138000", "login_code", {"code": "1"}, "1"), id="sms"),
        pytest.param(lambda: mail.send_mail("subject", "body", None, ["a@example.com"]), id="e-mail"),
    ],
)
def test_a_network_call_under_a_lock_raises(rows, call, mailoutbox):
    user, _code = rows
    with pytest.raises(locking.LocksHeldError, match="while holding row locks on auth.User"), transaction.atomic():
        locking.lock_one(get_user_model(), user.pk)
        call()
    assert sms.outbox == [] and mailoutbox == []


def test_network_calls_after_the_locks_are_released(rows, mailoutbox):
    user, _code = rows
    with transaction.atomic():
        locking.lock_one(get_user_model(), user.pk)
    sms.send_sms("13800138000", "login_code", {"code": "1"}, "1")
    mail.send_mail("subject", "body", None, ["a@example.com"])
    assert len(sms.outbox) == 1 and len(mailoutbox) == 1


# -- the timeout (PostgreSQL) ------------------------------------------------------------------------------------


@pytest.mark.postgresql_database
@pytest.mark.django_db(transaction=True)
@override_settings(LOCK_TIMEOUT_SECONDS=0.3)
def test_a_lock_held_elsewhere_times_out_as_busy():
    user = make_user("contended")
    holding, done = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                locking.lock_one(get_user_model(), user.pk)
                holding.set()
                done.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        with pytest.raises(DomainError) as refused, transaction.atomic():
            locking.lock_one(get_user_model(), user.pk)
        assert refused.value.code is CommonCode.BUSY
        assert refused.value.code == "busy"
        assert str(refused.value.message) == str(CommonCode.BUSY.message)
    finally:
        done.set()
        holder.join(10)
    # Once the other transaction ends the row is free again.
    with transaction.atomic():
        assert locking.lock_one(get_user_model(), user.pk) == user


def test_a_batch_checks_the_order_call_by_call(rows):
    user, code = rows
    with locking.batch():
        with transaction.atomic():
            locking.lock_one(SmsCode, code.pk)
        assert locking.held_labels() == []
        with transaction.atomic():
            locking.lock_one(get_user_model(), user.pk)
        with pytest.raises(locking.LockOrderError), transaction.atomic():
            locking.lock_one(SmsCode, code.pk)
            locking.lock_one(get_user_model(), user.pk)


def test_busy_answers_503_in_the_json_api():
    assert CommonCode.BUSY.status == 503


# -- the rule stays true: no row lock outside cms.locking -----------------------------------------------------------

APPLICATION_SOURCES = [
    path
    for app in ("cms", "marketplace", "events", "config", "bench")
    for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py"))
    if "migrations" not in path.parts
]
LOCKING_MODULE = Path(settings.BASE_DIR) / "cms" / "locking.py"


def _row_locks(path):
    """Where a module asks the database for row locks itself: `.select_for_update` or SQL saying FOR UPDATE."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        orm = isinstance(node, ast.Attribute) and node.attr == "select_for_update"
        sql = isinstance(node, ast.Constant) and isinstance(node.value, str) and "for update" in node.value.lower()
        if orm or sql:
            yield node.lineno


def test_only_cms_locking_takes_row_locks():
    assert LOCKING_MODULE in APPLICATION_SOURCES and list(_row_locks(LOCKING_MODULE))
    offending = [
        f"{path.relative_to(settings.BASE_DIR)}:{line}"
        for path in APPLICATION_SOURCES
        if path != LOCKING_MODULE
        for line in _row_locks(path)
    ]
    assert not offending, f"lock rows through cms.locking.lock() / lock_one(), not select_for_update: {offending}"


def test_the_scan_finds_a_bare_row_lock(tmp_path):
    module = tmp_path / "service.py"
    module.write_text('order = Order.objects.select_for_update().get(pk=1)\ncursor.execute("SELECT 1 FOR UPDATE")\n')
    assert sorted(_row_locks(module)) == [1, 2]


# -- services that lock through the helper -----------------------------------------------------------------------


def test_sms_codes_lock_the_number_s_codes_and_send_after_the_lock(db, django_capture_on_commit_callbacks):
    from cms.accounts import sms_codes

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        sms_codes.send_code("13800138000", "login", template="login_code", text="{code}")
        assert locking.held_labels() == ["cms.SmsCode"]
        assert sms.outbox == []  # the SMS waits for the commit (and the lock's end)
    assert len(sms.outbox) == 1
    code = sms.outbox[0].params["code"]
    with transaction.atomic():
        sms_codes.check_code("13800138000", "login", code)
        assert locking.held_labels() == ["cms.SmsCode"]


def test_deleting_an_account_locks_the_user_first(db):
    from cms import privacy

    user = make_user("leaving", password="secret-pass-1")
    with transaction.atomic():
        privacy.delete_account(user, "secret-pass-1")
        assert locking.held_labels()[0] == "auth.User"
