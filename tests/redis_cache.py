"""The Redis at 127.0.0.1:6379 (database 15) as the site's shared cache, under
a key prefix of the test's own, as where REDIS_URL is set. Outside CI a test
that needs it is skipped when it does not answer; CI starts one (.ci/run)."""

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from django.test import override_settings

REDIS_URL = "redis://127.0.0.1:6379/15"


@contextlib.contextmanager
def redis_cache(**more_settings) -> Iterator[tuple[dict, redis.Redis, str]]:
    """The CACHES setting in force (the site's, its default in Redis), the
    server and the prefix; the prefix's keys are deleted afterwards."""
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
    try:
        with override_settings(CACHES=caches, **more_settings):
            yield caches, server, prefix
    finally:
        for key in server.scan_iter(match=f"{prefix}:*"):
            server.delete(key)
