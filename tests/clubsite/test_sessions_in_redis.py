"""Where REDIS_URL is set, sessions are read from Redis and written to the
database too (``cached_db``): a signed-in page saves the session's query, and
a Redis that restarts empty signs no one out.

Redis is the one in tests/redis_cache.py."""

import pytest
import redis
from django.test import Client

from tests.factories import PASSWORD, put_on_block
from tests.redis_cache import REDIS_URL, redis_cache

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sessions_in_redis():
    """The keys the test's sessions have in Redis, as a function."""
    engine = "django.contrib.sessions.backends.cached_db"
    with redis_cache(SESSION_ENGINE=engine) as (_, server, prefix):
        yield lambda: list(server.scan_iter(match=f"{prefix}:*"))


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
