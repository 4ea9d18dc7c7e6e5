"""Fixed-window rate limits that hold across every web process and machine.

A use is taken before the work it pays for, never checked first and counted
after: a burst of requests all pass a check while the count is still low (the
contact form stored six questions out of twenty sent at once against a limit
of five). ``take`` adds the uses to each counter in one atomic step that also
returns the new total; a request whose total passes a limit gives its uses
back and is refused. However many requests arrive at once, from however many
processes, at most ``limit`` of them get through in a window.

Where the counters live:

- With ``REDIS_URL`` set the default cache is Django's RedisCache, whose
  ``incr`` is Redis INCR, atomic on the server.
- Otherwise in the ``RateCount`` table, added to with one
  ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` (PostgreSQL; SQLite 3.35
  or later). The database cache cannot count: its ``incr`` reads, then writes.
"""

import contextlib
import datetime as dt
import time
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from members.models import RateCount

# Counters outlive their window by this much, so one read at the window's last
# moment still finds its count.
_SLACK = 60


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` uses per window by ``who`` ("user:12", "ip:203.0.113.7")."""

    who: str
    limit: int


def client_address(request: HttpRequest) -> str:
    """The visitor's address as allauth sees it, so both limits agree on who is
    who behind the configured number of trusted proxies."""
    return get_adapter(request).get_client_ip(request)


def _window(period: int) -> int:
    return int(time.time() // period)


def _key(scope: str, who: str, period: int) -> str:
    return f"ratelimit:{scope}:{who}:{_window(period)}"


def window_ends(period: int) -> dt.datetime:
    """When the current window closes and the counts start again."""
    return dt.datetime.fromtimestamp((_window(period) + 1) * period, tz=dt.UTC).astimezone(
        timezone.get_current_timezone()
    )


def _redis() -> RedisCache | None:
    cache = caches["default"]
    return cache if isinstance(cache, RedisCache) else None


def _add(key: str, uses: int, *, period: int) -> int:
    """Add ``uses`` to the counter at ``key``; the new total, as counted by
    the one atomic step."""
    if redis := _redis():
        return _add_in_redis(redis, key, uses, period=period)
    return _add_in_table(key, uses, period=period)


def _add_in_redis(redis: RedisCache, key: str, uses: int, *, period: int) -> int:
    for _ in range(3):
        redis.add(key, 0, timeout=period + _SLACK)  # SET NX: a no-op once counting
        try:
            return redis.incr(key, uses)  # INCRBY
        except ValueError:  # expired between add() and incr(): start it again
            continue
    raise RuntimeError(f"The rate-limit counter {key} keeps expiring.")


def _add_in_table(key: str, uses: int, *, period: int) -> int:
    quote = connection.ops.quote_name
    table = quote(RateCount._meta.db_table)
    expires_at = window_ends(period) + dt.timedelta(seconds=_SLACK)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('key')}, {quote('count')}, {quote('expires_at')}) "  # noqa: S608 - names are ours
            "VALUES (%s, %s, %s) "
            f"ON CONFLICT ({quote('key')}) DO UPDATE "
            f"SET {quote('count')} = {table}.{quote('count')} + excluded.{quote('count')} "
            f"RETURNING {quote('count')}",
            [key, uses, connection.ops.adapt_datetimefield_value(expires_at)],
        )
        (total,) = cursor.fetchone()
    if total == uses:
        # The first use of a new window: clear out the windows that have closed.
        RateCount.objects.filter(expires_at__lt=timezone.now()).delete()
    return total


def _give_back(key: str, uses: int) -> None:
    if redis := _redis():
        with contextlib.suppress(ValueError):  # expired already: nothing to give back
            redis.decr(key, uses)
    else:
        RateCount.objects.filter(key=key).update(count=F("count") - uses)


def take(scope: str, limits: list[Limit], *, period: int, uses: int = 1) -> Limit | None:
    """Count ``uses`` against every limit in this window and return None; or,
    when that would take one past its count, count nothing and return it.

    Call it before doing the work, and only once the request is otherwise good
    to go; ``give_back`` the uses if the work then does not happen."""
    taken: list[str] = []
    for limit in limits:
        key = _key(scope, limit.who, period)
        taken.append(key)
        if _add(key, uses, period=period) > limit.limit:
            for counted in taken:
                _give_back(counted, uses)
            return limit
    return None


def give_back(scope: str, limits: list[Limit], *, period: int, uses: int = 1) -> None:
    """Return uses that ``take`` counted for work that did not happen."""
    for limit in limits:
        _give_back(_key(scope, limit.who, period), uses)


def _counts(scope: str, limits: list[Limit], *, period: int) -> dict[Limit, int]:
    keys = {_key(scope, limit.who, period): limit for limit in limits}
    if redis := _redis():
        found = redis.get_many(list(keys))
    else:
        found = dict(
            RateCount.objects.filter(key__in=keys, expires_at__gt=timezone.now()).values_list(
                "key", "count"
            )
        )
    return {limit: found.get(key, 0) for key, limit in keys.items()}


def tripped(scope: str, limits: list[Limit], *, period: int, uses: int = 1) -> Limit | None:
    """The first limit that ``uses`` more would take past its count, as of now.

    Only a look, to refuse early and say why: two requests can both see room
    for one more. ``take`` decides."""
    for limit, count in _counts(scope, limits, period=period).items():
        if count + uses > limit.limit:
            return limit
    return None


def uses_left(scope: str, limit: Limit, *, period: int) -> int:
    """How many more uses ``limit`` allows in this window, as of now."""
    return max(limit.limit - _counts(scope, [limit], period=period)[limit], 0)
