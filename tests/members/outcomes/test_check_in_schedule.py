"""When each check-in of a block is due: the baseline from the day the block
is set until a week after its first session, half-way from the middle day of
its weeks, the end from its last day (or its last session, or the day it was
ended early), each for a week; a pause holds what had not opened."""

import datetime as dt

import pytest
import time_machine

from members.blocks.steering import end_block, extend_block, pause_block, resume_block
from members.models import Assignment, CheckIn
from members.outcomes.services import open_check_in, schedule
from tests.factories import put_on_block
from tests.members.logger_helpers import CLUB, MONDAY, finished_workout, session_of

# The Friday before the block's first Monday: the trainer sets it up ahead.
SET_UP_ON = dt.datetime(2026, 11, 13, 10, tzinfo=CLUB)


def block_of(member, trainer, weeks: int) -> Assignment:
    with time_machine.travel(SET_UP_ON, tick=False):
        return put_on_block(member, trainer=trainer, start_date=MONDAY, weeks=weeks)


def windows(block: Assignment, today: dt.date) -> dict[str, tuple[dt.date, dt.date, str]]:
    block = Assignment.objects.get(pk=block.pk)
    progress = block.progress(today)
    return {
        due.kind: (due.opens, due.closes, due.state(today))
        for due in schedule(block, progress, list(block.check_ins.all()))
    }


def day(number: int) -> dt.date:
    """Day ``number`` of the block: day 0 is its first Monday."""
    return MONDAY + dt.timedelta(days=number)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("weeks", "midway", "end"),
    [(2, day(7), day(13)), (3, day(10), day(20)), (4, day(14), day(27))],
)
def test_each_check_in_opens_on_its_day_and_stays_open_a_week(member, trainer, weeks, midway, end):
    block = block_of(member, trainer, weeks)
    week = dt.timedelta(days=7)
    # Set up on Friday: the baseline is open from then until a week after
    # the first session (Monday).
    assert windows(block, SET_UP_ON.date()) == {
        "baseline": (SET_UP_ON.date(), day(0) + week, "open"),
        "midway": (midway, midway + week, "upcoming"),
        "end": (end, end + week, "upcoming"),
    }
    assert windows(block, midway)["midway"][2] == "open"
    assert windows(block, day(8))["baseline"][2] == "missed"
    assert windows(block, midway + week)["midway"][2] == "open"  # late, still in time
    assert windows(block, midway + week + dt.timedelta(days=1))["midway"][2] == "missed"
    assert windows(block, end)["end"][2] == "open"


@pytest.mark.django_db
def test_the_end_opens_the_day_the_last_session_is_done(member, trainer):
    block = block_of(member, trainer, 2)
    for number in range(1, 5):
        session = session_of(block, number)
        # The last one done two days early, on Tuesday of week 2.
        finished_workout(member, session, day=min(session.date, day(8)))
    assert windows(block, day(8))["end"] == (day(8), day(15), "open")


@pytest.mark.django_db
def test_a_block_ended_early_has_its_end_check_in_from_that_day(member, trainer):
    block = block_of(member, trainer, 4)
    with time_machine.travel(dt.datetime.combine(day(5), dt.time(12), tzinfo=CLUB)):
        end_block(assignment=block, today=day(5))
    # Ended before half-way: no half-way check-in; the end one opens at once.
    assert windows(block, day(5)) == {
        "baseline": (SET_UP_ON.date(), day(7), "open"),
        "end": (day(5), day(12), "open"),
    }


@pytest.mark.django_db
def test_a_pause_holds_what_had_not_opened_and_the_resume_moves_it(member, trainer):
    block = block_of(member, trainer, 4)
    pause_block(assignment=block, today=day(9))
    paused = windows(block, day(20))
    assert set(paused) == {"baseline"}  # half-way and the end wait for the resume
    # Resumed a week later, on Wednesday: week 2 starts again that day (the
    # weeks move on nine days), and the check-ins with them.
    resume_block(
        assignment=Assignment.objects.get(pk=block.pk), on=day(16), weekdays=[0, 3], today=day(16)
    )
    resumed = windows(block, day(16))
    assert resumed["midway"][:2] == (day(23), day(30))
    assert resumed["end"][:2] == (day(36), day(43))


@pytest.mark.django_db
def test_an_extended_block_moves_half_way_and_the_end(member, trainer):
    block = block_of(member, trainer, 2)
    extend_block(assignment=block, weeks=2)
    assert windows(block, day(3))["midway"][:2] == (day(14), day(21))
    assert windows(block, day(3))["end"][:2] == (day(27), day(34))


@pytest.mark.django_db
def test_a_check_in_done_is_done_and_the_next_open_one_is_offered(member, trainer):
    block = block_of(member, trainer, 2)
    CheckIn.objects.create(assignment=block, kind=CheckIn.Kind.BASELINE, done_on=day(0))
    assert windows(block, day(1))["baseline"][2] == "done"
    block = Assignment.objects.get(pk=block.pk)
    assert (
        open_check_in(block, block.progress(day(1)), list(block.check_ins.all()), day(1)) is None
    )
    due = open_check_in(block, block.progress(day(7)), list(block.check_ins.all()), day(7))
    assert due is not None and due.kind == CheckIn.Kind.MIDWAY
