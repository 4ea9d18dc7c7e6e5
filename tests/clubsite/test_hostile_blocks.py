"""Hostile input on how trainers steer a block: assigning a routine, extending,
resuming and renewing a block, and overriding a step. Any post is answered
by the form or done, never a server error, and leaves the block whole: see
``tests.clubsite.hostile`` for the check."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from members.blocks.steering import end_block, pause_block
from members.models import (
    Assignment,
    PlannedSession,
    Profile,
    StepOverride,
)
from tests.clubsite.hostile import Ref, Sent
from tests.clubsite.hostile_posts import (
    FORM_STATUSES,
    FUZZ,
    any_text,
    dates,
    form,
    ints,
    junk,
    sent,
    weekday_lists,
)

pytestmark = pytest.mark.django_db


TODAY = timezone.localdate()
# Twice a week, as the ground-up routine asks: two different days.
two_days = st.lists(st.integers(0, 6).map(str), min_size=2, max_size=2, unique=True)


def _block(world) -> Assignment:
    return Assignment.objects.get(pk=world.refs["block"])


def _block_is_whole(block: Assignment) -> None:
    """Sessions numbered 1 to n, as many as weeks times days; the ones still
    ahead each on one of the block's days."""
    sessions = list(block.planned_sessions.order_by("number"))
    assert [s.number for s in sessions] == list(range(1, len(sessions) + 1))
    if block.is_current:
        assert len(sessions) == block.weeks * len(block.weekday_list)
    for session in sessions:
        if session.date >= TODAY and not session.workouts.exists():
            assert session.date.weekday() in block.weekday_list


@FUZZ
@given(
    data=form(like=st.just({"extend-weeks": "1"}), **{"extend-weeks": ints(-1, 5)}),
    sent=sent,
)
def test_extending_a_block(world, data, sent):
    with world.attempt("trainer", sent) as attempt:
        attempt.post(world.url("trainer:extend", pk=Ref("block")), data)
        attempt.check(may_change={Assignment, PlannedSession}, statuses=FORM_STATUSES)
        for block in attempt.written(Assignment):
            assert block.weeks <= block.routine.max_weeks
            _block_is_whole(block)


@FUZZ
@given(
    data=form(
        like=st.fixed_dictionaries(
            {"resume-on": dates(TODAY, 20, past=False), "resume-weekdays": two_days}
        ),
        **{"resume-on": dates(TODAY, 400), "resume-weekdays": weekday_lists},
    ),
    sent=sent,
)
def test_resuming_a_paused_block(world, data, sent):
    def prepare(world):
        pause_block(assignment=_block(world))

    with world.attempt("trainer", sent, prepare=prepare) as attempt:
        attempt.post(world.url("trainer:resume", pk=Ref("block")), data)
        attempt.check(may_change={Assignment, PlannedSession}, statuses=FORM_STATUSES)
        for block in attempt.written(Assignment):
            assert block.status == "active" and block.paused_on is None
            _block_is_whole(block)


@FUZZ
@given(
    data=form(
        like=st.fixed_dictionaries(
            {
                "renew-start_date": dates(TODAY, 30, past=False),
                "renew-weekdays": two_days,
                "renew-weeks": ints(2, 4),
            }
        ),
        **{
            "renew-start_date": dates(TODAY, 800),
            "renew-weekdays": weekday_lists,
            "renew-weeks": ints(0, 60),
        },
    ),
    sent=sent,
)
def test_renewing_an_ended_block(world, data, sent):
    def prepare(world):
        end_block(assignment=_block(world))

    with world.attempt("trainer", sent, prepare=prepare) as attempt:
        attempt.post(world.url("trainer:renew", pk=Ref("block")), data)
        attempt.check(may_change={Assignment, PlannedSession, Profile}, statuses=FORM_STATUSES)
        written = attempt.written(Assignment)
        assert len(written) <= 1
        for block in written:
            assert block.start_date >= TODAY
            _block_is_whole(block)


OVERRIDE_STEPS = [
    Ref(name)
    for name in ["timed_step", "reps_step", "per_side_step", "levels_step", "option", "knob"]
]


def _override(step, **fields):
    """The override form, posted for ``step`` with these fields and a note."""
    return st.fixed_dictionaries(
        {
            "override-step": st.just(Ref(step)),
            **{f"override-{name}": value for name, value in fields.items()},
            "override-note": any_text,
        }
    )


# Changes a trainer makes: reps, minutes, a knob's start on its own exercise, a note.
overrides = st.one_of(
    _override("reps_step", sets=ints(1, 20), reps=ints(1, 500)),
    _override("timed_step", minutes=st.integers(1, 360).map(lambda n: str(n / 2))),
    _override(
        "reps_step",
        knob=st.just(Ref("knob")),
        knob_start=st.decimals(2, 36, places=1).map(str),
    ),
    _override(
        "levels_step",
        knob=st.just(Ref("levels_knob")),
        knob_start=st.sampled_from(["none", "light", "medium", "heavy"]),
    ),
    _override(
        "per_side_step",
        knob=st.just(Ref("unbounded_knob")),
        knob_start=st.decimals(-99999, 99999, places=1).map(str)
        | st.sampled_from(["1e30", "99999.95", "-100000"]),
    ),
    _override("option"),
)


@FUZZ
@given(
    data=form(
        like=overrides,
        **{
            "override-step": st.sampled_from(OVERRIDE_STEPS),
            "override-sets": ints(0, 21),
            "override-reps": ints(0, 501),
            "override-minutes": st.decimals(0, 181, places=1).map(str),
            "override-knob": st.sampled_from(
                ["", Ref("knob"), Ref("levels_knob"), Ref("unbounded_knob")]
            ),
            "override-knob_start": st.sampled_from(["12", "light", "1e30", "99999.95", "-3"]),
            "override-note": any_text,
        },
    ),
    sent=sent,
)
# Regression: a start past what a setting stores was a server error.
@example(
    data={
        "override-step": Ref("per_side_step"),
        "override-knob": Ref("unbounded_knob"),
        "override-knob_start": "1e30",
    },
    sent=Sent(htmx=False, form_encoded=False),
)
def test_saving_an_override(world, data, sent):
    with world.attempt("trainer", sent) as attempt:
        attempt.post(world.url("trainer:save_override", pk=Ref("block")), data)
        attempt.check(
            may_change={StepOverride},
            statuses=FORM_STATUSES,
            echo=["override-note", "override-knob_start"],
        )
        assert len(attempt.written(StepOverride)) <= 1


MEMBERS = [Ref("second_member"), Ref("third_member"), Ref("member"), Ref("trainer")]


@FUZZ
@given(
    data=form(
        like=st.fixed_dictionaries(
            {
                "members": st.lists(
                    st.sampled_from(MEMBERS[:2]), min_size=1, max_size=2, unique=True
                ),
                "routine": st.just(Ref("routine")),
                "start_date": dates(TODAY, 14),
                "weekdays": two_days,
                "weeks": ints(2, 4),
                "notes": any_text,
            }
        ),
        members=st.lists(st.sampled_from(MEMBERS) | junk, max_size=3),
        routine=st.sampled_from([Ref("routine"), Ref("block")]),
        start_date=dates(TODAY, 800),
        weekdays=weekday_lists,
        weeks=ints(-1, 60),
        notes=any_text,
    ),
    sent=sent,
)
def test_assigning_a_routine(world, data, sent):
    with world.attempt("trainer", sent) as attempt:
        attempt.post(world.url("trainer:assign"), data)
        attempt.check(
            may_change={Assignment, PlannedSession, Profile},
            statuses={200, 302, 400},
            echo=["notes"],
        )
        for block in attempt.written(Assignment):
            assert block.member_id in {world.refs["second_member"], world.refs["third_member"]}
            assert block.start_date >= TODAY - dt.timedelta(days=14)
            _block_is_whole(block)
