"""The kill drill's rounds: a member's log-a-set post held at one point of its
transaction by a lock the drill takes, the gunicorn worker serving it killed,
then the same post again. Imported once Django is set up (it reads and locks
rows through the models)."""

import contextlib
import os
import signal
import threading

from django.db import connection, transaction

from bench.kill_watch import (
    backend_gone,
    position,
    wait_for_workers,
    waiting_backend,
    worker_with_port,
    workers_of,
)
from bench.phone import shows_logged
from bench.support import DOMAIN
from members.logbook.plan import build_plan
from members.models import KnobSetting, Profile, SetLog, Workout
from routines.models import Knob

ROUNDS = [
    (
        "killed before writing",
        "1. Killed before writing (waiting for the workout's lock)",
        "nothing written",
    ),
    (
        "killed with the set written",
        "2. Killed with the set written, not committed (waiting to record the knob)",
        "set written",
    ),
    (
        "killed committing",
        "3. Killed while committing (its COMMIT waits on a foreign-key check)",
        "committing",
    ),
]


def knob_to_record(workout_id: int, step_id: int):
    """A knob whose setting the post will insert after its set, or None."""
    workout = Workout.objects.get(pk=workout_id)
    card = build_plan(
        workout, weaker_side=Profile.objects.get(user_id=workout.member_id).weaker_side
    ).card(step_id)
    assert card is not None, f"step {step_id} is not in workout {workout_id}"
    return next(
        (state.knob for state in card.knobs if state.has_value and not state.setting),
        None,
    )


def rows_for(workout: int, row) -> list[tuple]:
    return list(
        SetLog.objects.filter(
            workout_id=workout, step_id=row.step, set_number=row.set_number, side=row.side
        ).values_list("reps", "seconds")
    )


class Rounds:
    """The three rounds, each on an open set of the member's session: the first
    on any, the other two on exercises with a knob the post records after the
    set (a different exercise each)."""

    def __init__(self, *, member, server, workout: int, rows, database: str):
        self.member, self.server, self.workout, self.database = member, server, workout, database
        self.profile = Profile.objects.get(user__email=f"member1@{DOMAIN}")
        self.open_rows = [row for row in rows if not row.logged]
        self.knob_steps: set[int] = set()

    def run(self) -> dict:
        blockers = [self.workout_locked, self.knob_inserted, self.knob_locked]
        results = {}
        for (key, name, intended), blocker in zip(ROUNDS, blockers, strict=True):
            row = self.open_rows[0] if blocker == self.workout_locked else self.with_knob()
            results[key] = self.kill(name, intended, row, blocker)
        return results

    def with_knob(self):
        """An open set of an exercise with a knob the post records after the
        set, not one of an earlier round's."""
        for row in self.open_rows[1:]:
            if row.step not in self.knob_steps and knob_to_record(self.workout, row.step):
                self.knob_steps.add(row.step)
                return row
        raise SystemExit("No open set of an exercise with a knob to record.")

    # What holds the post, each a context giving the knob it holds, if any.

    @contextlib.contextmanager
    def workout_locked(self, row):
        with transaction.atomic():
            Workout.objects.select_for_update().get(pk=self.workout)
            yield None
        connection.close()  # a fresh connection for the counts

    @contextlib.contextmanager
    def knob_inserted(self, row):
        knob = knob_to_record(self.workout, row.step)
        workout_row = Workout.objects.get(pk=self.workout)
        card = build_plan(workout_row, weaker_side=self.profile.weaker_side).card(row.step)
        assert card is not None, f"step {row.step} is not in workout {self.workout}"
        state = next(s for s in card.knobs if s.knob == knob)

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

    @contextlib.contextmanager
    def knob_locked(self, row):
        knob = knob_to_record(self.workout, row.step)
        # The knob setting's foreign key is checked at COMMIT (Django makes
        # them deferred): the post's COMMIT waits for this lock.
        with transaction.atomic():
            Knob.objects.select_for_update().get(pk=knob.pk)
            yield knob
        connection.close()

    def kill(self, name: str, intended: str, row, blocker) -> dict:
        """Post ``row`` while ``blocker`` holds a lock the post needs; kill the
        worker serving it; let go; post again."""
        member, server, workout = self.member, self.server, self.workout
        amount = row.prefill
        form = {"step": row.step, "set_number": row.set_number, "side": row.side}
        form[row.field] = amount
        path = f"/me/sessions/{workout}/sets/"
        seen = {}

        def post():
            try:
                answer = member.visitor.post(path, form, **{"HX-Request": "true"})
                seen["answer"] = answer.status
            except OSError as error:
                seen["error"] = type(error).__name__

        print(f"\n{name}")
        with blocker(row) as knob:
            phone = threading.Thread(target=post)
            phone.start()
            backend, port = waiting_backend(self.database)
            where = position(backend)
            before = workers_of(server.pid)
            victim = worker_with_port(before, port)
            if victim is None:
                raise SystemExit(f"No gunicorn worker holds the connection from port {port}.")
            print(
                f"  the post waits in PostgreSQL (backend {backend}, {where}); "
                f"killing worker {victim}"
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
        knob_settings = KnobSetting.objects.filter(workout_id=workout, knob=knob)
        set_left = len(rows_for(workout, row))
        knob_left = knob_settings.count() if knob else None
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
            result["knob settings after the retry"] = knob_settings.count()
        return result
