"""Run queued tasks the way production does: the django-tasks-db worker over
the database backend. Tests using it need ``django_db(transaction=True)``,
because the worker commits and checks its connections like a real process."""

import pytest
from django_tasks_db.management.commands.db_worker import Worker


def run_worker() -> None:
    """Process every task that is due now, then return."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


@pytest.fixture
def database_tasks(settings):
    """Tasks are queued in the database and wait for ``run_worker()``."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
