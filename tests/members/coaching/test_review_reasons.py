"""Trainer review: adherence, knob trends and the needs-attention reasons,
computed on hand-built histories with the clock at 23:30 club time."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from members.coaching.attention import reviews_with_reasons
from members.logbook.sets import report_pain
from members.logbook.workouts import record_pain_before, start_workout
from members.models import (
    Assignment,
    PainFlag,
)
from tests.factories import put_on_block
from tests.members.logger_helpers import (
    CLUB,
    LATE_THURSDAY,
    MONDAY,
    finished_workout,
    sessions_of,
    step,
)


@pytest.mark.django_db
def test_adherence_trends_and_reasons_on_a_hand_built_history(late_thursday, member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    one, two = sessions_of(block)[:2]
    finished_workout(member, one, wall=12, feeling="too_hard")
    # Session 2 (Thursday the 19th) done a day late, on Friday: it still counts.
    finished_workout(member, two, day=dt.date(2026, 11, 20), wall=16, feeling="too_hard")
    # Monday the 23rd missed; Thursday the 26th still due tonight.

    (review,) = reviews_with_reasons(Assignment.objects.filter(pk=block.pk))

    # Tonight's session is still doable, so it is not counted against them yet.
    assert review.planned_so_far == 3
    assert review.progress.done == 2
    assert review.adherence == 67
    assert review.progress.week == 2
    assert review.last_workout.date == dt.date(2026, 11, 20)
    (wall,) = [trend for trend in review.knobs if trend.exercise == "Tibialis raise"]
    assert wall.text == "feet distance from wall 12 → 16 in"
    assert wall.eased == 0
    assert review.reasons == ["“Too hard” on the last two workouts"]
    # Waiting since the second "too hard" workout was finished.
    assert review.waiting_since == dt.datetime(2026, 11, 20, 18, tzinfo=CLUB)
    assert review.end_date == dt.date(2026, 12, 10)


@pytest.mark.django_db
def test_a_session_done_early_never_puts_adherence_over_100(
    late_thursday, trainer_client, member, trainer
):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY - dt.timedelta(weeks=1))
    sessions = sessions_of(block)
    for session in sessions[:6]:
        finished_workout(member, session)
    # Tonight, after Thursday's session, Monday the 30th's is done too.
    finished_workout(member, sessions[6], day=dt.date(2026, 11, 26))

    (review,) = reviews_with_reasons(Assignment.objects.filter(pk=block.pk))

    assert (review.progress.done, review.planned_so_far, review.adherence) == (7, 7, 100)
    assert review.reasons == []
    sorted_page = trainer_client.get("/trainer/?sort=adherence").text
    assert "7 of 7 sessions so far (100%)" in sorted_page
    assert 'value="100">100%</meter>' in sorted_page


@pytest.mark.django_db
def test_missed_sessions_pain_and_an_eased_knob_are_reasons(late_thursday, member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY - dt.timedelta(weeks=1))
    sessions = sessions_of(block)
    finished_workout(member, sessions[0], wall=16)
    finished_workout(member, sessions[2], wall=14)
    finished_workout(member, sessions[3], wall=12)
    # Monday the 23rd missed; tonight's session stopped on the calf raise.
    workout = start_workout(member=member, planned_session=sessions[5])
    record_pain_before(workout=workout, level=0)
    report_pain(workout=workout, step_id=step(workout, "Calf raise")["id"], level=3)

    (review,) = reviews_with_reasons(Assignment.objects.filter(pk=block.pk))

    assert review.reasons[0].startswith("Pain 3/10 on Calf raise on Nov 26")
    assert "Missed 2 sessions (Nov 12, Nov 23)" in review.reasons
    assert "Feet distance from wall made easier 2 times (16 → 14 → 12 in)" in review.reasons
    # The oldest reason: the knob made easier a second time on Thursday the 19th
    # (the second miss became one when Monday the 23rd was over).
    assert review.waiting_since == dt.datetime(2026, 11, 19, tzinfo=CLUB)


@pytest.mark.django_db
def test_a_resolved_flag_is_no_longer_a_reason(late_thursday, member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY + dt.timedelta(weeks=1))
    flag = PainFlag.objects.create(member=member, level=2)
    (review,) = reviews_with_reasons(Assignment.objects.filter(pk=block.pk))
    assert review.reasons == ["Pain 2/10 before a session on Nov 26, not resolved"]
    PainFlag.objects.filter(pk=flag.pk).update(status=PainFlag.Status.RESOLVED)
    (review,) = reviews_with_reasons(Assignment.objects.filter(pk=block.pk))
    assert review.reasons == []


def test_today_in_the_tests_is_the_club_date():
    with time_machine.travel(LATE_THURSDAY, tick=False):
        assert timezone.localdate() == dt.date(2026, 11, 26)
