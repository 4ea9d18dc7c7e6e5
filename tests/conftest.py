import contextlib
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.backends.postgresql.operations import DatabaseOperations
from django.test import override_settings

from tests.factories import PASSWORD, TrainerFactory, UserFactory

CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
NO_CHROMIUM = "no Chromium: apt-get install -y chromium"


def pytest_report_header(config):
    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''}"


@pytest.fixture(autouse=True, scope="session")
def _test_only_settings(tmp_path_factory):
    """Plain static storage (the manifest exists only after collectstatic), a
    fast password hasher (the machine has two cores), tasks run in process, and
    uploads (the demo's trainer photo among them) kept out of the work tree."""
    with override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # Tasks run where they are enqueued (after commit), so a test sees their email.
        TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
    ):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file (one per xdist worker), not
    memory. The live server answers each request on a thread of its own, and
    an in-memory database is one connection that Django hands to every one of
    them; SQLite refuses two threads on one connection at once ("bad
    parameter or other API misuse"), which happens as soon as the service
    worker fetches pages to keep while the member taps. A file gives each
    thread its own connection, as `make run` has."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = tmp_path_factory.getbasetemp() / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(autouse=True, scope="session")
def _flush_by_delete_on_postgresql():
    """After each ``transaction=True`` test (every browser test among them)
    the test database is emptied. Django does it on PostgreSQL with one
    ``TRUNCATE`` of every table, which makes new files for each table and
    index and waits for every lock on them: 0.3 s to seconds a test, for
    tables that hold a few rows. ``DELETE FROM`` each table empties them as
    well in milliseconds; the foreign keys are deferred, so the order does
    not matter inside the flush's transaction. Sequences are not reset by
    either (``reset_sequences`` falls back to Django's own)."""
    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture
def clear_cache():
    """Rate-limit counters live in the database cache, which a flush does not empty."""
    cache.clear()
    yield
    cache.clear()


@contextlib.contextmanager
def kept_for_many_tests(django_db_blocker):
    """Rows made inside stay for the tests that run inside, and are rolled back
    at the end: Django's ``setUpTestData`` for a module- or package-scoped
    fixture. Each test runs in its own savepoint (pytest-django's ``db``), so
    what one test changes is undone before the next. For worlds many tests
    only ask questions of; make rows inside ``django_db_blocker.unblock()``."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# Personas shared by every test. A world built once for many tests (see
# tests/clubsite/authorization/conftest.py) makes the same people.
PERSONAS = {
    "member": (UserFactory, "alex@example.com", "Alex Rivera"),
    "second_member": (UserFactory, "jordan@example.com", "Jordan Lee"),
    "trainer": (TrainerFactory, "makana@example.com", "Makana"),
    "other_trainer": (TrainerFactory, "kai@example.com", "Kai"),
}


def make_persona(name: str):
    factory, email, display_name = PERSONAS[name]
    return factory(email=email, display_name=display_name)


@pytest.fixture
def member(db):
    return make_persona("member")


@pytest.fixture
def second_member(db):
    return make_persona("second_member")


@pytest.fixture
def trainer(db):
    return make_persona("trainer")


@pytest.fixture
def other_trainer(db):
    return make_persona("other_trainer")


@pytest.fixture
def superuser(db):
    from members.models import User

    return User.objects.create_superuser("owner@example.com", PASSWORD, display_name="Owner")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


# Browser tests: the system Chromium, never a downloaded one.


def find_chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # Counted from the reports, not at collection: under pytest-xdist the
    # workers collect, and only the reports come back to this process.
    skipped = sum(
        1
        for report in terminalreporter.stats.get("skipped", [])
        if NO_CHROMIUM in str(getattr(report, "longrepr", ""))
    )
    if skipped:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(
            f"{skipped} browser tests did not run: no Chromium at /usr/bin/chromium.\n"
            "Install Debian's Chromium with `sudo apt-get install -y chromium` and run "
            "`make test` again. CI always runs them.",
            red=True,
        )
