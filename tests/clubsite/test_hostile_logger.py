"""Hostile input on the member's session logger: start, the pain check, log
and undo a set, log all, knobs, alternatives, pain, weaker side, finish, and
the buttons (the zero-pain rule, reopen).

For any post the answer is the form's or success, never a server error, and
nothing is half-saved (see ``tests.clubsite.hostile``)."""

from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from members.models import EmailDelivery, KnobSetting, PainFlag, Profile, SetLog, Workout
from routines.models import Knob
from tests.clubsite.hostile import Ref, Sent
from tests.clubsite.hostile_posts import FUZZ, form, ints, prose, sent

pytestmark = pytest.mark.django_db

STEPS = [
    Ref(name)
    for name in [
        "timed_step",
        "reps_step",
        "per_side_step",
        "levels_step",
        "option_step",
        "option",
    ]
]
steps = st.sampled_from(STEPS)
# A step in the address: one of the session's, or any number at all.
step_ids = st.one_of(steps, st.integers(0, 10**25))
sides = st.sampled_from(["left", "right", "both"])
LOGGER_STATUSES = {200, 204, 302, 400, 404, 422}


def _workout(world) -> Workout:
    return Workout.objects.get(pk=world.refs["workout"])


@FUZZ
@given(
    forget_today=st.booleans(),
    data=form(session=st.sampled_from([Ref("session"), Ref("earlier_session")])),
    sent=sent,
)
def test_starting_a_workout(world, forget_today, data, sent):
    def prepare(world):
        if forget_today:
            _workout(world).delete()

    with world.attempt("member", sent, prepare=prepare) as attempt:
        attempt.post(world.url("members:start_workout"), data)
        attempt.check(may_change={Workout}, statuses={302, 400, 404})
        for workout in attempt.written(Workout):
            assert workout.member_id == world.refs["member"]
            assert workout.pain_before is None and workout.finished_at is None
            assert workout.prescription["steps"]


@FUZZ
@given(data=form(level=ints(0, 10), note=prose("Left knee")), sent=sent)
# Regression: a NUL was a server error on PostgreSQL, and saved as typed on SQLite.
@example(data={"level": "3", "note": "Left knee\x00"}, sent=Sent(htmx=False, form_encoded=True))
def test_the_pain_check_before_starting(world, data, sent):
    def prepare(world):
        Workout.objects.filter(pk=world.refs["workout"]).update(pain_before=None)

    with world.attempt("member", sent, prepare=prepare) as attempt:
        attempt.post(world.url("members:pain_check", pk=Ref("workout")), data)
        attempt.check(may_change={Workout, PainFlag, EmailDelivery}, statuses={302, 400, 422})
        for workout in attempt.written(Workout):
            assert 0 <= workout.pain_before <= 10
            flags = attempt.written(PainFlag)
            if workout.pain_before:
                assert workout.finished_at is not None
                assert [flag.level for flag in flags] == [workout.pain_before]
            else:
                assert workout.finished_at is None and not flags


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
                assert log.reps == int(attempt.value("reps"))


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


@FUZZ
@given(
    step=st.one_of(st.just(Ref("option_step")), step_ids),
    data=form(option=st.sampled_from([Ref("option"), "main", Ref("option_step"), Ref("knob")])),
    sent=sent,
)
def test_choosing_an_alternative(world, step, data, sent):
    with world.attempt("member", sent) as attempt:
        attempt.post(world.url("members:option", pk=Ref("workout"), step_id=step), data)
        attempt.check(may_change={Workout}, statuses=LOGGER_STATUSES)
        for workout in attempt.written(Workout):
            options = {
                str(main["id"]): {option["id"] for option in main["options"]}
                for main in workout.prescription["steps"]
            }
            for main, chosen in workout.choices.items():
                assert chosen in options[main]


@FUZZ
@given(
    step=st.one_of(steps, step_ids),
    data=form(level=ints(1, 10), note=prose("Sharp, inside the knee")),
    sent=sent,
)
# Regression: a NUL was a server error on PostgreSQL, and saved as typed on SQLite.
@example(
    step=Ref("reps_step"),
    data={"level": "4", "note": "\x00"},
    sent=Sent(htmx=True, form_encoded=True),
)
def test_reporting_pain_on_an_exercise(world, step, data, sent):
    with world.attempt("member", sent) as attempt:
        attempt.post(world.url("members:pain", pk=Ref("workout"), step_id=step), data)
        attempt.check(may_change={PainFlag, EmailDelivery}, statuses=LOGGER_STATUSES)
        flags = attempt.written(PainFlag)
        assert len(flags) <= 1
        for flag in flags:
            assert flag.step_id == int(world.resolve(step))
            assert flag.level == int(attempt.value("level"))


@FUZZ
@given(
    step=st.one_of(steps, step_ids),
    data=form(side=st.sampled_from(["left", "right", "unsure", "both"])),
    sent=sent,
)
def test_choosing_the_weaker_side(world, step, data, sent):
    with world.attempt("member", sent) as attempt:
        attempt.post(world.url("members:weaker_side", pk=Ref("workout"), step_id=step), data)
        attempt.check(may_change={Profile}, statuses=LOGGER_STATUSES)
        for profile in attempt.written(Profile):
            assert profile.weaker_side == attempt.value("side")
            assert profile.weaker_side in {"left", "right"}


@FUZZ
@given(
    data=form(
        feeling=st.sampled_from(["", *Workout.Feeling.values]),
        note=prose("Felt strong"),
    ),
    sent=sent,
)
# Regression: a NUL was a server error on PostgreSQL, and saved as typed on SQLite.
@example(
    data={"feeling": "too_hard", "note": "Tired\x00"}, sent=Sent(htmx=False, form_encoded=False)
)
def test_finishing_a_workout(world, data, sent):
    with world.attempt("member", sent) as attempt:
        attempt.post(world.url("members:finish", pk=Ref("workout")), data)
        attempt.check(may_change={Workout}, statuses={302, 400, 422}, echo=["note"])
        for workout in attempt.written(Workout):
            assert workout.finished_at is not None
            assert workout.note == (attempt.value("note") or "").strip()


# Buttons: a post with no field of its own. Each must shrug off any fields.
BUTTONS = {
    "members:accept_zero_pain": {Profile},
    "members:reopen": {Workout},
}


def _finished_and_new(world) -> None:
    """Today's workout finished, and the zero-pain rule not yet accepted."""
    Workout.objects.filter(pk=world.refs["workout"]).update(finished_at=timezone.now())
    Profile.objects.filter(user_id=world.refs["member"]).update(zero_pain_accepted_at=None)


@FUZZ
@given(button=st.sampled_from(sorted(BUTTONS)), data=form(), sent=sent)
def test_member_buttons(world, button, data, sent):
    with world.attempt("member", sent, prepare=_finished_and_new) as attempt:
        attempt.post(world.url(button, pk=Ref("workout")), data)
        attempt.check(may_change=BUTTONS[button], statuses={302, 400})
