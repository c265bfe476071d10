"""Jobs queued (django_tasks_db) under the visitor-mail task's old dotted paths are found after the deploy that
grouped events into sub-packages: events 0014 points the waiting ones at the new path, and only those."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

migration = importlib.import_module("events.migrations.0014_queued_task_paths")

pytestmark = pytest.mark.django_db


def job(path, status="READY"):
    return DBTaskResult.objects.create(
        task_path=path,
        status=status,
        args_kwargs={"args": [1, "confirmed"], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )


def test_the_new_path_names_the_task():
    assert isinstance(import_string(migration.NEW_PATH), Task)
    for old in migration.OLD_PATHS:
        with pytest.raises(ImportError):
            import_string(old)


def test_waiting_jobs_under_an_old_path_are_rewritten_and_finished_ones_kept():
    waiting = [job(path) for path in migration.OLD_PATHS]
    finished = job(migration.OLD_PATHS[-1], status="SUCCESSFUL")
    failed = job(migration.OLD_PATHS[0], status="FAILED")
    running = job(migration.OLD_PATHS[-1], status="RUNNING")
    other = job("events.tasks.send_registration_reminders_task")

    migration.point_queued_jobs_at_new_paths(apps, None)

    for row in waiting:
        row.refresh_from_db()
        assert row.task_path == migration.NEW_PATH
        assert isinstance(import_string(row.task_path), Task)  # what a worker imports
    for row, path in (
        (finished, migration.OLD_PATHS[-1]),
        (failed, migration.OLD_PATHS[0]),
        (running, migration.OLD_PATHS[-1]),
    ):
        row.refresh_from_db()
        assert row.task_path == path
    other.refresh_from_db()
    assert other.task_path == "events.tasks.send_registration_reminders_task"


def test_migrating_back_points_waiting_jobs_at_the_previous_module():
    waiting = job(migration.NEW_PATH)
    done = job(migration.NEW_PATH, status="SUCCESSFUL")

    migration.point_queued_jobs_at_old_paths(apps, None)

    waiting.refresh_from_db()
    done.refresh_from_db()
    assert waiting.task_path == "events.notifications.send_registration_mail_task"
    assert done.task_path == migration.NEW_PATH
