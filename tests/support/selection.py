"""Which of `make test`'s two pytest runs selects a test: the marker expressions are read from the Makefile
(SQLITE_TESTS, POSTGRES_TESTS), so that tests/conftest.py can check at collection that every test runs in at least
one of them (tests/support/test_selection.py checks the check)."""

import functools
import re
from pathlib import Path

from _pytest.mark.expression import Expression

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"
RUN_VARIABLES = {"SQLite": "SQLITE_TESTS", "PostgreSQL": "POSTGRES_TESTS"}
# Left out of the SQLite run by tests/conftest.py itself (what only a PostgreSQL test database does), whatever -m says.
DESELECTED_ON_SQLITE = "postgresql_database"


def make_test_expressions(makefile: Path = MAKEFILE) -> dict[str, str]:
    """{"SQLite": marker expression, "PostgreSQL": marker expression} as make test passes them to `pytest -m`."""
    text = makefile.read_text()
    expressions = {}
    for run, variable in RUN_VARIABLES.items():
        found = re.search(rf"^{variable}\s*:?=\s*(.+?)\s*$", text, re.MULTILINE)
        if not found:
            raise ValueError(f"{makefile} defines no {variable}")
        expressions[run] = found.group(1)
    return expressions


@functools.cache
def compiled(expression: str) -> Expression:
    return Expression.compile(expression)


def runs_selecting(marker_names: set[str], expressions: dict[str, str]) -> list[str]:
    """The runs of make test that run a test with these markers."""

    def matcher(name, /, **kwargs):
        return name in marker_names

    runs = []
    for run, expression in expressions.items():
        if run == "SQLite" and DESELECTED_ON_SQLITE in marker_names:
            continue
        if compiled(expression).evaluate(matcher):
            runs.append(run)
    return runs


def left_out_of_make_test(items, expressions: dict[str, str]) -> list[str]:
    """Node ids of the collected tests that neither run of make test selects."""
    return [
        item.nodeid for item in items if not runs_selecting({mark.name for mark in item.iter_markers()}, expressions)
    ]
