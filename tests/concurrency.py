"""Identical posts at once: what a double tap, a retried request or two tabs
do to a view that creates rows.

Threads, each with its own client and its own database connection, wait at a
barrier and post together, so their transactions overlap on a real
PostgreSQL server. SQLite takes one writer at a time and cannot show a race:
tests using this skip there (``needs_postgresql``).

Use with ``@pytest.mark.django_db(transaction=True)``: each thread's
connection sees only committed rows, as gunicorn's workers do."""

import threading
from collections.abc import Callable, Iterable

import pytest
from django.db import connection, connections
from django.http import HttpResponse
from django.test import Client

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="races need concurrent transactions: set DATABASE_URL to a PostgreSQL database",
)


def signed_in_client(user) -> Client:
    """A client that answers a server error with the 500 page, as production
    does, instead of raising it into the test."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def at_once(calls: Iterable[Callable[[], HttpResponse]]) -> list[HttpResponse]:
    """Run each call in its own thread, all released together; the answers in
    the order given. An exception in a thread is raised here."""
    calls = list(calls)
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, call: Callable[[], HttpResponse]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as error:
            results[index] = error
        finally:
            # Each thread opened its own connection: close it, or the test
            # database cannot be flushed or dropped.
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def post_at_once(
    url: str,
    data: dict | None = None,
    *,
    user=None,
    n: int = 10,
    client_factory: Callable[[], Client] | None = None,
    **extra,
) -> list[HttpResponse]:
    """``n`` identical posts to ``url`` at the same moment, each from its own
    client (signed in as ``user``, or made by ``client_factory``); returns
    the responses. ``extra`` goes to ``Client.post`` (headers, follow)."""
    factory = client_factory or (lambda: signed_in_client(user))
    clients = [factory() for _ in range(n)]
    return at_once(
        lambda client=client: client.post(url, data or {}, **extra) for client in clients
    )


def server_errors(responses: list[HttpResponse]) -> list[int]:
    """The status codes of the answers that were server errors."""
    return [response.status_code for response in responses if response.status_code >= 500]
