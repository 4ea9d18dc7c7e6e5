"""Drill: a gunicorn worker killed in the middle of a member's log-a-set post.

    python bench/drill_kill.py          # the same with --short: it takes seconds

Makes its own PostgreSQL database (on the server DATABASE_URL names,
127.0.0.1:5432 by default; dropped afterwards) and serves the site under
gunicorn with two workers. A member signs in, starts a session and posts a set
with htmx, three times over, each time held at another point by a lock the
drill takes from its own connection:

1. before the write: the drill holds the workout's row lock, so the post
   waits in ``select_for_update``;
2. in the middle: the drill has inserted, uncommitted, the knob setting the
   post records after the set, so the post waits on that unique key with its
   set written but not committed;
3. while committing: the drill holds the knob's row lock, so the post's
   COMMIT waits on its deferred foreign-key check: the write lands, the answer
   never leaves.

Once PostgreSQL shows the post waiting, the drill finds the gunicorn worker
holding that connection (a child of the master, by its socket) and kills it
with SIGKILL, then lets go of its lock. The member's phone sees the connection
drop, and sends the same post again; the master has started a new worker.

Counts, each round: answers the phone got to the killed post (0); what it
left, all of its write or none (never the set without its knob setting); then
the retry: acknowledged, one row with the count sent, the knob setting beside
it. Exit status 1 if any is not as expected.
"""

import argparse
import os
import pathlib
import shutil
import signal
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.soak import (  # noqa: E402
    DOMAIN,
    Member,
    create_database,
    drop_database,
    prepare,
    shows_logged,
    site_environment,
    stop_server,
)
from bench.web import Site, free_port, serve  # noqa: E402

DRILL_DB = "groundup_kill_drill"


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


def waiting_backend(database: str, timeout: float = 15) -> tuple[int, int]:
    """(backend pid, client port) of the post once it waits on a lock."""
    import psycopg
    from django.conf import settings

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
    from django.db import connection

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() is None:
                return
        time.sleep(0.05)
    raise SystemExit(f"PostgreSQL backend {pid} outlived its worker.")


def wait_for_workers(master: int, count: int, killed: int, timeout: float = 30) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = workers_of(master)
        if len(workers) >= count and killed not in workers:
            return workers
        time.sleep(0.1)
    raise SystemExit("gunicorn's master did not start a new worker.")


def _card(plan, step_id: int):
    """The step's card in the workout's plan; a step not in it stops the drill."""
    card = plan.card(step_id)
    if card is None:
        raise SystemExit(f"Step {step_id} is not in the workout's plan.")
    return card


def knob_to_record(workout_id: int, step_id: int):
    """A knob whose setting the post will insert after its set, or None."""
    from members.logbook.plan import build_plan
    from members.models import Profile, Workout

    workout = Workout.objects.get(pk=workout_id)
    plan = build_plan(workout, profile=Profile.objects.get(user_id=workout.member_id))
    return next(
        (
            state.knob
            for state in _card(plan, step_id).knobs
            if state.has_value and not state.setting
        ),
        None,
    )


def wrote_sets(backend: int) -> bool:
    """The backend holds a write lock on the sets' table: its set is written."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_locks WHERE pid = %s AND mode = 'RowExclusiveLock' "
            "AND relation = 'members_setlog'::regclass",
            [backend],
        )
        return cursor.fetchone() is not None


def rows_for(workout: int, row) -> list[tuple]:
    from members.models import SetLog

    return list(
        SetLog.objects.filter(
            workout_id=workout, step_id=row.step, set_number=row.set_number, side=row.side
        ).values_list("reps", "seconds")
    )


def kill_round(*, name, intended, member, server, workout, row, blocker, database) -> dict:
    """Post ``row`` while ``blocker`` (a context giving the knob it holds, if
    any) holds a lock the post needs; kill the worker serving it; let go; post
    again."""
    from members.models import KnobSetting

    amount = row.prefill
    form = {"step": row.step, "set_number": row.set_number, "side": row.side, row.field: amount}
    path = f"/me/sessions/{workout}/sets/"
    seen = {}

    def post():
        try:
            answer = member.visitor.post(path, form, **{"HX-Request": "true"})
            seen["answer"] = answer.status
        except OSError as error:
            seen["error"] = type(error).__name__

    print(f"\n{name}")
    with blocker() as knob:
        phone = threading.Thread(target=post)
        phone.start()
        backend, port = waiting_backend(database)
        where = position(backend)
        before = workers_of(server.pid)
        victim = worker_with_port(before, port)
        if victim is None:
            raise SystemExit(f"No gunicorn worker holds the connection from port {port}.")
        print(
            f"  the post waits in PostgreSQL (backend {backend}, {where}); killing worker {victim}"
        )
        os.kill(victim, signal.SIGKILL)
        phone.join(timeout=30)
    # The lock is let go: the killed post's backend goes on without its client,
    # and ends (rolling back, unless its COMMIT had arrived).
    backend_gone(backend)
    after = wait_for_workers(server.pid, len(before), victim)
    print(
        f"  the phone got {seen.get('error') or seen.get('answer')}; "
        f"gunicorn started worker {sorted(after - before)}"
    )
    set_left = len(rows_for(workout, row))
    knob_left = KnobSetting.objects.filter(workout_id=workout, knob=knob).count() if knob else None
    left = "nothing" if not set_left else "all of it"
    if knob is not None and bool(set_left) != bool(knob_left):
        left = "HALF"
    print(f"  the killed post left {left}; the same post again…")
    answer = member.visitor.post(path, form, **{"HX-Request": "true"})
    logged = 200 <= answer.status < 300 and shows_logged(answer.text, row, amount)
    stored = rows_for(workout, row)
    expected = amount * 60 if row.field == "minutes" else amount
    print(f"  {answer.status}, {'logged' if logged else 'NOT logged'}")
    result = {
        "where it was killed": where,
        "killed where intended": int(where == intended),
        "answers to the killed post": int("answer" in seen),
        "what the killed post left": left,
        "half-written": int(left == "HALF"),
        "retry acknowledged": int(logged),
        "rows after the retry": len(stored),
        "count as sent": int(len(stored) == 1 and expected in {stored[0][0], stored[0][1]}),
    }
    if knob is not None:
        result["knob settings after the retry"] = KnobSetting.objects.filter(
            workout_id=workout, knob=knob
        ).count()
    return result


def position(backend: int) -> str:
    """Where the post is in its transaction, from PostgreSQL's side."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [backend])
        (query,) = cursor.fetchone()
    if query.strip().upper() == "COMMIT":
        return "committing"
    return "set written" if wrote_sets(backend) else "nothing written"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the same drill (it is short)")
    parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    port = free_port()
    site_environment(create_database(server_url, DRILL_DB), port)
    work = pathlib.Path(tempfile.mkdtemp(prefix="ground-up-drill-"))
    server = None
    try:
        prepare(2)
        server = serve(port=port, workers=2, log=work / "gunicorn.log")
        print(f"gunicorn: master {server.pid}, workers {sorted(workers_of(server.pid))}")
        member = Member(Site(port), 1, seed=1)
        member.sign_in()
        workout, rows = member.open_session()
        results = run_rounds(member, server, workout, rows)
    finally:
        stop_server(server)
        drop_database(server_url, DRILL_DB)
    shutil.rmtree(work)
    return report(results)


def run_rounds(member, server, workout, rows) -> dict:
    import contextlib

    from django.db import connection, transaction

    from members.logbook.plan import build_plan
    from members.models import KnobSetting, Profile, Workout
    from routines.models import Knob

    profile = Profile.objects.get(user__email=f"member1@{DOMAIN}")
    open_rows = [row for row in rows if not row.logged]

    @contextlib.contextmanager
    def workout_locked():
        with transaction.atomic():
            Workout.objects.select_for_update().get(pk=workout)
            yield None
        connection.close()  # a fresh connection for the counts

    first = open_rows[0]
    results = {
        "killed before writing": kill_round(
            name="1. Killed before writing (waiting for the workout's lock)",
            intended="nothing written",
            member=member,
            server=server,
            workout=workout,
            row=first,
            blocker=workout_locked,
            database=DRILL_DB,
        )
    }

    # Sets of exercises with a knob the post records after the set.
    def with_knob(after):
        for row in open_rows[1:]:
            if row.step not in after and knob_to_record(workout, row.step):
                return row
        raise SystemExit("No open set of an exercise with a knob to record.")

    second = with_knob(after=set())

    @contextlib.contextmanager
    def knob_inserted():
        knob = knob_to_record(workout, second.step)
        workout_row = Workout.objects.get(pk=workout)
        state = next(
            s
            for s in _card(build_plan(workout_row, profile=profile), second.step).knobs
            if s.knob == knob
        )

        class Undo(Exception):
            pass

        # Uncommitted: the post's insert of the same (workout, knob) waits for it.
        with contextlib.suppress(Undo), transaction.atomic():
            KnobSetting.objects.create(
                workout=workout_row,
                knob=knob,
                exercise_id=knob.exercise_id,
                value=None if knob.is_levels else state.value,
                level=state.level if knob.is_levels else "",
                unit=knob.unit,
            )
            yield knob
            raise Undo
        connection.close()

    results["killed with the set written"] = kill_round(
        name="2. Killed with the set written, not committed (waiting to record the knob)",
        intended="set written",
        member=member,
        server=server,
        workout=workout,
        row=second,
        blocker=knob_inserted,
        database=DRILL_DB,
    )
    third = with_knob(after={second.step})

    @contextlib.contextmanager
    def knob_locked():
        knob = knob_to_record(workout, third.step)
        # The knob setting's foreign key is checked at COMMIT (Django makes
        # them deferred): the post's COMMIT waits for this lock.
        with transaction.atomic():
            Knob.objects.select_for_update().get(pk=knob.pk)
            yield knob
        connection.close()

    results["killed committing"] = kill_round(
        name="3. Killed while committing (its COMMIT waits on a foreign-key check)",
        intended="committing",
        member=member,
        server=server,
        workout=workout,
        row=third,
        blocker=knob_locked,
        database=DRILL_DB,
    )
    return results


def report(results: dict) -> int:
    """One column per round; a count is 1 where the retry must have done its
    work, 0 where nothing must have happened."""
    must_be_zero = {"answers to the killed post", "half-written"}
    print()
    names = list(dict.fromkeys(name for counts in results.values() for name in counts))
    print(f"{'':30}" + "".join(f"{round_name:>28}" for round_name in results))
    failed = False
    for name in names:
        values = [counts.get(name, "-") for counts in results.values()]
        want = 0 if name in must_be_zero else 1
        failed |= any(isinstance(value, int) and value != want for value in values)
        print(f"{name:30}" + "".join(f"{value!s:>28}" for value in values))
    print("\nOK: each retry stored its set once." if not failed else "\nFAILED.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
