"""Hostile input on the rest of the member's session logger: start, the pain
check, alternatives, pain on an exercise, the weaker side, finish, and the
buttons (the zero-pain rule, reopen). See ``tests.clubsite.hostile`` for the
check every answer passes."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from members.models import EmailDelivery, PainFlag, Profile, Workout
from tests.clubsite.hostile import Ref, Sent, finished_and_new
from tests.clubsite.hostile_posts import (
    FUZZ,
    LOGGER_STATUSES,
    form,
    ints,
    prose,
    sent,
    step_ids,
    steps,
)

pytestmark = pytest.mark.django_db

# Start, the rule, the pain check and Finish: a redirect to the session's
# page, or (asked by htmx: the phone's outbox) 200 with HX-Redirect.
GOES_ON = {200, 302}


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
        attempt.check(may_change={Workout}, statuses={*GOES_ON, 400, 404})
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
        attempt.check(may_change={Workout, PainFlag, EmailDelivery}, statuses={*GOES_ON, 400, 422})
        for workout in attempt.written(Workout):
            assert 0 <= workout.pain_before <= 10
            flags = attempt.written(PainFlag)
            if workout.pain_before:
                assert workout.finished_at is not None
                assert [flag.level for flag in flags] == [workout.pain_before]
            else:
                assert workout.finished_at is None and not flags


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
            assert flag.level == attempt.number("level")


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
        attempt.check(may_change={Workout}, statuses={*GOES_ON, 400, 422}, echo=["note"])
        for workout in attempt.written(Workout):
            assert workout.finished_at is not None
            assert workout.note == (attempt.value("note") or "").strip()


# Buttons: a post with no field of its own. Each must shrug off any fields.
BUTTONS = {
    "members:accept_zero_pain": {Profile},
    "members:reopen": {Workout},
}


@FUZZ
@given(button=st.sampled_from(sorted(BUTTONS)), data=form(), sent=sent)
def test_member_buttons(world, button, data, sent):
    with world.attempt("member", sent, prepare=finished_and_new) as attempt:
        attempt.post(world.url(button, pk=Ref("workout")), data)
        attempt.check(may_change=BUTTONS[button], statuses={*GOES_ON, 400})
