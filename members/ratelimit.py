"""Fixed-window rate limits kept in Django's cache, which is shared by every
web process (the database cache, or Redis where configured)."""

import time

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The visitor's address as allauth sees it, so both limits agree on who is
    who behind the configured number of trusted proxies."""
    return get_adapter(request).get_client_ip(request)


def _key(scope: str, who: str, period: int) -> str:
    return f"ratelimit:{scope}:{who}:{int(time.time() // period)}"


def over_limit(scope: str, whos: list[str], *, limit: int, period: int) -> bool:
    """Whether any of ``whos`` (a user, an address) has used up this window."""
    counts = cache.get_many([_key(scope, who, period) for who in whos])
    return any(count >= limit for count in counts.values())


def count_use(scope: str, whos: list[str], *, period: int) -> None:
    for who in whos:
        key = _key(scope, who, period)
        # add() is a no-op when the window's counter exists already.
        cache.add(key, 0, timeout=period)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=period)
