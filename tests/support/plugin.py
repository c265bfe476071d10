"""Pytest plugin (registered from tests/conftest.py): the `postgres_url` fixture and the CI rules.

Tests that need PostgreSQL or Chromium start it themselves. Where the binaries are missing they are
skipped with the reason, except under CI (the CI environment variable set to anything but 0/false/no),
where a missing binary is a failure and any skipped test fails the run: CI runs every test.
"""

import os

import pytest

from tests.support import postgres


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}


def skip_or_fail(reason: str) -> None:
    """Skip the test with reason; under CI fail it instead, so nothing is quietly left out."""
    if running_in_ci():
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server URL (superuser, database `postgres`) that tests may create databases on.

    Reuses DATABASE_URL when this run already targets PostgreSQL (`make test`'s second run), otherwise
    starts a throwaway cluster for the session.
    """
    current = os.environ.get("DATABASE_URL")
    if postgres.is_postgres_url(current):
        yield postgres.with_database(current, "postgres")
        return
    reason = postgres.unavailable_reason()
    if reason:
        skip_or_fail(reason)
    with postgres.throwaway_cluster() as url:
        yield url


_skipped = []


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if running_in_ci() and _skipped and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if running_in_ci() and _skipped:
        terminalreporter.section("CI: skipped tests are failures", sep="=", red=True, bold=True)
        for nodeid in _skipped:
            terminalreporter.write_line(f"SKIPPED under CI: {nodeid}")
