"""Each planned session's status is derived from the club's calendar and the
member's workouts. The clock is frozen at 23:30 in the club's time zone, when
UTC is already on the next day, so a UTC "today" would get every answer wrong."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from members.models import PlannedSession, Workout
from tests.factories import put_on_block
from tests.members.logger_helpers import CLUB

Status = PlannedSession.Status


def _sessions(assignment):
    return {
        s.number: s
        for s in assignment.planned_sessions.prefetch_related("workouts").order_by("number")
    }


def _workout(member, session, *, day, finished=True):
    started = dt.datetime.combine(day, dt.time(18), tzinfo=CLUB)
    return Workout.objects.create(
        member=member,
        planned_session=session,
        date=day,
        started_at=started,
        finished_at=started + dt.timedelta(minutes=30) if finished else None,
        is_complete=finished,
    )


def _progress_after(member, trainer, done: dict[int, dt.date]):
    """The progress of a block from Monday, November 16, with the sessions
    numbered in ``done`` finished on the days given."""
    assignment = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    sessions = _sessions(assignment)
    for number, day in done.items():
        _workout(member, sessions[number], day=day)
    return assignment.progress()


@pytest.mark.django_db
def test_statuses_late_on_a_session_day(late_thursday, member, trainer):
    # Block from Monday, November 16: sessions on the 16th, 19th, 23rd, 26th, 30th...
    assignment = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    sessions = _sessions(assignment)
    _workout(member, sessions[1], day=dt.date(2026, 11, 16))
    _workout(member, sessions[2], day=dt.date(2026, 11, 19), finished=False)
    sessions = _sessions(assignment)
    today = timezone.localdate()

    assert sessions[1].status_on(today) == Status.DONE
    assert sessions[2].status_on(today) == Status.PARTLY
    assert sessions[3].status_on(today) == Status.MISSED  # Monday the 23rd, no workout
    assert sessions[4].status_on(today) == Status.DUE  # Thursday the 26th: still today
    assert sessions[5].status_on(today) == Status.UPCOMING


@pytest.mark.django_db
def test_a_session_done_on_another_day_counts_for_its_own(late_thursday, member, trainer):
    assignment = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    # Monday the 23rd was missed; on Tuesday the 24th the member trains: the
    # workout belongs to the earliest open session of that block week.
    tuesday = dt.date(2026, 11, 24)
    belongs_to = assignment.planned_session_for(tuesday)
    assert (belongs_to.number, belongs_to.date) == (3, dt.date(2026, 11, 23))
    _workout(member, belongs_to, day=tuesday)

    sessions = _sessions(assignment)
    assert sessions[3].status_on(timezone.localdate()) == Status.DONE
    # With session 3 done, a second workout that week goes to session 4.
    assert assignment.planned_session_for(tuesday).number == 4


@pytest.mark.django_db
def test_a_workout_outside_the_block_is_an_extra(member, trainer):
    assignment = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    assert assignment.planned_session_for(dt.date(2026, 11, 15)) is None
    assert assignment.planned_session_for(dt.date(2026, 12, 14)) is None


@pytest.mark.django_db
def test_progress_late_on_a_session_day(late_thursday, member, trainer):
    progress = _progress_after(
        member, trainer, {1: dt.date(2026, 11, 16), 2: dt.date(2026, 11, 19)}
    )

    assert (progress.done, progress.total, progress.week) == (2, 8, 2)
    # Monday's missed session can still be made up this week, so it comes next.
    assert progress.next_session.number == 3
    assert [s.number for s in progress.missed] == [3]
    assert progress.missed_for_good == []
    assert progress.last_workout.date == dt.date(2026, 11, 19)


@pytest.mark.django_db
def test_a_missed_session_of_an_earlier_week_is_missed_for_good(member, trainer):
    assignment = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    with time_machine.travel(dt.datetime(2026, 11, 24, 23, 30, tzinfo=CLUB), tick=False):
        progress = assignment.progress()
    # Week 1 (16th and 19th) is over; Monday the 23rd can still be made up.
    assert [s.number for s in progress.missed_for_good] == [1, 2]
    assert progress.next_session.number == 3


@pytest.mark.django_db
def test_before_the_start_and_after_the_end(member, trainer):
    assignment = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    with time_machine.travel(dt.datetime(2026, 11, 10, 23, 30, tzinfo=CLUB), tick=False):
        before = assignment.progress()
    assert not before.started and before.next_session.number == 1
    with time_machine.travel(dt.datetime(2026, 12, 20, 23, 30, tzinfo=CLUB), tick=False):
        after = assignment.progress()
    assert after.finished and after.next_session is None
    assert len(after.missed) == 8


@pytest.mark.django_db
def test_due_so_far_counts_days_over_and_sessions_done_early(late_thursday, member, trainer):
    # Monday the 30th's session (number 5), done early tonight.
    progress = _progress_after(
        member, trainer, {1: dt.date(2026, 11, 16), 5: dt.date(2026, 11, 26)}
    )

    # Due: the 16th, 19th and 23rd (their days are over) and the 30th (done);
    # tonight's session is still doable, so not due yet.
    assert (progress.done, progress.due, progress.adherence) == (2, 4, 50)
    assert progress.done <= progress.due


@pytest.mark.django_db
def test_a_workout_started_on_a_free_saturday_counts_for_the_next_session(member, trainer):
    assignment = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    sessions = _sessions(assignment)
    for number in range(1, 5):
        _workout(member, sessions[number], day=sessions[number].date)
    saturday = dt.date(2026, 11, 28)
    with time_machine.travel(dt.datetime(2026, 11, 28, 23, 30, tzinfo=CLUB), tick=False):
        offered = assignment.progress().next_session
    # Today offers Monday's session 5 (block week 3); a workout begun without
    # choosing counts for that same session, not as an extra.
    assert (offered.number, offered.week) == (5, 3)
    assert assignment.planned_session_for(saturday) == offered
