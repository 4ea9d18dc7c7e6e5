"""Hostile input on logging sets in the member's session logger: log and undo a
set, log all of an exercise, and turn a knob. See ``tests.clubsite.hostile``
for the check every answer passes."""

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from members.models import KnobSetting, SetLog
from routines.models import Knob
from tests.clubsite.hostile import Ref, Sent
from tests.clubsite.hostile_posts import (
    FUZZ,
    LOGGER_STATUSES,
    form,
    ints,
    sent,
    step_ids,
    steps,
)

pytestmark = pytest.mark.django_db


sides = st.sampled_from(["left", "right", "both"])


set_slot = {"step": steps, "set_number": ints(1, 4), "side": sides}
# The sets of today's session, as its page posts them.
SLOTS = [
    *[(Ref("reps_step"), n, "both") for n in (1, 2)],
    *[(Ref("levels_step"), n, "both") for n in (1, 2)],
    *[(Ref("per_side_step"), n, side) for n in (1, 2) for side in ("left", "right")],
]
slots = st.sampled_from(SLOTS).map(
    lambda slot: {"step": slot[0], "set_number": str(slot[1]), "side": slot[2]}
)


@FUZZ
@given(
    data=st.one_of(
        form(
            like=st.builds(lambda slot, reps: {**slot, "reps": reps}, slots, ints(0, 40)),
            **set_slot,
            reps=ints(0, 40),
        ),
        form(
            like=st.builds(
                lambda minutes: {
                    "step": Ref("timed_step"),
                    "set_number": "1",
                    "side": "both",
                    "minutes": minutes,
                    "edit": "1",
                },
                ints(1, 20),
            ),
            **set_slot,
            minutes=ints(1, 20),
            edit=st.just("1"),
        ),
    ),
    sent=sent,
)
# A number to Python, not a count of reps.
@example(
    data={"step": Ref("reps_step"), "set_number": "2", "side": "both", "reps": "1e400"},
    sent=Sent(htmx=True, form_encoded=True),
)
# Django's integer field reads "0." as 0: the count stored is that number.
@example(
    data={"step": Ref("reps_step"), "set_number": "1", "side": "both", "reps": "0."},
    sent=Sent(htmx=False, form_encoded=False),
)
def test_logging_a_set(world, data, sent):
    with world.attempt("member", sent) as attempt:
        attempt.post(world.url("members:log_set", pk=Ref("workout")), data)
        attempt.check(may_change={SetLog, KnobSetting}, statuses=LOGGER_STATUSES)
        logs = attempt.written(SetLog)
        assert len(logs) <= 1
        for log in logs:
            assert log.workout_id == world.refs["workout"]
            if log.seconds is not None:
                assert log.reps is None and log.seconds == 60 * int(attempt.value("minutes"))
            else:
                assert log.reps == attempt.number("reps")


@FUZZ
@given(data=form(like=slots, **set_slot), sent=sent)
@example(
    data={"step": Ref("reps_step"), "set_number": "1", "side": "both"},
    sent=Sent(htmx=True, form_encoded=False),
)
def test_undoing_a_set(world, data, sent):
    with world.attempt("member", sent) as attempt:
        attempt.post(world.url("members:undo_set", pk=Ref("workout")), data)
        changes = attempt.check(may_change={SetLog}, statuses=LOGGER_STATUSES)
        assert not changes.written


@FUZZ
@given(step=step_ids, data=form(), sent=sent)
def test_logging_all_sets_of_an_exercise(world, step, data, sent):
    with world.attempt("member", sent) as attempt:
        attempt.post(world.url("members:log_all", pk=Ref("workout"), step_id=step), data)
        attempt.check(may_change={SetLog, KnobSetting}, statuses=LOGGER_STATUSES)
        assert {log.step_id for log in attempt.written(SetLog)} <= {int(world.resolve(step))}


knob_values = st.one_of(
    st.decimals(min_value=-10, max_value=250, places=1).map(str),
    st.sampled_from(["none", "light", "medium", "heavy", "moderate", "long"]),
)
directions = st.sampled_from(["easier", "harder", "set", ""])
KNOBS = [Ref("knob"), Ref("levels_knob"), Ref("unbounded_knob")]
# Each knob of today's session, on its own exercise, with the values it takes.
KNOB_MOVES = [
    (Ref("reps_step"), Ref("knob"), st.decimals(2, 36, places=1).map(str)),
    (
        Ref("levels_step"),
        Ref("levels_knob"),
        st.sampled_from(["none", "light", "medium", "heavy"]),
    ),
    (
        Ref("per_side_step"),
        Ref("unbounded_knob"),
        st.decimals(Decimal("-99999.9"), Decimal("99999.9"), places=1).map(str)
        | st.sampled_from(["1e30", "99999.95", "100000"]),
    ),
]


def _knob_move(move):
    step, knob, values = move
    data = st.fixed_dictionaries({"knob": st.just(knob), "direction": directions, "value": values})
    return st.tuples(st.just(step), form(like=data, knob=st.sampled_from(KNOBS), value=values))


# A turn of a knob (the step in the address, and the post): a knob on its own
# exercise, or any step with any knob field.
knob_turns = st.one_of(
    st.sampled_from(KNOB_MOVES).flatmap(_knob_move),
    st.tuples(
        step_ids, form(knob=st.sampled_from(KNOBS), direction=directions, value=knob_values)
    ),
)
# Where the box height stood before the tap: unset, or any value it can hold.
box_heights = st.one_of(
    st.none(), st.decimals(min_value=Decimal("-99999.9"), max_value=Decimal("99999.9"), places=1)
)


@FUZZ
@given(turn=knob_turns, box_height=box_heights, sent=sent)
# Regressions: a number past what a setting stores, typed into a knob without
# bounds or reached by a tap, was a server error (and on SQLite, saved).
@example(
    turn=(
        Ref("per_side_step"),
        {"knob": Ref("unbounded_knob"), "direction": "set", "value": "1e30"},
    ),
    box_height=None,
    sent=Sent(htmx=True, form_encoded=True),
)
@example(
    turn=(Ref("per_side_step"), {"knob": Ref("unbounded_knob"), "direction": "harder"}),
    box_height=Decimal("99999.9"),
    sent=Sent(htmx=False, form_encoded=False),
)
def test_turning_a_knob(world, turn, box_height, sent):
    step, data = turn

    def prepare(world):
        if box_height is not None:
            KnobSetting.objects.create(
                workout_id=world.refs["workout"],
                knob_id=world.refs["unbounded_knob"],
                exercise_id=Knob.objects.get(pk=world.refs["unbounded_knob"]).exercise_id,
                value=box_height,
                unit="cm",
            )

    with world.attempt("member", sent, prepare=prepare) as attempt:
        attempt.post(world.url("members:knob", pk=Ref("workout"), step_id=step), data)
        attempt.check(may_change={KnobSetting}, statuses=LOGGER_STATUSES)
        assert len(attempt.written(KnobSetting)) <= 1
