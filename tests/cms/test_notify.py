"""cms.notify: one place picks e-mail or SMS per recipient; sending is after commit, retried, never raising."""

import logging
import smtplib

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.test import override_settings

from cms import notify, sms
from cms.notify import Recipient, Sms

MESSAGE = {"subject": "订单", "body": "正文", "sms": Sms("order_paid", {"number": "SH1"}, "订单SH1已付款")}


@pytest.mark.parametrize(
    ("recipient", "work", "expected"),
    [
        (Recipient(email="a@example.cn"), False, ["email"]),
        (Recipient(phone="13800138000"), False, ["sms"]),
        (Recipient(email="a@example.cn", phone="13800138000"), False, ["email"]),
        (Recipient(email="a@example.cn", phone="13800138000"), True, ["email", "sms"]),
        (Recipient(phone="0570-1234567"), True, []),
        (Recipient(), False, []),
    ],
)
def test_channels(recipient, work, expected):
    assert notify.channels(recipient, work=work) == expected


@pytest.mark.django_db
def test_a_phone_account_is_reached_by_sms():
    User = get_user_model()
    phone_user = User.objects.create_user("13912345678", email="", password="pw")
    mail_user = User.objects.create_user("a@example.cn", email="a@example.cn", password="pw")
    assert notify.user_recipient(phone_user) == Recipient(email="", phone="13912345678")
    assert notify.user_recipient(mail_user) == Recipient(email="a@example.cn", phone="")


def test_notify_sends_each_recipient_on_their_channel():
    sent = notify.notify(
        [Recipient(email="b@example.cn"), Recipient(phone="13800138000"), Recipient(email="a@example.cn")], **MESSAGE
    )
    assert sent == {"email": ["b@example.cn", "a@example.cn"], "sms": ["13800138000"]}
    assert [m.to for m in mail.outbox] == [["b@example.cn", "a@example.cn"]]
    assert [(m.phone, m.template, m.params) for m in sms.outbox] == [("13800138000", "order_paid", {"number": "SH1"})]


@pytest.mark.django_db(transaction=True)
def test_notify_after_commit_waits_for_commit_and_is_dropped_on_rollback():
    with transaction.atomic():
        notify.notify_after_commit([Recipient(phone="13800138000")], **MESSAGE)
        assert sms.outbox == []
    assert len(sms.outbox) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        notify.notify_after_commit([Recipient(phone="13800138001")], **MESSAGE)
        raise RuntimeError
    assert len(sms.outbox) == 1


class BrokenMail(BaseEmailBackend):
    attempts = 0

    def send_messages(self, messages):
        BrokenMail.attempts += 1
        raise smtplib.SMTPServerDisconnected("mail server down")


@override_settings(EMAIL_BACKEND="tests.cms.test_notify.BrokenMail", SMS_MAX_ATTEMPTS=3)
def test_a_failing_mail_server_is_retried_logged_and_never_raised(caplog):
    BrokenMail.attempts = 0
    with caplog.at_level(logging.WARNING, logger="cms.notify"):
        notify.notify([Recipient(email="a@example.cn")], **MESSAGE)  # does not raise
    assert BrokenMail.attempts == 3
    assert "failed for good after 3 attempts" in caplog.text and "a@example.cn" not in caplog.text
