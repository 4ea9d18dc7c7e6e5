"""Where a post waits in PostgreSQL, and which gunicorn worker serves it:
read from pg_stat_activity and pg_locks, and from /proc."""

import os
import pathlib
import time

import psycopg
from django.conf import settings
from django.db import connection


def workers_of(master: int) -> set[int]:
    children = pathlib.Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        return {int(pid) for pid in children.read_text().split()}
    found = set()
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.add(int(stat.parent.name))
    return found


def worker_with_port(workers: set[int], port: int) -> int | None:
    """The worker whose TCP socket has local port ``port`` (its connection to
    PostgreSQL, as pg_stat_activity's client_port shows it)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in pathlib.Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    for pid in workers:
        try:
            links = [os.readlink(fd) for fd in pathlib.Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        if any(link in {f"socket:[{inode}]" for inode in inodes} for link in links):
            return pid
    return None


def wait_for_workers(master: int, count: int, killed: int, timeout: float = 30) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = workers_of(master)
        if len(workers) >= count and killed not in workers:
            return workers
        time.sleep(0.1)
    raise SystemExit("gunicorn's master did not start a new worker.")


def waiting_backend(database: str, timeout: float = 15) -> tuple[int, int]:
    """(backend pid, client port) of the post once it waits on a lock."""
    db = settings.DATABASES["default"]
    deadline = time.monotonic() + timeout
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    ) as watcher:
        while time.monotonic() < deadline:
            row = watcher.execute(
                "SELECT pid, client_port FROM pg_stat_activity "
                "WHERE datname = %s AND wait_event_type = 'Lock'",
                [database],
            ).fetchone()
            if row:
                return row
            time.sleep(0.05)
    raise SystemExit("The post never waited for the drill's lock.")


def backend_gone(pid: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() is None:
                return
        time.sleep(0.05)
    raise SystemExit(f"PostgreSQL backend {pid} outlived its worker.")


def wrote_sets(backend: int) -> bool:
    """The backend holds a write lock on the sets' table: its set is written."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_locks WHERE pid = %s AND mode = 'RowExclusiveLock' "
            "AND relation = 'members_setlog'::regclass",
            [backend],
        )
        return cursor.fetchone() is not None


def position(backend: int) -> str:
    """Where the post is in its transaction, from PostgreSQL's side."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [backend])
        (query,) = cursor.fetchone()
    if query.strip().upper() == "COMMIT":
        return "committing"
    return "set written" if wrote_sets(backend) else "nothing written"
