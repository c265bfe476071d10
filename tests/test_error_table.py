"""The error table (cms.errors and each app's errors module): one row per code, each with a message that has a
Chinese translation and an HTTP status; raise sites name a code, never a message."""

import ast
import pickle
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

import events.errors
import marketplace.errors
from cms.errors import DETAIL, CommonCode, DomainError, ErrorCode, all_codes, error_tables
from tests.support.translations import placeholders

TABLES = [CommonCode, marketplace.errors.MarketplaceCode, events.errors.EventsCode]
# One API string answered with two statuses on purpose: a product that cannot be bought (400) and the whole
# service down (503, from cms.views.server_error).
STATUSES_BY_DESIGN = {"unavailable": {400, 503}}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def english(code):
    with translation.override(None):
        return str(code.message)


def test_every_app_declares_its_table():
    assert set(error_tables()) >= set(TABLES)


@pytest.mark.parametrize("code", all_codes(), ids=lambda code: f"{type(code).__name__}.{code.name}")
def test_every_code_has_an_api_string_a_message_and_a_status(code):
    assert re.fullmatch(r"[a-z][a-z_]*", code.value)
    assert english(code).strip()
    assert isinstance(code.status, int) and 400 <= code.status <= 599


@pytest.mark.parametrize("code", all_codes(), ids=lambda code: f"{type(code).__name__}.{code.name}")
def test_every_message_translates_to_chinese_with_its_placeholders(code):
    if code.message == DETAIL:
        return  # passes on a message translated where it was made
    with translation.override("zh-hans"):
        chinese = str(code.message)
    assert CHINESE.search(chinese), f"{code!r} has no Chinese translation: {chinese!r}"
    assert placeholders(chinese) == placeholders(english(code))


def test_members_are_unique_across_apps():
    names = [code.name for code in all_codes()]
    assert len(names) == len(set(names)), sorted({name for name in names if names.count(name) > 1})
    rows = [(code.value, english(code)) for code in all_codes() if code.message != DETAIL]
    assert len(rows) == len(set(rows)), sorted({row for row in rows if rows.count(row) > 1})


def test_an_api_string_has_one_status():
    statuses = {}
    for code in all_codes():
        statuses.setdefault(code.value, set()).add(code.status)
    mixed = {value: found for value, found in statuses.items() if len(found) > 1}
    assert mixed == STATUSES_BY_DESIGN


def test_an_error_speaks_the_language_it_was_raised_in():
    with translation.override("en"):
        error = DomainError(events.errors.EventsCode.STALL_TAKEN, field="stall", code="A01")
    assert (error.code, error.field, error.status) == ("stall_taken", "stall", 409)
    assert error.message == str(error) == "Stall A01 has already been taken; please choose another."
    with translation.override("zh-hans"):
        error = DomainError(events.errors.EventsCode.STALL_TAKEN, field="stall", code="A01")
    assert "A01" in error.message and CHINESE.search(error.message)
    assert error.retry_after is None


def test_a_rate_limit_carries_its_wait():
    error = DomainError(events.errors.EventsCode.CHECKIN_THROTTLED, seconds=30)
    assert error.status == 429 and error.retry_after == 30


def test_an_error_needs_a_code_from_the_table():
    with pytest.raises(TypeError):
        DomainError("invalid")


def test_members_sharing_an_api_string_stay_apart():
    assert CommonCode.INVALID is not CommonCode.FIELD_REQUIRED
    assert CommonCode.INVALID == CommonCode.FIELD_REQUIRED.value == "invalid"
    assert all(isinstance(code, ErrorCode) for code in all_codes())


# -- raise sites name a code --------------------------------------------------------------------------------

SOURCES = [
    path
    for app in ("cms", "marketplace", "events", "bench")
    for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py"))
    if "migrations" not in path.parts
]
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy", "format_lazy"}


def _is_prose(node):
    """A literal string, an f-string, a gettext call, or one formatted with % or +."""
    if isinstance(node, ast.Constant | ast.JoinedStr):
        return True
    if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in GETTEXT:
        return True
    return isinstance(node, ast.BinOp) and (_is_prose(node.left) or _is_prose(node.right))


def _domain_error_calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "DomainError":
            yield node


def test_no_raise_site_passes_a_message():
    calls, offending = 0, []
    for path in SOURCES:
        for call in _domain_error_calls(ast.parse(path.read_text(), str(path))):
            calls += 1
            if not call.args or "message" in {k.arg for k in call.keywords} or _is_prose(call.args[0]):
                offending.append(f"{path.relative_to(settings.BASE_DIR)}:{call.lineno}")
    assert calls > 200 and not offending, offending


def test_the_old_error_classes_are_gone():
    pattern = re.compile(r"\b(MarketplaceError|EventsError|CheckInThrottled|RegistrationThrottled|STATUS_BY_CODE)\b")
    found = [str(path.relative_to(settings.BASE_DIR)) for path in SOURCES if pattern.search(path.read_text())]
    assert not found, found


def test_an_error_survives_pickling():
    error = DomainError(events.errors.EventsCode.STALL_TAKEN, field="stall", code="A01")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.field, copy.params) == (error.code, "stall", {"code": "A01"})
    assert copy.code is events.errors.EventsCode.STALL_TAKEN and copy.language == error.language
