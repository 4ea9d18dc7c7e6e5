"""The compose file, the Dockerfile and the docs agree with what the settings read."""

import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from clubsite import env
from tests.clubsite.test_settings import run_django

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def settings_variables() -> set[str]:
    # The settings read every variable unconditionally at import.
    names = {name for name in env.READ if not name.startswith("GU_TEST_")}
    assert {"SECRET_KEY", "DATABASE_URL", "DEBUG"} <= names
    return names


def test_compose_has_the_database_the_web_app_the_worker_and_the_scheduler(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", "web", "worker", "scheduler"}

    db = services["db"]
    assert db["image"].startswith("postgres:")
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])

    web = services["web"]
    assert re.search(
        r"migrate --noinput.*createcachetable.*gunicorn clubsite.wsgi", web["command"]
    )
    assert "/healthz" in " ".join(web["healthcheck"]["test"])
    assert web["depends_on"]["db"]["condition"] == "service_healthy"

    worker = services["worker"]
    assert "manage.py db_worker" in worker["command"]
    assert worker["depends_on"]["web"]["condition"] == "service_healthy"

    scheduler = services["scheduler"]
    assert re.search(
        r"while true; do python manage.py send_nudges; sleep \d+", scheduler["command"]
    )
    assert scheduler["depends_on"]["web"]["condition"] == "service_healthy"


def test_compose_shares_one_redis_cache_between_the_app_services(compose):
    """More than one web process counts rate limits in the one Redis."""
    services = compose["services"]
    redis = services["redis"]
    assert redis["image"].startswith("redis:")
    assert "redis-cli" in redis["healthcheck"]["test"]
    for name in ["web", "worker", "scheduler"]:
        assert services[name]["environment"]["REDIS_URL"] == "${REDIS_URL:-redis://redis:6379/0}"
    for name in ["web", "worker"]:
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_redis_url_puts_the_cache_in_redis():
    code = (
        "from django.conf import settings as s\n"
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'])"
    )
    result = run_django(code, DEBUG="true", REDIS_URL="redis://redis:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://redis:6379/0",
    ]
    unset = run_django(code.replace(", s.CACHES['default']['LOCATION']", ""), DEBUG="true")
    assert unset.stdout.split() == ["django.core.cache.backends.db.DatabaseCache"]


@pytest.mark.parametrize(
    "url", ["redis//redis:6379", "http://redis:6379/0", "redis://:6379/0", "redis://r:port/0"]
)
def test_a_bad_redis_url_names_the_variable(url):
    result = run_django("", DEBUG="true", REDIS_URL=url)
    assert result.returncode != 0
    assert "ImproperlyConfigured: REDIS_URL" in result.stderr


@pytest.mark.parametrize("service", ["web", "worker", "scheduler"])
def test_compose_gives_each_app_service_every_variable(compose, service):
    provided = set(compose["services"][service]["environment"])
    missing = settings_variables() - provided
    assert not missing, f"{service} lacks {sorted(missing)}"


def test_compose_refuses_to_start_without_the_secrets(compose):
    environment = compose["services"]["web"]["environment"]
    for name in ["SECRET_KEY", "SMTP_HOST"]:
        assert ":?" in environment[name], f"{name} should be required"


def test_every_variable_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.MULTILINE))
    missing = settings_variables() - documented
    assert not missing, f"README's configuration table lacks {sorted(missing)}"


def test_every_variable_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", example, re.MULTILINE))
    missing = settings_variables() - listed
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_dockerfile_builds_a_slim_image_with_static_files_and_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.13-slim", dockerfile, re.MULTILINE)
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert re.search(r"SECRET_KEY=\S+ python manage.py collectstatic --noinput", dockerfile)
    assert '"gunicorn", "clubsite.wsgi:application"' in dockerfile
    assert re.search(r"^USER \w+", dockerfile, re.MULTILINE)


@pytest.mark.django_db
def test_no_migrations_are_pending():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
