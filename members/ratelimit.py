"""Fixed-window rate limits kept in Django's cache, which is shared by every
web process (the database cache, or Redis where configured)."""

import datetime as dt
import time
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone


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


def tripped(scope: str, limits: list[Limit], *, period: int, uses: int = 1) -> Limit | None:
    """The first limit that ``uses`` more uses would take past its count in
    this window, or None."""
    keys = {_key(scope, limit.who, period): limit for limit in limits}
    counts = cache.get_many(list(keys))
    for key, limit in keys.items():
        if counts.get(key, 0) + uses > limit.limit:
            return limit
    return None


def uses_left(scope: str, limit: Limit, *, period: int) -> int:
    """How many more uses ``limit`` allows in this window."""
    return max(limit.limit - cache.get(_key(scope, limit.who, period), 0), 0)


def count_use(scope: str, limits: list[Limit], *, period: int, uses: int = 1) -> None:
    for limit in limits:
        key = _key(scope, limit.who, period)
        # add() is a no-op when the window's counter exists already.
        cache.add(key, 0, timeout=period)
        try:
            cache.incr(key, uses)
        except ValueError:  # expired between add() and incr()
            cache.set(key, uses, timeout=period)


def window_ends(period: int) -> dt.datetime:
    """When the current window closes and the counts start again."""
    return dt.datetime.fromtimestamp((_window(period) + 1) * period, tz=dt.UTC).astimezone(
        timezone.get_current_timezone()
    )
