"""Where REDIS_URL is set, sessions are read from Redis and written to the
database too (``cached_db``): a signed-in page saves the session's query, and
a Redis that restarts empty signs no one out.

Redis is the one at 127.0.0.1:6379 (database 15, a key prefix of the test's
own), as in test_rate_limits_at_once."""

import os
import uuid

import pytest
import redis
from django.conf import settings
from django.test import Client, override_settings

from tests.clubsite.test_rate_limits_at_once import REDIS_URL
from tests.factories import PASSWORD, put_on_block

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sessions_in_redis():
    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis does not answer at {REDIS_URL}: start redis-server to test it")
    prefix = f"groundup-test-{uuid.uuid4().hex}"
    caches = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        },
    }
    with override_settings(
        CACHES=caches, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"
    ):
        yield lambda: list(server.scan_iter(match=f"{prefix}:*"))
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)


def test_the_settings_read_sessions_from_redis_where_it_is_set():
    from tests.test_deployment import run_django

    code = "from django.conf import settings as s\nprint(s.SESSION_ENGINE)"
    with_redis = run_django(code, DEBUG="true", REDIS_URL="redis://redis:6379/0")
    assert with_redis.stdout.split() == ["django.contrib.sessions.backends.cached_db"]
    without = run_django(code, DEBUG="true")
    assert without.stdout.split() == ["django.contrib.sessions.backends.db"]


def test_a_signed_in_page_reads_its_session_from_redis_and_survives_a_restart(
    sessions_in_redis, member, trainer, django_assert_num_queries
):
    put_on_block(member, trainer=trainer, start_date=member.date_joined.date())
    phone = Client()
    signed_in = phone.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert any(b"django.contrib.sessions.cached_db" in key for key in sessions_in_redis())
    phone.get("/me/")  # with the message "Successfully signed in"
    phone.get("/me/")  # kept from now on
    # The user and the page's stamps: the session came from Redis.
    with django_assert_num_queries(2):
        assert phone.get("/me/").status_code == 200
    # Redis restarts empty: the session is read from the database again.
    redis.Redis.from_url(REDIS_URL).delete(*sessions_in_redis())
    assert phone.get("/me/").status_code == 200
    assert member.display_name in phone.get("/me/").text
