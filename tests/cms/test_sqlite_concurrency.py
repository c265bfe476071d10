"""make run's SQLite file serves concurrent writers by queueing them (IMMEDIATE transactions, a busy timeout,
WAL), instead of failing one of them with "database is locked"."""

import threading
import time

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper

from config.settings import env


def test_a_sqlite_file_gets_immediate_transactions_a_busy_timeout_and_wal(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    options = env.env_database("DATABASE_URL")["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"]


def test_in_memory_sqlite_is_left_alone(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite://:memory:")
    assert "transaction_mode" not in env.env_database("DATABASE_URL").get("OPTIONS", {})


def connect(path, options):
    settings = env.env_database("X", f"sqlite:///{path}")
    settings.update({"OPTIONS": options, "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "TIME_ZONE": None, "TEST": {}})
    return DatabaseWrapper(settings, alias=f"sqlite-{id(settings)}")


def two_checkouts(path, options):
    """Two requests each read the stock, then take a unit, at the same moment; returns the second's outcome."""
    first = connect(path, options)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE stock (id INTEGER PRIMARY KEY, quantity INTEGER)")
        cursor.execute("INSERT INTO stock VALUES (1, 10)")
    outcome = {}
    second_has_read = threading.Event()

    def second_request():
        second = connect(path, options)  # a connection belongs to the thread that made it
        try:
            second.ensure_connection()
            # What transaction.atomic() does on SQLite: BEGIN, or BEGIN IMMEDIATE with transaction_mode.
            second._start_transaction_under_autocommit()
            with second.cursor() as cursor:
                cursor.execute("SELECT quantity FROM stock WHERE id = 1")
                second_has_read.set()
                cursor.execute("UPDATE stock SET quantity = quantity - 1 WHERE id = 1 AND quantity >= 1")
            second.connection.commit()
            outcome["ok"] = True
        except Exception as exc:  # "database is locked": what the configuration prevents
            outcome["error"] = str(exc)
        finally:
            second_has_read.set()
            second.close()

    first._start_transaction_under_autocommit()
    with first.cursor() as cursor:
        cursor.execute("SELECT quantity FROM stock WHERE id = 1")
        cursor.execute("UPDATE stock SET quantity = quantity - 1 WHERE id = 1 AND quantity >= 1")
        thread = threading.Thread(target=second_request)
        thread.start()
        second_has_read.wait(timeout=1)
        time.sleep(0.3)
        first.connection.commit()
    thread.join(timeout=30)
    with first.cursor() as cursor:
        cursor.execute("SELECT quantity FROM stock WHERE id = 1")
        outcome["quantity"] = cursor.fetchone()[0]
    first.close()
    return outcome


def test_two_checkouts_at_once_queue_instead_of_failing(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        outcome = two_checkouts(tmp_path / "db.sqlite3", env.SQLITE_FILE_OPTIONS)
    assert outcome == {"ok": True, "quantity": 8}


def test_without_immediate_transactions_the_second_checkout_fails(tmp_path, django_db_blocker):
    # The control: the same requests with SQLite's default (deferred) transactions.
    options = {key: value for key, value in env.SQLITE_FILE_OPTIONS.items() if key != "transaction_mode"}
    with django_db_blocker.unblock():
        outcome = two_checkouts(tmp_path / "db.sqlite3", options)
    assert "locked" in outcome.get("error", "") and outcome["quantity"] == 9


pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
