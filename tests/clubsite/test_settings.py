"""Settings are read from the environment and fail loudly, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from clubsite import env

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-0123456789abcdef",
    "ALLOWED_HOSTS": "club.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://club.example.com",
    "SMTP_HOST": "smtp.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "BEHIND_TLS_PROXY": "true",
}


def run_django(code: str, **variables: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter whose environment holds only ``variables``
    (plus PATH), so the module-level settings are read anew."""
    environment = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "clubsite.settings"}
    environment.update(variables)
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_without_debug_names_the_variable():
    result = run_django("", ALLOWED_HOSTS="club.example.com")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_runs_without_a_secret_key():
    result = run_django("from django.conf import settings; print(settings.DEBUG)", DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(
    "url",
    ["mysql://root@localhost/club", "postgres://", "postgres://host:notaport/db", "nonsense"],
)
def test_bad_database_url_names_the_variable(url):
    result = run_django("", DEBUG="true", DATABASE_URL=url)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL" in result.stderr


def test_bad_boolean_names_the_variable():
    result = run_django("", DEBUG="perhaps")
    assert "ImproperlyConfigured: DEBUG must be true or false, not 'perhaps'" in result.stderr


def test_production_settings_are_secure():
    code = (
        "from django.conf import settings as s\n"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.MAILERS['default']['BACKEND'],"
        " s.CACHES['default']['BACKEND'], s.TASKS['default']['BACKEND'])"
    )
    result = run_django(code, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "31536000",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "django.core.mail.backends.smtp.EmailBackend",
        "django.core.cache.backends.db.DatabaseCache",
        "django_tasks_db.DatabaseBackend",
    ]


def test_development_prints_email_to_the_console():
    code = "from django.conf import settings as s; print(s.MAILERS['default']['BACKEND'])"
    result = run_django(code, DEBUG="true")
    assert result.stdout.strip() == "django.core.mail.backends.console.EmailBackend"


def test_production_settings_pass_check_deploy():
    environment = {"PATH": os.environ["PATH"], **PRODUCTION_ENV}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_refuses_the_console_mailer():
    environment = {"PATH": os.environ["PATH"], **PRODUCTION_ENV, "SMTP_HOST": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "mail.E001" in result.stderr


class TestDatabaseUrl:
    def test_unset_is_sqlite(self, monkeypatch):
        monkeypatch.delenv("GU_TEST_DB", raising=False)
        config = env.database("GU_TEST_DB", default_sqlite_path="/srv/club/x.sqlite3")
        assert config == {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/club/x.sqlite3"}

    def test_postgres_uses_the_pool(self, monkeypatch):
        monkeypatch.setenv("GU_TEST_DB", "postgres://club:s%40cret@db.internal:6543/groundup")
        config = env.database("GU_TEST_DB", default_sqlite_path="unused")
        assert config["ENGINE"] == "django.db.backends.postgresql"
        assert (config["NAME"], config["USER"], config["PASSWORD"]) == (
            "groundup",
            "club",
            "s@cret",
        )
        assert (config["HOST"], config["PORT"]) == ("db.internal", "6543")
        assert config["OPTIONS"]["pool"]
        assert config["CONN_MAX_AGE"] == 0

    def test_sqlite_url(self, monkeypatch):
        monkeypatch.setenv("GU_TEST_DB", "sqlite:////var/lib/club/db.sqlite3")
        config = env.database("GU_TEST_DB", default_sqlite_path="unused")
        assert config["NAME"] == "/var/lib/club/db.sqlite3"

    def test_reading_records_the_name(self, monkeypatch):
        monkeypatch.setenv("GU_TEST_DB", "sqlite:///x")
        env.database("GU_TEST_DB", default_sqlite_path="unused")
        assert "GU_TEST_DB" in env.READ
        env.READ.discard("GU_TEST_DB")


def test_integer_names_the_variable(monkeypatch):
    monkeypatch.setenv("GU_TEST_PORT", "five")
    with pytest.raises(ImproperlyConfigured, match="GU_TEST_PORT must be a whole number"):
        env.integer("GU_TEST_PORT", 1)
    env.READ.discard("GU_TEST_PORT")
