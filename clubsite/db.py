"""How pooled PostgreSQL connections are checked (``clubsite.env.database``)."""

import psycopg
from psycopg_pool import ConnectionPool


def check_pooled_connection(connection: psycopg.Connection) -> None:
    """The pool's own check before a connection is handed out; when it fails,
    every idle connection is checked at once. A database restart cuts them
    all, and one at a time the pool would find the next one dead only after
    a second's backoff, past the 2 s a request waits."""
    try:
        ConnectionPool.check_connection(connection)
    except psycopg.Error:
        # The pool sets _pool on each connection it hands out.
        if (pool := getattr(connection, "_pool", None)) is not None:
            pool.check()
        raise
