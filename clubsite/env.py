"""Typed readers for the environment variables that configure Ground Up.

Every reader records the variable's name in ``READ``, so a test can check that
each one is documented in the README, ``.env.example`` and the compose file.
A malformed value raises ``ImproperlyConfigured`` naming the variable.
"""

import datetime as dt
import os
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from clubsite.db import check_pooled_connection

READ: set[str] = set()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    READ.add(name)
    return os.environ.get(name)


def string(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def boolean(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def choice(name: str, default: str, *, choices: set[str]) -> str:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name} must be one of {allowed}, not {value!r}.")
    return value


def integer(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def clock_time(name: str, default: str) -> dt.time:
    """A time of day on the 24-hour clock, ``HH:MM``."""
    value = _raw(name)
    if value is None or value.strip() == "":
        value = default
    try:
        parsed = dt.datetime.strptime(value.strip(), "%H:%M").time()
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a time of day as HH:MM (07:00), not {value!r}."
        ) from None
    return parsed


def string_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list; blanks between commas are dropped."""
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def redis_url(name: str) -> str:
    """A Redis server's URL (``redis://``, ``rediss://`` with TLS, or
    ``unix://``), or "" when unset."""
    value = (_raw(name) or "").strip()
    if not value:
        return ""
    try:
        url = urlsplit(value)
        url.port  # noqa: B018 - parsing it raises on a bad port
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not a valid URL: {error}.") from None
    if url.scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"{name} must start with redis://, rediss:// or unix://, not {url.scheme or value!r}."
        )
    if url.scheme != "unix" and not url.hostname:
        raise ImproperlyConfigured(f"{name} must name a host, as in redis://redis:6379/0.")
    return value


def database(name: str, *, default_sqlite_path: str) -> dict:
    """A Django DATABASES entry from a URL.

    ``sqlite:///relative/or/absolute/path`` or
    ``postgres://user:password@host:port/dbname`` (``postgresql://`` too).
    PostgreSQL gets Django's connection pool, which requires CONN_MAX_AGE = 0,
    set up to ride out a database restart (``make drills`` restarts one):

    - each connection is checked before it is handed out, and when one is
      dead every idle one is checked at once (``clubsite.db``), so those the
      restart cut are replaced instead of failing the requests that drew them;
    - a process keeps 4 connections and opens up to 8;
    - a request waits at most 2 s for a connection: a longer wait means the
      database cannot be reached, and the member gets the "try again" page in
      seconds, not after gunicorn's 30 s worker timeout;
    - a lost connection is retried for 5 s in the background, then on demand:
      the pool's backoff would otherwise wait minutes after a long outage
      before trying again.
    """
    value = _raw(name)
    if not value:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": default_sqlite_path}
    try:
        url = urlsplit(value)
        port = url.port
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not a valid URL: {error}.") from None
    options = dict(parse_qsl(url.query))
    if url.scheme == "sqlite":
        path = unquote(url.path.removeprefix("/")) or default_sqlite_path
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    if url.scheme in {"postgres", "postgresql"}:
        dbname = unquote(url.path.removeprefix("/"))
        if not dbname or not url.hostname:
            raise ImproperlyConfigured(
                f"{name} must name a host and a database, as in "
                "postgres://user:password@host:5432/dbname."
            )
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": dbname,
            "USER": unquote(url.username or ""),
            "PASSWORD": unquote(url.password or ""),
            "HOST": url.hostname,
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 0,
            "OPTIONS": {
                "pool": {
                    "check": check_pooled_connection,
                    "timeout": 2,
                    "reconnect_timeout": 5,
                    # psycopg's default is min_size (4): threads that share
                    # a process (the tests' posts at once) may open a few more.
                    "max_size": 8,
                },
                **options,
            },
        }
    raise ImproperlyConfigured(
        f"{name} must start with sqlite:// or postgres://, not {url.scheme or value!r}."
    )
