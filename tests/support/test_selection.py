"""make test's two runs together run every test: the check tests/conftest.py makes at collection."""

import subprocess
import sys
from types import SimpleNamespace

import pytest

from tests.support.selection import left_out_of_make_test, make_test_expressions, runs_selecting

EXPRESSIONS = make_test_expressions()


def test_the_makefile_expressions_are_read():
    assert EXPRESSIONS == {
        "SQLite": "not postgres and not postgresql_run",
        "PostgreSQL": "database_sensitive and not browser",
    }


@pytest.mark.parametrize(
    ("markers", "runs"),
    [
        (set(), ["SQLite"]),
        ({"browser"}, ["SQLite"]),
        ({"database_sensitive"}, ["SQLite", "PostgreSQL"]),
        ({"database_sensitive", "postgresql_run"}, ["PostgreSQL"]),
        ({"database_sensitive", "postgres"}, ["PostgreSQL"]),
        ({"database_sensitive", "postgresql_database"}, ["PostgreSQL"]),
        # Would be lost: a browser test in an ON_POSTGRESQL module, a browser test needing PostgreSQL.
        ({"browser", "database_sensitive", "postgresql_run"}, []),
        ({"browser", "database_sensitive", "postgresql_database"}, []),
    ],
)
def test_which_run_selects_a_test(markers, runs):
    assert runs_selecting(markers, EXPRESSIONS) == runs


def fake_item(nodeid, *markers):
    return SimpleNamespace(nodeid=nodeid, iter_markers=lambda: [SimpleNamespace(name=name) for name in markers])


def test_a_test_in_neither_run_is_named():
    items = [fake_item("a.py::kept"), fake_item("b.py::lost", "browser", "database_sensitive", "postgresql_run")]
    assert left_out_of_make_test(items, EXPRESSIONS) == ["b.py::lost"]


def test_collection_stops_when_a_browser_test_would_run_in_neither(tmp_path):
    """The real conftest refuses a browser module listed as PostgreSQL-only (collection only, nothing runs)."""
    code = (
        "import sys, pytest\n"
        "class ListTheHomePageTestAsPostgreSQLOnly:\n"
        "    @pytest.hookimpl(tryfirst=True)\n"
        "    def pytest_collection_modifyitems(self, config, items):\n"
        "        from tests import conftest\n"
        "        conftest.ON_POSTGRESQL += ('tests/browser/test_home.py',)\n"
        "        conftest.DATABASE_SENSITIVE += ('tests/browser/test_home.py',)\n"
        "sys.exit(pytest.main(['--collect-only', '-q', '-p', 'no:cacheprovider', 'tests/browser/test_home.py'],\n"
        "                     plugins=[ListTheHomePageTestAsPostgreSQLOnly()]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert "make test would run none of these tests" in done.stdout + done.stderr
    assert "tests/browser/test_home.py::" in done.stdout + done.stderr
