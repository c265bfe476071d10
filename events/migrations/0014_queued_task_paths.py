"""Queued background jobs follow the visitor-mail task to its new module.

django-tasks' database backend (django_tasks_db, settings.TASKS) stores each queued job's dotted task path and
imports it when a worker picks the job up. The task moved twice (events.tasks → events.notifications, then
events.registration.notifications when events was grouped into sub-packages), so a job queued by the code
before a deploy would not be found after it. Jobs still waiting (READY) are pointed at the new path; running
and finished ones keep the path they ran under.
"""

from django.db import migrations

NEW_PATH = "events.registration.notifications.send_registration_mail_task"
OLD_PATHS = (
    "events.tasks.send_registration_mail_task",
    "events.notifications.send_registration_mail_task",
)
READY = "READY"


def point_queued_jobs_at_new_paths(apps, schema_editor):
    task_results = apps.get_model("django_tasks_database", "DBTaskResult")
    task_results.objects.filter(status=READY, task_path__in=OLD_PATHS).update(task_path=NEW_PATH)


def point_queued_jobs_at_old_paths(apps, schema_editor):
    """Back to the module the code before the sub-packages has (events.notifications)."""
    task_results = apps.get_model("django_tasks_database", "DBTaskResult")
    task_results.objects.filter(status=READY, task_path=NEW_PATH).update(task_path=OLD_PATHS[-1])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0013_orders_in_checkout_app"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(point_queued_jobs_at_new_paths, point_queued_jobs_at_old_paths)]
